// scan --format prometheus: the cameras' gauges for node_exporter's textfile
// collector (the same families as watch's /metrics, camera_metrics.h).
#include <ostream>

#include "report/camera_metrics.h"
#include "report/report.h"

namespace focusmeter::report {

void write_prometheus(std::ostream& out, const Report& report) {
  std::vector<CameraGauges> cameras;
  cameras.reserve(report.results.size());
  for (const Result& r : report.results) {
    CameraGauges g;
    // A scan sets camera and name on every result; the fallbacks keep a
    // hand-built result from writing an empty label.
    g.camera = !r.camera.empty() ? r.camera : !r.host.empty() ? r.host : r.target;
    g.name = !r.name.empty() ? r.name : g.camera;
    g.up = r.status == Status::Ok;
    g.score = r.score;
    if (r.verdict) g.blurry = *r.verdict == Verdict::Blurry;
    g.last_check_time = r.checked_at;
    cameras.push_back(std::move(g));
  }
  out << render_camera_metrics(cameras, FOCUSMETER_VERSION);
  out << "# HELP focusmeter_scan_partial 1 when the scan that wrote these gauges was interrupted (cameras it did not "
         "reach are missing), else 0.\n"
         "# TYPE focusmeter_scan_partial gauge\n"
         "focusmeter_scan_partial "
      << (report.partial ? 1 : 0) << "\n";
}

}  // namespace focusmeter::report
