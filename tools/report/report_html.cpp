// HTML report: one self-contained page (no network, no external files).
// Each result is a row with its analysed frame as an embedded base64 JPEG
// thumbnail, verdict, score and features; for clips, the score over time is
// drawn as inline SVG. Clicking a column header sorts by it (a few lines of
// inline script); rows start sorted by status, problems first.
#include <glib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/report.h"

namespace focusmeter::report {
namespace {

// GLib's escaping of text for markup: & < > " and ' (every place a value
// lands here is element content or a single-quoted attribute).
std::string esc(const std::string& s) {
  g_autofree gchar* escaped = g_markup_escape_text(s.data(), static_cast<gssize>(s.size()));
  return escaped;
}

std::string fmt(double v, const char* spec = "%.4g") {
  char buf[40];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

// Sort key: problems first, then BLURRY, then CLEAR.
int status_rank(const Result& r) {
  if (r.status != Status::Ok) return 0;
  if (!r.verdict) return 2;
  return *r.verdict == Verdict::Blurry ? 1 : 3;
}

std::string thumbnail_html(const Result& r) {
  if (r.thumbnail_jpeg.empty()) return "<span class=none>no frame</span>";
  g_autofree gchar* b64 = g_base64_encode(r.thumbnail_jpeg.data(), r.thumbnail_jpeg.size());
  return std::string("<img alt='analysed frame' src='data:image/jpeg;base64,") + b64 + "'>";
}

std::string features_html(const Result& r) {
  if (r.status != Status::Ok) return "";
  std::string o = "<dl>";
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    if (r.features.has(f)) o += "<dt>" + std::string(feature_name(f)) + "</dt><dd>" + fmt(r.features[f]) + "</dd>";
  }
  return o + "</dl>";
}

// Score (0..1, up) against time: one horizontal step per segment, red when
// BLURRY, green when CLEAR, with the threshold dashed.
std::string timeline_svg(const std::vector<Segment>& timeline, std::optional<double> threshold) {
  if (timeline.empty()) return "";
  const double w = 480, h = 120, pad = 24;
  const double t0 = timeline.front().start;
  const double t1 = std::max(timeline.back().end, t0 + 1e-6);
  auto x = [&](double t) { return pad + (t - t0) / (t1 - t0) * (w - 2 * pad); };
  auto y = [&](double s) { return pad / 2 + (1 - std::clamp(s, 0.0, 1.0)) * (h - 1.5 * pad); };
  std::ostringstream o;
  o << "<svg class=chart width=" << w << " height=" << h << " viewBox='0 0 " << w << ' ' << h
    << "' role=img aria-label='score over time'>";
  o << "<line x1=" << pad << " y1=" << y(0) << " x2=" << w - pad << " y2=" << y(0) << " stroke='#999'/>";
  o << "<line x1=" << pad << " y1=" << y(0) << " x2=" << pad << " y2=" << y(1) << " stroke='#999'/>";
  o << "<text x=2 y=" << y(1) + 4 << ">1</text><text x=2 y=" << y(0) + 4 << ">0</text>";
  if (threshold)
    o << "<line x1=" << pad << " y1=" << y(*threshold) << " x2=" << w - pad << " y2=" << y(*threshold)
      << " stroke='#888' stroke-dasharray='4 3'><title>threshold " << fmt(*threshold, "%.2f") << "</title></line>";
  for (const Segment& s : timeline) {
    const bool blurry = s.verdict == Verdict::Blurry;
    o << "<line x1=" << fmt(x(s.start), "%.1f") << " y1=" << fmt(y(s.score), "%.1f")
      << " x2=" << fmt(x(std::max(s.end, s.start)), "%.1f") << " y2=" << fmt(y(s.score), "%.1f") << " stroke='"
      << (blurry ? "#c62828" : "#2e7d32") << "' stroke-width=3><title>" << fmt(s.start, "%.1f") << "–"
      << fmt(s.end, "%.1f") << " s: " << verdict_name(s.verdict) << " " << fmt(s.score, "%.3f") << "</title></line>";
  }
  o << "<text x=" << pad << " y=" << h - 2 << ">" << fmt(t0, "%.1f") << " s</text>";
  o << "<text x=" << w - pad << " y=" << h - 2 << " text-anchor=end>" << fmt(t1, "%.1f") << " s</text>";
  o << "</svg>";
  return o.str();
}

const char* kStyle = R"(body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}
td{overflow-wrap:anywhere}td.reason{min-width:16em;max-width:40em;white-space:normal}
th{cursor:pointer;background:#f4f4f4;user-select:none}.partial{background:#fff3e0;border:1px solid #b26a00;padding:.5em}th:after{content:' \2195';color:#aaa}
img{max-width:240px;max-height:180px;display:block}.none{color:#999}
.CLEAR{color:#2e7d32;font-weight:bold}.BLURRY{color:#c62828;font-weight:bold}.bad{color:#b26a00;font-weight:bold}
dl{display:grid;grid-template-columns:auto auto;gap:0 .8em;margin:0;font-size:12px}dd{margin:0;font-family:monospace}
.chart text{font-size:10px;fill:#555}.summary{margin:.5em 0 1em}
)";

// Sorts the table body by the clicked column; a cell's data-k (when present)
// is its sort key, numbers compare numerically, and an empty key (no score,
// no resolution) sorts last whichever the direction.
const char* kScript = R"(document.querySelectorAll('th').forEach(function(th,i){th.onclick=function(){
var tb=th.closest('table').tBodies[0],rows=[].slice.call(tb.rows),asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
function key(r){var c=r.cells[i],k=c.dataset.k!==undefined?c.dataset.k:c.textContent,n=parseFloat(k);return isNaN(n)?k:n;}
rows.sort(function(a,b){var x=key(a),y=key(b);if(x===''||y==='')return (x==='')-(y==='');return (x<y?-1:x>y?1:0)*(asc?1:-1);});rows.forEach(function(r){tb.appendChild(r);});};});
)";

}  // namespace

void write_html(std::ostream& out, const Report& report) {
  const bool scan = report.kind == ReportKind::Scan;
  const Summary s = summarize(report.results);
  std::vector<const Result*> rows;
  for (const Result& r : report.results) rows.push_back(&r);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Result* a, const Result* b) { return status_rank(*a) < status_rank(*b); });

  out << "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>focusmeter " << (scan ? "scan" : "check")
      << " report</title><style>" << kStyle << "</style></head><body>\n";
  out << "<h1>focusmeter " << (scan ? "scan" : "check") << " report</h1>\n<p class=summary>Started "
      << esc(report.started) << " · model " << esc(report.model ? *report.model : std::string("none (features only)"))
      << " · " << s.total << (scan ? " targets" : " inputs") << ": " << s.count(Status::Ok) << " ok, <span class=CLEAR>"
      << s.clear << " CLEAR</span>, <span class=BLURRY>" << s.blurry << " BLURRY</span>, <span class=bad>"
      << s.not_checked() << " not checked</span></p>\n";
  if (report.partial) out << "<p class=partial><b>Partial report:</b> " << esc(report.interrupted) << "</p>\n";
  out << "<table><thead><tr><th>Frame</th><th>" << (scan ? "Host" : "Source") << "</th><th>Status</th><th>Verdict</th>"
      << "<th>Score</th><th>Resolution</th><th>" << (scan ? "Brand/route" : "Kind")
      << "</th><th>Features</th><th>Reason</th></tr></thead>\n<tbody>\n";
  for (const Result* rp : rows) {
    const Result& r = *rp;
    const std::string verdict = verdict_text(r);
    out << "<tr><td data-k=''>" << thumbnail_html(r);
    if (!r.timeline.empty()) out << timeline_svg(r.timeline, report.threshold);
    out << "</td>";
    // A camera's name from --cameras (the target as given) above its address.
    const bool named = scan && !r.target.empty() && r.target != r.host && r.target != r.url;
    if (scan)
      out << "<td>" << (named ? "<b>" + esc(r.target) + "</b><br>" : std::string())
          << esc(r.host.empty() ? r.target : r.host)
          << (r.channel > 0 ? " ch" + std::to_string(r.channel) : std::string()) << "<br><small>" << esc(r.url)
          << "</small></td>";
    else
      out << "<td>" << esc(r.source) << "</td>";
    out << "<td data-k='" << status_rank(r) << "' class='" << (r.status == Status::Ok ? "" : "bad") << "'>"
        << status_name(r.status) << "</td>";
    out << "<td class='" << verdict << "'>" << verdict;
    if (r.blurry_share) out << "<br><small>" << fmt(*r.blurry_share * 100, "%.0f") << "% of time BLURRY</small>";
    out << "</td><td data-k='" << (r.score ? fmt(*r.score, "%.6f") : "") << "'>" << format_score(r.score)
        << "</td><td data-k='" << (r.width > 0 ? std::to_string(r.width * r.height) : "") << "'>"
        << format_resolution(r) << "</td>";
    out << "<td>" << esc(scan ? r.brand : r.kind) << "</td><td>" << features_html(r) << "</td><td class=reason>"
        << esc(r.reason) << "</td></tr>\n";
  }
  out << "</tbody></table>\n<script>" << kScript << "</script>\n</body></html>\n";
}

}  // namespace focusmeter::report
