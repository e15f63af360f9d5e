// The focusmeter element's bus messages: the one contract between the
// element, which posts them, and every program that reads them (the CLI's
// scan and check, applications). Element messages named "focusmeter"; the
// boolean field `final` tells the two kinds apart:
//
//  - FrameResult (final = FALSE), one per analysed picture:
//      timestamp, stream-time, running-time, duration   guint64 (GstClockTime; NONE when unknown)
//      frames                                           guint64, pictures analysed so far, this one included
//      width, height                                    gint, the picture
//      roi-left, roi-top, roi-width, roi-height         gint, the region analysed (clipped to the picture)
//      <feature fields>                                 gdouble, named by feature_field_name() (features.h)
//      low-texture                                      gboolean, too little structure to judge focus
//      verdict                                          gchararray, only with a model: "CLEAR", "BLURRY",
//                                                       or "UNKNOWN" (no verdict: nothing to judge, or
//                                                       a score that is not finite; never a default)
//      score                                            gdouble, probability of BLURRY: with CLEAR/BLURRY only
//      no-verdict, no-verdict-kind                      gchararray, with UNKNOWN: the reason (one line,
//                                                       e.g. "covered or too dark (mean luma 3/255)") and
//                                                       its kind ("too_dark", "no_detail", "no_score";
//                                                       focusmeter/judgement.h)
//      map-cols, map-rows                               gint, the focus map's grid over the ROI (only with
//                                                       a model; focusmeter/focus_map.h)
//      map-scores                                       GstValueArray of gdouble, cols x rows tile scores,
//                                                       row-major (probability of BLURRY)
//      map-textured, map-overlay                        GstValueArray of gboolean, per tile: had detail to
//                                                       judge / left out as burnt-in text (OSD), or as
//                                                       static in a stream (focusmeter/static_tiles.h)
//      map-soft-share                                   gdouble, share of the voting tiles at or above the
//                                                       threshold
//      map-partial                                      gboolean, a sizeable part soft and a sizeable part
//                                                       sharp (the verdict follows the median tile)
//      skipped-corrupted, skipped-gap,
//      skipped-decode-only                              guint64, buffers not judged so far (see below)
//  - StreamSummary (final = TRUE), once at EOS:
//      frames                                           guint64, pictures analysed
//      verdict                                          only with a model: the Aggregate rule
//                                                       (focusmeter/aggregate.h) over the analysed
//                                                       pictures: "CLEAR", "BLURRY" or "UNKNOWN"
//      judged-frames, blurry-frames, unknown-frames     guint64, with a model
//      blurry-share                                     gdouble, BLURRY share of the judged time (absent
//                                                       when nothing was judged)
//      unknown-share                                    gdouble, UNKNOWN share of the analysed time
//      mean-score                                       gdouble, time-weighted mean score of the judged
//                                                       pictures (information; the verdict is the share)
//      no-verdict, no-verdict-kind                      with UNKNOWN: the dominant reason
//      skipped-corrupted, skipped-gap, skipped-decode-only
//
// Skipped buffers: the element judges real pictures only. A buffer flagged
// GST_BUFFER_FLAG_CORRUPTED (a decoder concealing missing data, e.g. the
// grey P-frames after joining a stream mid-GOP), GAP (no picture: a filler)
// or DECODE_ONLY (decoded to rebuild references, not to be shown) passes
// through untouched and is counted, never analysed.
//
// to_structure() returns a new structure (the caller owns it, e.g. hands it
// to gst_message_new_element); from_structure() reads one back and returns
// nullopt when the structure is not that kind of focusmeter message. Fields
// a reader does not know are ignored, so fields may be added later.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <optional>
#include <string>

#include "focusmeter/aggregate.h"
#include "focusmeter/features.h"
#include "focusmeter/judgement.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/luma_view.h"
#include "focusmeter/model.h"

namespace focusmeter {

inline constexpr const char* kMessageName = "focusmeter";

// Buffers the element passed through without judging them, by flag.
struct SkippedBuffers {
  guint64 corrupted = 0;
  guint64 gap = 0;
  guint64 decode_only = 0;
  guint64 total() const { return corrupted + gap + decode_only; }
  bool operator==(const SkippedBuffers& o) const {
    return corrupted == o.corrupted && gap == o.gap && decode_only == o.decode_only;
  }
};

struct FrameResult {
  GstClockTime timestamp = GST_CLOCK_TIME_NONE;
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
  guint64 frames = 0;
  int width = 0;
  int height = 0;
  Rect roi;
  FeatureVector features;
  bool low_texture = false;
  std::optional<double> score;          // with a verdict
  std::optional<Verdict> verdict;       // with a model and a verdict
  std::optional<NoVerdict> no_verdict;  // with a model and no verdict (UNKNOWN): why
  std::optional<MapSummary> map;        // with a model and a verdict; read back only when valid()
  SkippedBuffers skipped;

  // The frame's judgement as the element made it (no model: NoModel).
  Judgement judgement() const;
  // The running time in seconds, for Aggregate::add; none when unknown.
  std::optional<double> running_seconds() const;

  GstStructure* to_structure() const;
  static std::optional<FrameResult> from_structure(const GstStructure* s);
};

struct StreamSummary {
  guint64 frames = 0;
  std::optional<AggregateResult> aggregate;  // with a model
  SkippedBuffers skipped;

  GstStructure* to_structure() const;
  static std::optional<StreamSummary> from_structure(const GstStructure* s);
};

// The message's structure when `msg` is an element message named
// "focusmeter" (from `source`, when not null); nullptr otherwise.
const GstStructure* focusmeter_structure(GstMessage* msg, GstElement* source = nullptr);

}  // namespace focusmeter
