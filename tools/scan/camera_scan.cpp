#include "scan/camera_scan.h"

#include <glib.h>

#include "scan/probe.h"

namespace focusmeter::scan {

namespace {

std::string join_brands(const std::vector<Route>& routes) {
  std::string s;
  for (const auto& r : routes) s += (s.empty() ? "" : ", ") + r.brand;
  return s;
}

}  // namespace

std::vector<Route> candidate_routes(const TargetSpec& spec, const ScanSettings& settings) {
  if (spec.kind == TargetSpec::Kind::Url) return {Route{spec.brand.empty() ? "url" : spec.brand, spec.url}};
  if (spec.brand.empty() && !settings.url_template.empty()) return {Route{"custom", settings.url_template}};
  const std::string brand = spec.brand.empty() ? settings.brand : spec.brand;
  if (auto routes = routes_for_brand(brand, settings.substream)) return *routes;
  return {};  // unknown brand in a camera list: reported per camera
}

cli::Result scan_target(const Target& target, const ScanSettings& settings, cv::Mat* frame) {
  const gint64 start = g_get_monotonic_time();
  const TargetSpec& spec = *target.spec;
  cli::Result r;
  r.target = spec.given;
  r.host = target.host;
  r.kind = "camera";
  const std::string user = spec.user.empty() ? settings.user : spec.user;
  const std::string password = !spec.password.empty() ? spec.password : settings.password;
  const int port = spec.port.value_or(settings.port);
  auto finish = [&](cli::Status status, std::string reason) {
    r.status = status;
    r.reason = scrub_secret(std::move(reason), password);
    r.elapsed_ms = (g_get_monotonic_time() - start) / 1000.0;
    return r;
  };

  const std::vector<Route> routes = candidate_routes(spec, settings);
  if (routes.empty()) return finish(cli::Status::StreamError, "unknown brand '" + spec.brand + "'");
  if (routes.size() == 1) {
    r.brand = routes[0].brand;
    r.url = redact_url(expand_template(routes[0].tmpl, target.host, port), user);
  }

  const ProbeResult probe = tcp_probe(target.host, port, settings.probe_timeout_ms);
  if (!probe.open) return finish(cli::Status::Unreachable, probe.reason + " (port " + std::to_string(port) + ")");

  stream::ProbeOptions stream_options = settings.stream;
  if (auto t = stream::parse_transport(spec.transport)) stream_options.transport = *t;
  stream_options.model = settings.model;
  stream_options.threshold = settings.threshold;
  const gint64 deadline = g_get_monotonic_time() + static_cast<gint64>(settings.timeout_seconds * 1e6);
  int rejected = 0;
  for (const Route& route : routes) {
    const std::string url = expand_template(route.tmpl, target.host, port);
    stream::ProbeOutcome o = stream::probe_stream(url, user, password, stream_options, deadline);
    if (o.status == cli::Status::NotFound) continue;
    if (o.status == cli::Status::AuthFailed) {
      // Without credentials every route will say 401: stop here. With them,
      // a camera may still refuse one path and serve another: go on.
      if (user.empty()) {
        r.brand.clear();
        r.url = redact_url(url, user);
        return finish(o.status, o.reason);
      }
      ++rejected;
      continue;
    }
    // Only a route the camera described (or the only one tried) is named.
    r.brand = o.status == cli::Status::Ok || o.described || routes.size() == 1 ? route.brand : "";
    r.url = redact_url(url, user);
    if (o.status != cli::Status::Ok) return finish(o.status, o.reason);
    r.width = o.width;
    r.height = o.height;
    r.reason = o.reason;
    const bool decided = stream::decide(o, settings.model.get(), settings.threshold, r);
    if (frame) *frame = std::move(o.frame);
    // A camera without a verdict was not checked: never counted as CLEAR.
    return finish(decided ? cli::Status::Ok : cli::Status::StreamError, r.reason);
  }
  if (routes.size() > 1) {
    r.brand.clear();
    r.url.clear();
  }
  if (rejected > 0)
    return finish(cli::Status::AuthFailed, routes.size() > 1 ? "credentials rejected (401 Unauthorized) on " +
                                                                   std::to_string(rejected) + " of " +
                                                                   std::to_string(routes.size()) + " routes"
                                                             : "credentials rejected (401 Unauthorized)");
  return finish(cli::Status::NotFound, routes.size() > 1
                                           ? "no stream at any known route (tried " + join_brands(routes) + ")"
                                           : "no stream at this path (404 Not Found)");
}

}  // namespace focusmeter::scan
