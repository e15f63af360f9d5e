#include "serve/api.h"

#include <cmath>
#include <optional>

#include "focusmeter/focus_map.h"
#include "focusmeter/judgement.h"
#include "media/image_luma.h"
#include "report/report.h"

namespace focusmeter::serve {

using nlohmann::json;

namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; the
// client needs only what follows.
std::string without_exception_tag(const std::string& what) {
  if (!what.empty() && what[0] == '[') {
    const auto end = what.find("] ");
    if (end != std::string::npos) return what.substr(end + 2);
  }
  return what;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// Reads the features `model` needs from one request item. Returns false
// with `problem` set (the item is `where`, e.g. "item 3").
bool read_item(const Model& model, const json& item, const std::string& where, FeatureVector& fv,
               std::string& problem) {
  if (!item.is_object()) {
    problem = where + "expected an object with a \"features\" object, got " + item.type_name();
    return false;
  }
  const auto it = item.find("features");
  if (it == item.end() || !it->is_object()) {
    problem = where + (it == item.end() ? std::string("missing the \"features\" object")
                                        : "\"features\" must be an object, got " + std::string(it->type_name()));
    return false;
  }
  std::vector<std::string> missing, not_numbers;
  for (Feature f : model.features()) {
    const std::string name(feature_name(f));
    const auto v = it->find(name);
    if (v == it->end() || v->is_null()) {
      missing.push_back(name);
    } else if (!v->is_number() || !std::isfinite(v->get<double>())) {
      not_numbers.push_back(name);
    } else {
      fv.set(f, v->get<double>());
    }
  }
  if (!missing.empty()) {
    problem = where + "missing feature" + (missing.size() > 1 ? "s" : "") + " the model needs: " + joined(missing);
    return false;
  }
  if (!not_numbers.empty()) {
    problem =
        where + "feature" + (not_numbers.size() > 1 ? "s" : "") + " must be finite numbers: " + joined(not_numbers);
    return false;
  }
  return true;
}

// A first pass over a /v1/predict body that builds nothing: it stops at the
// first item past the batch limit (20 MB of [{},...] is 7 million items: the
// DOM would take gigabytes) and at nesting no request needs (deep nesting
// costs memory per level), and catches what nlohmann reports (1e400 is a
// "number overflow"). Only a body that passes is parsed into a DOM.
class PredictBodyCheck : public nlohmann::json_sax<json> {
 public:
  static constexpr std::size_t kMaxDepth = 32;

  unsigned status = 0;  // 0: fine; else 400 or 422
  std::string problem;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    status = 0;  // a syntax error outranks depth
    return fail(400, "malformed JSON: " + without_exception_tag(e.what()));
  }

 private:
  // A value directly inside the top-level array is one item.
  bool value() {
    if (status != 0) return true;  // too deep already: just read on
    if (depth_ == 1 && top_is_array_ && ++items_ > kMaxPredictBatch)
      return fail(422, "too many items: more than " + std::to_string(kMaxPredictBatch) + " per request");
    return true;
  }
  bool open(bool array) {
    if (depth_ == 0) top_is_array_ = array;
    if (!value()) return false;
    // Too deep is noted, not fatal yet: the rest is still read (the SAX
    // pass keeps one bit per level), so a body that is not even well-formed
    // gets its 400.
    if (++depth_ > kMaxDepth && status == 0) {
      status = 422;
      problem = "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels";
    }
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  bool fail(unsigned code, std::string why) {
    status = code;
    problem = std::move(why);
    return false;
  }

  std::size_t depth_ = 0;
  std::size_t items_ = 0;
  bool top_is_array_ = false;
};

}  // namespace

ApiResponse json_response(unsigned status, const json& doc) {
  ApiResponse r;
  r.status = status;
  // Replace invalid UTF-8 (e.g. echoed from a file name) instead of throwing.
  r.body = doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return r;
}

ApiResponse error_response(unsigned status, const std::string& message) {
  return json_response(status, json{{"error", message}, {"status", status}});
}

ApiResponse predict(const Model& model, std::string_view body) {
  PredictBodyCheck check;
  if (!json::sax_parse(body.begin(), body.end(), &check) || check.status != 0)
    return error_response(check.status ? check.status : 400, check.problem.empty() ? "malformed JSON" : check.problem);
  json doc;
  try {
    doc = json::parse(body.begin(), body.end());
  } catch (const json::exception& e) {  // the check above should leave nothing; still, nothing escapes
    return error_response(400, "malformed JSON: " + without_exception_tag(e.what()));
  }
  const bool batch = doc.is_array();
  if (!batch && !doc.is_object())
    return error_response(
        422, std::string("expected an object {\"features\": {...}} or a list of them, got ") + doc.type_name());
  if (batch && doc.size() > kMaxPredictBatch)
    return error_response(422, "too many items: " + std::to_string(doc.size()) + " (at most " +
                                   std::to_string(kMaxPredictBatch) + " per request)");

  json results = json::array();
  Tally tally;
  const std::size_t n = batch ? doc.size() : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const json& item = batch ? doc[i] : doc;
    FeatureVector fv;
    std::string problem;
    if (!read_item(model, item, batch ? "item " + std::to_string(i) + ": " : "", fv, problem))
      return error_response(422, problem);
    const Prediction p = model.predict(fv);
    // A score that is not finite is no verdict: refused, never a CLEAR.
    if (!p.verdict) {
      ApiResponse refused = error_response(
          422, (batch ? "item " + std::to_string(i) + ": " : std::string()) + "no verdict: " + p.no_verdict);
      refused.tally.no_score = 1;
      return refused;
    }
    (*p.verdict == Verdict::Blurry ? tally.blurry : tally.clear)++;
    results.push_back({{"verdict", verdict_name(*p.verdict)}, {"score", p.score}, {"model", model.name()}});
  }
  ApiResponse r = json_response(200, batch ? results : results[0]);
  r.tally = tally;
  return r;
}

ApiResponse analyze(const Model* model, const void* data, std::size_t size) {
  media::LumaImage image;
  std::string error;
  if (!media::decode_image_bytes(data, size, image, error)) {
    ApiResponse r = error_response(422, "image does not decode: " + error);
    r.tally.undecodable = 1;
    return r;
  }
  // The same features and the same judgement as the element: a frame with
  // nothing to judge is UNKNOWN with a reason (focusmeter/judgement.h); with
  // a model the verdict comes from the focus map (focusmeter/focus_map.h).
  std::optional<FrameJudgement> judged;
  if (model) judged = judge_frame(*model, image.view());
  const FeatureVector fv = judged ? judged->features : compute_features(image.view(), judgement_features(model));

  json features = json::object();
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    if (fv.has(f)) features[std::string(feature_name(f))] = fv[f];
  }
  json doc = {{"width", image.gray.cols},
              {"height", image.gray.rows},
              {"features", features},
              {"low_texture", judged ? judged->judgement.low_texture : is_low_texture(fv, model)},
              {"map", judged ? report::map_to_json(summarise(judged->map, judged->aggregate)) : json(nullptr)}};
  Tally tally;
  tally.analysed = 1;
  if (model) {
    const Judgement& j = judged->judgement;
    if (j.no_verdict && j.no_verdict->kind == NoVerdictKind::NoScore) {
      ApiResponse refused = error_response(422, "no verdict: " + j.no_verdict->detail);
      refused.tally.analysed = 1;
      refused.tally.no_score = 1;
      return refused;
    }
    doc["model"] = model->name();
    if (j.verdict) {
      doc["verdict"] = verdict_name(*j.verdict);
      doc["score"] = *j.score;
      (*j.verdict == Verdict::Blurry ? tally.blurry : tally.clear)++;
    } else {
      // Nothing to judge (lens cap, black, flat wall): UNKNOWN, never CLEAR.
      doc["verdict"] = "UNKNOWN";
      doc["score"] = nullptr;
      doc["reason"] = j.no_verdict->detail;
      doc["reason_kind"] = no_verdict_kind_name(j.no_verdict->kind);
      (j.no_verdict->kind == NoVerdictKind::TooDark ? tally.too_dark : tally.no_detail)++;
    }
  } else {
    // No model: the features are still worth having; there is no verdict.
    doc["verdict"] = nullptr;
    doc["score"] = nullptr;
    doc["model"] = nullptr;
    tally.no_model = 1;
  }
  ApiResponse r = json_response(200, doc);
  r.tally = tally;
  return r;
}

json model_info(const Model& model) {
  json features = json::array();
  for (Feature f : model.features()) features.push_back(std::string(feature_name(f)));
  json training = json::parse(model.training_json(), nullptr, false);
  if (training.is_discarded()) training = json::object();
  return {{"name", model.name()},
          {"file", model.origin()},
          {"threshold", model.threshold()},
          {"features", features},
          {"score", "probability of BLURRY; verdict is BLURRY when score >= threshold"},
          {"training", training}};
}

}  // namespace focusmeter::serve
