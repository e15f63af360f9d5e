#include "serve/api.h"

#include <cmath>

#include "media/image_luma.h"
#include "focusmeter/judgement.h"

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
  json doc;
  try {
    doc = json::parse(body.begin(), body.end());
  } catch (const json::parse_error& e) {
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
    (p.verdict == Verdict::Blurry ? tally.blurry : tally.clear)++;
    results.push_back({{"verdict", verdict_name(p.verdict)}, {"score", p.score}, {"model", model.name()}});
  }
  ApiResponse r = json_response(200, batch ? results : results[0]);
  r.tally = tally;
  return r;
}

ApiResponse analyze(const Model* model, const void* data, std::size_t size) {
  cli::LumaImage image;
  std::string error;
  if (!cli::decode_image_bytes(data, size, image, error)) {
    ApiResponse r = error_response(422, "image does not decode: " + error);
    r.tally.undecodable = 1;
    return r;
  }
  // The same features and the same judgement as the element: a frame with
  // too little structure scores 0.5 and is flagged (focusmeter/judgement.h).
  const FeatureVector fv = compute_features(image.view(), judgement_features(model));

  json features = json::object();
  for (std::size_t i = 0; i < kFeatureCount; ++i) {
    const auto f = static_cast<Feature>(i);
    if (fv.has(f)) features[std::string(feature_name(f))] = fv[f];
  }
  json doc = {{"width", image.gray.cols},
              {"height", image.gray.rows},
              {"features", features},
              {"low_texture", low_texture(fv)}};
  Tally tally;
  tally.analysed = 1;
  if (model) {
    const Prediction p = judge(*model, fv).prediction;
    doc["verdict"] = verdict_name(p.verdict);
    doc["score"] = p.score;
    doc["model"] = model->name();
    (p.verdict == Verdict::Blurry ? tally.blurry : tally.clear)++;
  } else {
    // No model: the features are still worth having; there is no verdict.
    doc["verdict"] = nullptr;
    doc["score"] = nullptr;
    doc["model"] = nullptr;
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
