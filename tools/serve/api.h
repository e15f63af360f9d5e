// The service's endpoints as pure functions: request body in, status and
// JSON body out. No HTTP here (http_service.cpp is the libsoup glue), so the
// rules below are unit-tested without a socket:
//   predict   malformed JSON -> 400; wrong shape, a missing or non-numeric
//             feature the model needs -> 422 naming it; unknown keys ignored
//   analyze   an image that does not decode -> 422
// Every error body is {"error": "<one line>", "status": <code>}.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "focusmeter/model.h"

namespace focusmeter::serve {

// What one request did, for the metrics (the glue adds them up on the main
// loop; these functions run on worker threads too).
// Every answer without CLEAR or BLURRY is counted by its reason, so a
// dashboard sees covered cameras and a missing model, not just fewer
// verdicts.
struct Tally {
  unsigned clear = 0;        // CLEAR predictions
  unsigned blurry = 0;       // BLURRY predictions
  unsigned too_dark = 0;     // UNKNOWN: covered or too dark to judge
  unsigned no_detail = 0;    // UNKNOWN: lit, but nothing to judge focus by
  unsigned no_score = 0;     // refused (422): the model's score was not finite
  unsigned no_model = 0;     // analysed without a model: features only
  unsigned analysed = 0;     // images analysed
  unsigned undecodable = 0;  // images refused as undecodable
};

struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;  // extra response headers
  Tally tally;
};

ApiResponse json_response(unsigned status, const nlohmann::json& doc);
ApiResponse error_response(unsigned status, const std::string& message);

// Largest list /v1/predict takes in one request.
constexpr std::size_t kMaxPredictBatch = 10000;

// POST /v1/predict. `model` must not be null.
ApiResponse predict(const Model& model, std::string_view body);

// POST /v1/analyze: decodes `data` (JPEG, PNG, ...) and computes the
// features; score and verdict only when `model` is not null.
ApiResponse analyze(const Model* model, const void* data, std::size_t size);

// GET /v1/model: name, file, threshold, features, training metadata.
nlohmann::json model_info(const Model& model);

}  // namespace focusmeter::serve
