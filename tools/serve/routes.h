// serve's HTTP routes, declared once. The service dispatches on this table
// and answers 404 (unknown path) and 405 + Allow (wrong method) from it, the
// metrics label requests by its paths, `focusmeter serve --help` lists it,
// and a test checks that docs/serve.md documents every route.
#pragma once

#include <string>
#include <string_view>

namespace focusmeter::serve {

enum class Endpoint { Predict, Analyze, Model, Health, Metrics };

struct Route {
  Endpoint endpoint;
  const char* method;
  const char* path;
  bool open;  // answered without the bearer token (liveness probes)
};

inline constexpr Route kRoutes[] = {
    {Endpoint::Predict, "POST", "/v1/predict", false}, {Endpoint::Analyze, "POST", "/v1/analyze", false},
    {Endpoint::Model, "GET", "/v1/model", false},      {Endpoint::Health, "GET", "/healthz", true},
    {Endpoint::Metrics, "GET", "/metrics", false},
};

// The route at exactly `path`, or null.
const Route* find_route(std::string_view path);

// "/v1/predict, /v1/analyze, ..." (for the 404 answer).
std::string route_paths();

// "POST /v1/predict, POST /v1/analyze, ..." (for --help).
std::string route_list();

}  // namespace focusmeter::serve
