// `focusmeter watch reference show [CAMERA]` and
// `focusmeter watch reference set CAMERA --from-check ID | --now`: the
// reference views kept in the state file (reference.h). CAMERA is a
// camera's name or identity as the state file knows it. --now checks the
// camera at once (it must be among the targets given, with the watch's
// options) and makes that check the reference of its light mode.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "commands.h"
#include "nlohmann/json.hpp"
#include "scan/camera_identity.h"
#include "watch/watch_options.h"

namespace fw = focusmeter::watch;
namespace cli = focusmeter::cli;

namespace {

constexpr const char* kCommand = "watch reference";

std::optional<fw::CameraRecord> find_camera(fw::StateStore& store, const std::string& key) {
  const std::string identity = focusmeter::scan::canonical_camera_identity(key);
  for (const auto& c : store.cameras())
    if (c.name == key || c.identity == identity) return c;
  return std::nullopt;
}

std::string summary(const fw::ReferenceRecord& r) {
  nlohmann::json j = nlohmann::json::parse(r.features_json, nullptr, false);
  char buf[256];
  const double contrast = j.value("contrast", 0.0), brightness = j.value("brightness", 0.0);
  double lap = 0;
  if (j.contains("whole"))
    lap = j["whole"].value("laplacian_variance", 0.0);
  else if (j.contains("cells") && !j["cells"].empty())  // stored before the grid
    lap = j["cells"][0].value("laplacian_variance", 0.0);
  std::snprintf(buf, sizeof buf, "brightness %.3f  contrast %.3f  laplacian_variance %.6g", brightness, contrast, lap);
  return buf;
}

int show(fw::StateStore& store, const char* camera) {
  std::vector<fw::CameraRecord> cameras;
  if (camera) {
    auto c = find_camera(store, camera);
    if (!c)
      return cli::fail(kCommand, cli::kExitDataError, std::string("no camera '") + camera + "' in the state file");
    cameras.push_back(*c);
  } else {
    cameras = store.cameras();
  }
  for (const auto& c : cameras) {
    std::printf("%s (%s)\n", c.name.c_str(), c.identity.c_str());
    for (fw::LightMode m : {fw::LightMode::Day, fw::LightMode::Night}) {
      const auto r = store.current_reference(c.id, m);
      if (!r) {
        std::printf("  %-5s none yet\n", fw::light_mode_name(m));
        continue;
      }
      std::printf("  %-5s set %s from check %s  %s\n", fw::light_mode_name(m), fw::rfc3339_utc(r->created).c_str(),
                  r->source_check_id ? std::to_string(*r->source_check_id).c_str() : "-", summary(*r).c_str());
    }
  }
  return 0;
}

}  // namespace

int focusmeter_watch_reference_main(int argc, char** argv) {
  const char* action = argc >= 2 ? argv[1] : "";
  if (std::strcmp(action, "show") != 0 && std::strcmp(action, "set") != 0) {
    std::fprintf(
        stderr,
        "Usage: focusmeter watch reference show [CAMERA] [--state FILE]\n"
        "       focusmeter watch reference set CAMERA --from-check ID | --now [--state FILE] [watch options]\n");
    return cli::kExitUsage;
  }
  gint64 from_check = 0;
  gboolean now = FALSE;
  const GOptionEntry extra[] = {
      {"from-check", 0, 0, G_OPTION_ARG_INT64, &from_check, "set: make check ID the reference of its light mode", "ID"},
      {"now", 0, 0, G_OPTION_ARG_NONE, &now, "set: check the camera now and make that the reference", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  // CAMERA follows the action (`set CAMERA`, `show [CAMERA]`); it is a key
  // into the state file, not a target, so it leaves argv before the options
  // are parsed. What remains after the action is parsed as watch's options.
  std::string camera;
  std::vector<char*> args{argv[0]};
  int first = 2;
  if (argc > 2 && argv[2][0] != '-') {
    camera = argv[2];
    first = 3;
  }
  for (int i = first; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  int n = static_cast<int>(args.size()) - 1;
  char** av = args.data();
  fw::WatchOptions o;
  const int parsed = fw::parse_watch_options(n, av, kCommand, "show [CAMERA] | set CAMERA", false, extra, o);
  if (parsed >= 0) return parsed;
  try {
    fw::StateStore store(o.state_path);
    if (!std::strcmp(action, "show")) return show(store, camera.empty() ? nullptr : camera.c_str());
    if (camera.empty()) return cli::usage_error(kCommand, "set needs CAMERA");
    if ((from_check > 0) == static_cast<bool>(now))
      return cli::usage_error(kCommand, "set needs one of --from-check ID or --now");
    auto record = find_camera(store, camera);
    std::int64_t check_id = from_check;
    if (now) {
      // The camera as the command line describes it (the same targets the watch runs with).
      auto it = std::find_if(o.cameras.begin(), o.cameras.end(), [&](const fw::WatchCamera& c) {
        return c.name == camera || c.identity == focusmeter::scan::canonical_camera_identity(camera);
      });
      if (it == o.cameras.end())
        return cli::usage_error(kCommand, "--now: '" + camera + "' is not among the targets given");
      fw::WatchState state(o.state_path, o.confirm);
      fw::register_camera(state, *it);
      const fw::CheckReport done = fw::check_camera(*it, o.check, state);
      if (done.result.status != focusmeter::report::Status::Ok)
        return cli::fail(kCommand, cli::kExitUnchecked, "the check failed: " + done.judgement.reason);
      check_id = done.check_id;
      record = find_camera(store, it->identity);
    }
    if (!record) return cli::fail(kCommand, cli::kExitDataError, "no camera '" + camera + "' in the state file");
    std::string error;
    if (!fw::set_reference_from_check(store, record->id, check_id, g_get_real_time() / 1e6, error))
      return cli::fail(kCommand, cli::kExitDataError, error);
    std::printf("%s: reference set from check %lld\n", record->name.c_str(), static_cast<long long>(check_id));
    return show(store, record->name.c_str());
  } catch (const std::exception& e) {
    return cli::fail(kCommand, cli::kExitDataError, "state " + o.state_path + ": " + e.what());
  }
}
