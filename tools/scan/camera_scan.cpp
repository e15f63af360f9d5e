#include "scan/camera_scan.h"

#include <glib.h>

#include "focusmeter/luma_view.h"
#include "gstreamer/rtsp_auth_preflight.h"
#include "scan/onvif_client.h"
#include "scan/probe.h"

namespace focusmeter::scan {

namespace {

std::string rect_text(const Rect& x) {
  return "[" + std::to_string(x.left) + ", " + std::to_string(x.top) + ", " + std::to_string(x.width) + ", " +
         std::to_string(x.height) + "]";
}

// The element clips a region to the picture, and judges the whole picture
// when the region lies outside it: the reason says so, so that a mistyped
// roi is never taken for the region the operator meant.
void note_roi(report::Result& r, const Rect& asked, const stream::ProbeOutcome& o) {
  if (o.frames.empty()) return;
  const Rect& judged = o.frames.back().roi;
  const Rect clipped = clip_rect(asked, o.width, o.height);
  const std::string picture = std::to_string(o.width) + "x" + std::to_string(o.height);
  std::string note;
  if (clipped.width <= 0 || clipped.height <= 0)
    note = "roi " + rect_text(asked) + " lies outside the " + picture + " picture: the whole picture was judged";
  else if (clipped.width != asked.width || clipped.height != asked.height)
    note = "roi " + rect_text(asked) + " clipped to " + rect_text(judged) + " (the picture is " + picture + ")";
  if (!note.empty()) r.reason = r.reason.empty() ? note : r.reason + "; " + note;
}

std::string join_brands(const std::vector<Route>& routes) {
  std::string s;
  for (const auto& r : routes) s += (s.empty() ? "" : ", ") + r.brand;
  return s;
}

}  // namespace

std::vector<Route> candidate_routes(const TargetSpec& spec, const ScanSettings& settings, int channel) {
  if (spec.kind == TargetSpec::Kind::Url) return {Route{spec.brand.empty() ? "url" : spec.brand, spec.url}};
  const int ch = channel > 0 ? channel : 1;
  if (spec.brand.empty() && !settings.url_template.empty())
    return {Route{"custom", fill_channel(settings.url_template, ch, settings.substream)}};
  const std::string brand = spec.brand.empty() ? settings.brand : spec.brand;
  if (auto routes = routes_for_brand(brand, settings.substream, ch)) return *routes;
  return {};  // unknown brand in a camera list: reported per camera
}

report::Result scan_target(const Target& target, const ScanSettings& settings, cv::Mat* frame) {
  const gint64 start = g_get_monotonic_time();
  const TargetSpec& spec = *target.spec;
  report::Result r;
  r.target = spec.given;
  r.host = target.host;
  r.channel = target.channel;
  r.kind = "camera";
  const std::string user = spec.user.empty() ? settings.user : spec.user;
  const std::string password = !spec.password.empty() ? spec.password : settings.password;
  const int port = spec.port.value_or(settings.port);
  auto finish = [&](report::Status status, std::string reason) {
    r.status = status;
    r.reason = scrub_secret(std::move(reason), password);
    r.elapsed_ms = (g_get_monotonic_time() - start) / 1000.0;
    return r;
  };

  std::vector<Route> routes = candidate_routes(spec, settings, target.channel);
  // ONVIF: the camera says its own stream URI. `--brand onvif` asks only
  // that; `auto` asks it first and guesses paths when nothing ONVIF answers
  // (not per NVR channel: profiles are not channels).
  const bool templated = spec.brand.empty() && !settings.url_template.empty();
  const std::string brand = spec.brand.empty() ? settings.brand : spec.brand;
  const bool onvif_only = brand == "onvif" && !templated && spec.kind != TargetSpec::Kind::Url;
  const bool onvif_first =
      onvif_only || (brand == "auto" && !templated && spec.kind != TargetSpec::Kind::Url && target.channel == 0);
  const int onvif_port = spec.onvif_port.value_or(settings.onvif_port);
  if (routes.empty() && !onvif_only) return finish(report::Status::StreamError, "unknown brand '" + spec.brand + "'");
  if (routes.size() == 1) {
    r.brand = routes[0].brand;
    r.url = redact_url(expand_template(routes[0].tmpl, target.host, port), user);
  }

  if (!onvif_only) {
    const ProbeResult probe = tcp_probe(target.host, port, settings.probe_timeout_ms);
    if (!probe.open) return finish(report::Status::Unreachable, probe.reason + " (port " + std::to_string(port) + ")");
  }
  stream::load_decoders();  // once per process, before the camera's clock starts
  const gint64 deadline = g_get_monotonic_time() + static_cast<gint64>(settings.timeout_seconds * 1e6);
  if (onvif_first) {
    const ProbeResult probe = tcp_probe(target.host, onvif_port, settings.probe_timeout_ms);
    OnvifLookup lookup;
    lookup.reason = "no ONVIF service: " + probe.reason + " (port " + std::to_string(onvif_port) + ")";
    if (probe.open) lookup = onvif_stream_uri(target.host, onvif_port, user, password, settings.substream, deadline);
    if (lookup.outcome == OnvifLookup::Outcome::Found) {
      routes = {Route{"onvif", lookup.uri}};
    } else if (lookup.outcome == OnvifLookup::Outcome::AuthFailed) {
      r.brand = "onvif";
      r.url.clear();
      return finish(report::Status::AuthFailed, lookup.reason);
    } else if (onvif_only) {
      r.brand = "onvif";
      const bool down = !probe.open && probe.reason.find("refused") == std::string::npos;
      return finish(down                                               ? report::Status::Unreachable
                    : lookup.outcome == OnvifLookup::Outcome::NotOnvif ? report::Status::NotFound
                                                                       : report::Status::StreamError,
                    lookup.reason);
    }
  }

  stream::ProbeOptions stream_options = settings.stream;
  if (auto t = stream::parse_transport(spec.transport)) stream_options.transport = *t;
  stream_options.model = settings.model;
  stream_options.threshold = settings.threshold;
  if (spec.roi) stream_options.roi = Rect{(*spec.roi)[0], (*spec.roi)[1], (*spec.roi)[2], (*spec.roi)[3]};
  int rejected = 0;
  const bool allow_basic = spec.allow_basic_auth.value_or(settings.allow_basic_auth);
  for (const Route& route : routes) {
    const std::string url = expand_template(route.tmpl, target.host, port);
    // Before rtspsrc gets the password, see which authentication the camera
    // offers (common/rtsp_auth_preflight.h): Basic only over TLS or when allowed.
    if (!user.empty() && !allow_basic && url.rfind("rtsps://", 0) != 0) {
      const gst::AuthPreflight pre = gst::rtsp_auth_preflight(url, deadline);
      if (pre.basic_only()) {
        r.brand = routes.size() == 1 ? route.brand : "";
        r.url = redact_url(url, user);
        return finish(report::Status::AuthFailed, gst::kBasicAuthRefused);
      }
      if (pre.answered && pre.code == 404) continue;  // no stream here; rtspsrc would say the same
    }
    stream::ProbeOutcome o = stream::probe_stream(url, user, password, stream_options, deadline);
    if (o.status == report::Status::NotFound) continue;
    if (o.status == report::Status::AuthFailed) {
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
    r.brand = o.status == report::Status::Ok || o.described || routes.size() == 1 ? route.brand : "";
    r.url = redact_url(url, user);
    if (o.status != report::Status::Ok) return finish(o.status, o.reason);
    r.width = o.width;
    r.height = o.height;
    r.reason = o.reason;
    const bool decided = stream::decide(o, settings.model.get(), settings.blurry_share, r);
    if (stream_options.roi) note_roi(r, *stream_options.roi, o);
    if (frame) *frame = std::move(o.frame);
    // A camera without a verdict was not checked: never counted as CLEAR.
    return finish(decided ? report::Status::Ok : report::Status::StreamError, r.reason);
  }
  if (routes.size() > 1) {
    r.brand.clear();
    r.url.clear();
  }
  if (rejected > 0)
    return finish(report::Status::AuthFailed, routes.size() > 1 ? "credentials rejected (401 Unauthorized) on " +
                                                                      std::to_string(rejected) + " of " +
                                                                      std::to_string(routes.size()) + " routes"
                                                                : "credentials rejected (401 Unauthorized)");
  return finish(report::Status::NotFound, routes.size() > 1
                                              ? "no stream at any known route (tried " + join_brands(routes) + ")"
                                              : "no stream at this path (404 Not Found)");
}

}  // namespace focusmeter::scan
