// The state database's schema history. Migration i (0-based) takes a
// database from user_version i to i + 1; a shipped migration is never
// edited, only followed by a new one (StateStore::kSchemaVersion).
#pragma once

#include <vector>

namespace focusmeter::watch {

const std::vector<const char*>& state_schema_migrations();

}  // namespace focusmeter::watch
