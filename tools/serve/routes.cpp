#include "serve/routes.h"

namespace focusmeter::serve {

const Route* find_route(std::string_view path) {
  for (const Route& r : kRoutes)
    if (path == r.path) return &r;
  return nullptr;
}

std::string route_paths() {
  std::string out;
  for (const Route& r : kRoutes) out += (out.empty() ? "" : ", ") + std::string(r.path);
  return out;
}

std::string route_list() {
  std::string out;
  for (const Route& r : kRoutes) out += (out.empty() ? "" : ", ") + std::string(r.method) + " " + r.path;
  return out;
}

}  // namespace focusmeter::serve
