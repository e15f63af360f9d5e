// The real `focusmeter serve` process, on 127.0.0.1 with a kernel-chosen
// port, driven by a real HTTP client (libsoup's SoupSession).
#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "focusmeter/features.h"
#include "focusmeter/focus_map.h"
#include "focusmeter/model.h"
#include "media/image_luma.h"
#include "serve_process.h"

namespace fm = focusmeter;
using nlohmann::json;
using serve_test::Client;
using serve_test::Reply;
using serve_test::Request;
using serve_test::ServeProcess;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> with_model(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--model", serve_test::test_model_path()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string fixture(const char* name) { return std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name; }

json features_json(double lapvar, double lapmax, double sigma, double scharr) {
  return {
      {"laplacian_variance", lapvar}, {"laplacian_max", lapmax}, {"noise_sigma", sigma}, {"scharr_variance", scharr}};
}

fm::FeatureVector to_vector(const json& f) {
  fm::FeatureVector fv;
  for (const auto& [k, v] : f.items())
    if (auto feat = fm::feature_from_name(k)) fv.set(*feat, v.get<double>());
  return fv;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// A metric sample's value from Prometheus text, or -1 when absent.
double metric(const std::string& text, const std::string& sample) {
  const auto at = text.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + sample.size() + 2));
}

class Serve : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ServeProcess>(with_model());
    ASSERT_TRUE(server->started());
    model = std::make_unique<fm::Model>(fm::Model::load(serve_test::test_model_path()));
  }
  std::string url(const char* path) const { return server->url() + path; }

  std::unique_ptr<ServeProcess> server;
  std::unique_ptr<fm::Model> model;
  Client client;
};

}  // namespace

TEST_F(Serve, ListensOnLoopbackWithAKernelChosenPort) {
  EXPECT_EQ(server->url().rfind("http://127.0.0.1:", 0), 0u) << server->url();
  EXPECT_NE(server->url(), "http://127.0.0.1:0");
}

TEST_F(Serve, HealthzAndModelDescribeTheService) {
  const Reply h = client.get(url("/healthz"));
  ASSERT_EQ(h.status, 200u) << h.transport_error << h.body;
  EXPECT_EQ(h.headers.at("content-type"), "application/json");
  const json hj = json::parse(h.body);
  EXPECT_EQ(hj["status"], "ok");
  EXPECT_EQ(hj["model"], "serve-test");

  const Reply m = client.get(url("/v1/model"));
  ASSERT_EQ(m.status, 200u) << m.body;
  const json mj = json::parse(m.body);
  EXPECT_EQ(mj["name"], "serve-test");
  EXPECT_EQ(mj["threshold"], 0.5);
  EXPECT_EQ(mj["features"], json::array({"laplacian_variance", "laplacian_max", "noise_sigma", "scharr_variance"}));
  EXPECT_EQ(mj["training"]["samples"], 0);
}

TEST_F(Serve, PredictsOneItemAsTheModelDoes) {
  const json f = features_json(0.01, 1.2, 0.004, 0.003);
  const Reply r = client.post(url("/v1/predict"), json{{"features", f}}.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  const fm::Prediction want = model->predict(to_vector(f));
  EXPECT_NEAR(j["score"].get<double>(), want.score, 1e-12);
  ASSERT_TRUE(want.verdict);
  EXPECT_EQ(j["verdict"], fm::verdict_name(*want.verdict));
  EXPECT_EQ(j["model"], "serve-test");
}

TEST_F(Serve, PredictsAListInOrderIgnoringUnknownKeys) {
  json items = json::array();
  items.push_back({{"features", features_json(0.01, 1.2, 0.004, 0.003)}, {"camera", "door"}});
  json blurry = features_json(1e-5, 0.1, 0.004, 3e-5);
  blurry["brightness"] = 0.4;
  blurry["something_new"] = "ignored";
  items.push_back({{"features", blurry}});
  const Reply r = client.post(url("/v1/predict"), items.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["verdict"], "CLEAR");
  EXPECT_EQ(j[1]["verdict"], "BLURRY");
  EXPECT_NEAR(j[1]["score"].get<double>(), model->score(to_vector(features_json(1e-5, 0.1, 0.004, 3e-5))), 1e-12);
}

TEST_F(Serve, PredictsABatchLargerThan64KiBInTheWorkerPool) {
  json items = json::array();
  for (int i = 0; i < 2000; ++i) items.push_back({{"features", features_json(1e-5 * (i + 1), 0.5, 0.004, 0.003)}});
  const std::string body = items.dump();
  ASSERT_GT(body.size(), 64u * 1024u);
  const Reply r = client.post(url("/v1/predict"), body);
  ASSERT_EQ(r.status, 200u) << r.body.substr(0, 200);
  const json j = json::parse(r.body);
  ASSERT_EQ(j.size(), 2000u);
  for (int i : {0, 999, 1999})
    EXPECT_NEAR(j[i]["score"].get<double>(), model->score(to_vector(items[i]["features"])), 1e-12) << i;
}

TEST_F(Serve, PredictRefusesBadRequestsWithAReason) {
  Reply r = client.post(url("/v1/predict"), "{\"features\": {");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("malformed JSON"), std::string::npos) << r.body;

  r = client.post(url("/v1/predict"), R"({"features": {"laplacian_variance": 0.01, "laplacian_max": 1}})");
  EXPECT_EQ(r.status, 422u);
  const std::string missing = json::parse(r.body)["error"];
  EXPECT_NE(missing.find("noise_sigma, scharr_variance"), std::string::npos) << missing;
  EXPECT_EQ(missing.find("laplacian_max"), std::string::npos) << missing;

  json bad = {{"features", features_json(0.01, 1.2, 0.004, 0.003)}};
  bad["features"]["noise_sigma"] = "high";
  r = client.post(url("/v1/predict"), bad.dump());
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(r.body.find("noise_sigma"), std::string::npos) << r.body;

  r = client.post(url("/v1/predict"), "[{\"features\": {}}, 3]");
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(r.body.find("item 0"), std::string::npos) << r.body;

  r = client.post(url("/v1/predict"), "42");
  EXPECT_EQ(r.status, 422u) << r.body;
}

TEST_F(Serve, WrongMethodIs405WithAllowAndUnknownPathIs404) {
  Reply r = client.get(url("/v1/predict"));
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.headers["allow"], "POST");
  r = client.post(url("/healthz"), "{}");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.headers["allow"], "GET");
  r = client.get(url("/v2/nothing"));
  EXPECT_EQ(r.status, 404u);
  EXPECT_TRUE(json::parse(r.body).contains("error"));
}

TEST_F(Serve, AnalyzesAnImageLikeTheCore) {
  const std::string png = read_file(fixture("camera_512x512.png"));
  ASSERT_FALSE(png.empty());
  const Reply r = client.post(url("/v1/analyze"), png, "image/png");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["width"], 512);
  EXPECT_EQ(j["height"], 512);

  fm::media::LumaImage img;
  std::string err;
  ASSERT_TRUE(fm::media::decode_image_file(fixture("camera_512x512.png"), img, err)) << err;
  const fm::FeatureVector fv = fm::compute_features(img.view());
  for (std::size_t i = 0; i < fm::kBaseFeatureCount; ++i) {
    const auto f = static_cast<fm::Feature>(i);
    const std::string name(fm::feature_name(f));
    ASSERT_TRUE(j["features"].contains(name)) << name;
    EXPECT_DOUBLE_EQ(j["features"][name].get<double>(), fv[f]) << name;
  }
  // The verdict is the focus map's (focusmeter/focus_map.h), and the map is in the answer.
  const fm::FrameJudgement judged = fm::judge_frame(*model, img.view());
  const fm::Judgement& want = judged.judgement;
  ASSERT_TRUE(want.score);
  EXPECT_NEAR(j["score"].get<double>(), *want.score, 1e-12);
  ASSERT_TRUE(j["map"].is_object()) << r.body;
  EXPECT_EQ(j["map"]["cols"], judged.map.grid.cols);
  EXPECT_EQ(j["map"]["scores"].size(), judged.map.scores.size());
  ASSERT_TRUE(want.verdict);
  EXPECT_EQ(j["verdict"], fm::verdict_name(*want.verdict));
}

TEST_F(Serve, AnalyzeTellsSharpFromBlurredJpeg) {
  cv::Mat sharp = cv::imread(fixture("camera_512x512.png"), cv::IMREAD_GRAYSCALE), blurred;
  ASSERT_FALSE(sharp.empty());
  cv::GaussianBlur(sharp, blurred, cv::Size(0, 0), 4.0);
  std::vector<uchar> a, b;
  ASSERT_TRUE(cv::imencode(".jpg", sharp, a, {cv::IMWRITE_JPEG_QUALITY, 95}));
  ASSERT_TRUE(cv::imencode(".jpg", blurred, b, {cv::IMWRITE_JPEG_QUALITY, 95}));
  const Reply ra = client.post(url("/v1/analyze"), std::string(a.begin(), a.end()), "image/jpeg");
  const Reply rb = client.post(url("/v1/analyze"), std::string(b.begin(), b.end()), "image/jpeg");
  ASSERT_EQ(ra.status, 200u) << ra.body;
  ASSERT_EQ(rb.status, 200u) << rb.body;
  EXPECT_EQ(json::parse(ra.body)["verdict"], "CLEAR");
  EXPECT_EQ(json::parse(rb.body)["verdict"], "BLURRY");
}

TEST_F(Serve, AnalyzeRefusesWhatIsNotAnImage) {
  Reply r = client.post(url("/v1/analyze"), "this is not a PNG", "image/png");
  EXPECT_EQ(r.status, 422u);
  EXPECT_NE(r.body.find("does not decode"), std::string::npos) << r.body;

  std::string truncated = read_file(fixture("camera_512x512.png"));
  truncated.resize(truncated.size() / 3);
  r = client.post(url("/v1/analyze"), truncated, "image/png");
  EXPECT_TRUE(r.status == 422u || r.status == 200u) << r.status;  // OpenCV may decode a partial PNG
  r = client.post(url("/v1/analyze"), "", "image/jpeg");
  EXPECT_EQ(r.status, 422u) << r.body;

  r = client.post(url("/v1/analyze"), read_file(fixture("camera_512x512.png")), "application/json");
  EXPECT_EQ(r.status, 415u) << r.body;
  // Still alive and answering.
  EXPECT_EQ(client.get(url("/healthz")).status, 200u);
}

TEST_F(Serve, DefaultBodyLimitIs20MB) {
  const std::string big(20u * 1024u * 1024u + 1u, 'x');
  const Reply r = client.post(url("/v1/analyze"), big, "image/png");
  EXPECT_EQ(r.status, 413u) << r.transport_error;
  Client other;
  const Reply p = other.post(url("/v1/predict"), big);
  EXPECT_EQ(p.status, 413u) << p.transport_error;
  EXPECT_EQ(Client().get(url("/healthz")).status, 200u);
}

TEST_F(Serve, MetricsCountRequestsErrorsAndAnalyses) {
  ASSERT_EQ(client.get(url("/healthz")).status, 200u);
  ASSERT_EQ(client.post(url("/v1/predict"), "nope").status, 400u);
  ASSERT_EQ(client.post(url("/v1/analyze"), read_file(fixture("camera_512x512.png")), "image/png").status, 200u);
  ASSERT_EQ(client.post(url("/v1/analyze"), "junk", "image/png").status, 422u);
  // A black picture (a covered lens): UNKNOWN, counted as such, not lost.
  ASSERT_EQ(client.post(url("/v1/analyze"), read_file(fixture("black_33x17.png")), "image/png").status, 200u);
  const Reply m = client.get(url("/metrics"));
  ASSERT_EQ(m.status, 200u);
  EXPECT_EQ(m.headers.at("content-type").rfind("text/plain", 0), 0u);
  const std::string& t = m.body;
  EXPECT_EQ(metric(t, "focusmeter_http_requests_total{path=\"/healthz\",code=\"200\"}"), 1);
  EXPECT_EQ(metric(t, "focusmeter_http_requests_total{path=\"/v1/predict\",code=\"400\"}"), 1);
  EXPECT_EQ(metric(t, "focusmeter_http_errors_total{code=\"422\"}"), 1);
  EXPECT_EQ(metric(t, "focusmeter_analyses_total{result=\"analysed\"}"), 2);
  EXPECT_EQ(metric(t, "focusmeter_analyses_total{result=\"undecodable\"}"), 1);
  EXPECT_EQ(metric(t, "focusmeter_predictions_total{verdict=\"CLEAR\"}") +
                metric(t, "focusmeter_predictions_total{verdict=\"BLURRY\"}"),
            1);
  EXPECT_EQ(metric(t, "focusmeter_predictions_total{verdict=\"UNKNOWN\"}"), 1);
  EXPECT_EQ(metric(t, "focusmeter_no_verdicts_total{reason=\"too_dark\"}"), 1);
  EXPECT_EQ(metric(t, "focusmeter_no_verdicts_total{reason=\"no_model\"}"), 0);
  EXPECT_EQ(metric(t, "focusmeter_http_request_duration_seconds_count"), 5);
  EXPECT_EQ(metric(t, "focusmeter_http_request_duration_seconds_bucket{le=\"+Inf\"}"), 5);
}

TEST(ServeLimits, ChunkedAndExpectContinueBodiesOverTheLimitAre413) {
  ServeProcess server(with_model({"--max-body-bytes", "1000"}));
  ASSERT_TRUE(server.started());
  Client client;
  Request chunked{"POST", server.url() + "/v1/analyze", std::string(5000, 'z'), "image/png", {}, true, false};
  Reply r = client.send(chunked);
  EXPECT_EQ(r.status, 413u) << r.transport_error;
  EXPECT_NE(r.body.find("1000 bytes"), std::string::npos) << r.body;

  // With "Expect: 100-continue" the Content-Length alone is refused: the
  // client never uploads the 25 MB.
  Request expect{"POST", server.url() + "/v1/analyze", std::string(25u << 20, 'z'), "image/png", {}, false, true};
  r = Client().send(expect);
  EXPECT_EQ(r.status, 413u) << r.transport_error;
  EXPECT_EQ(r.uploaded, 0u);

  // Under the limit, chunked is fine.
  Request small{"POST",
                server.url() + "/v1/predict",
                json{{"features", features_json(0.01, 1.2, 0.004, 0.003)}}.dump(),
                "application/json",
                {},
                true,
                false};
  r = Client().send(small);
  EXPECT_EQ(r.status, 200u) << r.body;
}

TEST(ServeAuth, BearerTokenGuardsAllButHealthz) {
  g_autofree char* dir = g_dir_make_tmp("serve-token-XXXXXX", nullptr);
  ASSERT_NE(dir, nullptr);
  const std::string token = "s3cret-token-0123456789";
  const std::string token_file = std::string(dir) + "/token";
  std::ofstream(token_file) << token << "\n";
  {
    ServeProcess server(with_model({"--token-file", token_file, "--verbose"}));
    ASSERT_TRUE(server.started());
    Client client;
    Reply r = client.get(server.url() + "/v1/model");
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.headers["www-authenticate"].rfind("Bearer", 0), 0u);
    r = client.send({"GET",
                     server.url() + "/v1/model",
                     "",
                     "",
                     {{"Authorization", "Bearer wrong-token-0123456789"}},
                     false,
                     false});
    EXPECT_EQ(r.status, 401u);
    r = client.send({"POST", server.url() + "/v1/predict", "{}", "application/json", {}, false, false});
    EXPECT_EQ(r.status, 401u);
    r = client.send({"GET", server.url() + "/v1/model", "", "", {{"Authorization", "Bearer " + token}}, false, false});
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(client.get(server.url() + "/healthz").status, 200u);
    EXPECT_EQ(server.terminate_and_wait(), 0);
    EXPECT_EQ(server.stderr_text().find(token), std::string::npos) << "the token leaked into the log";
  }
  g_unlink(token_file.c_str());
  g_rmdir(dir);
}

TEST(ServeConcurrency, ASlowAnalysisDoesNotBlockHealthz) {
  // One worker that sleeps 2.5 s per job: the analysis is slow for sure.
  ServeProcess server(with_model({"--workers", "1", "--debug-delay-ms", "2500"}));
  ASSERT_TRUE(server.started());
  const std::string png = read_file(fixture("camera_512x512.png"));
  std::atomic<bool> analysis_done{false};
  Reply analysis;
  const auto t0 = Clock::now();
  std::thread slow([&] {
    Client c;
    analysis = c.post(server.url() + "/v1/analyze", png, "image/png");
    analysis_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Client client;
  const auto t1 = Clock::now();
  const Reply h = client.get(server.url() + "/healthz");
  const double healthz_ms = ms_since(t1);
  const Reply p =
      client.post(server.url() + "/v1/predict", json{{"features", features_json(0.01, 1, 0.004, 0.003)}}.dump());
  const bool overlapped = !analysis_done;
  slow.join();
  EXPECT_EQ(h.status, 200u);
  EXPECT_EQ(p.status, 200u);
  EXPECT_TRUE(overlapped) << "healthz and predict should have been answered while the analysis ran";
  EXPECT_LT(healthz_ms, 1000.0);
  EXPECT_EQ(analysis.status, 200u) << analysis.body;
  EXPECT_GE(ms_since(t0), 2500.0);
}

TEST(ServeConcurrency, AFullQueueAnswers503WithRetryAfter) {
  ServeProcess server(with_model({"--workers", "1", "--max-queue", "0", "--debug-delay-ms", "2000"}));
  ASSERT_TRUE(server.started());
  const std::string png = read_file(fixture("camera_512x512.png"));
  Reply first;
  std::thread t([&] { first = Client().post(server.url() + "/v1/analyze", png, "image/png"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const Reply second = Client().post(server.url() + "/v1/analyze", png, "image/png");
  t.join();
  EXPECT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(second.status, 503u) << second.body;
  EXPECT_EQ(second.headers.count("retry-after"), 1u);
}

TEST(ServeLoad, TwoThousandPredictionsFromFourClientsWithoutError) {
  ServeProcess server(with_model());
  ASSERT_TRUE(server.started());
  const fm::Model model = fm::Model::load(serve_test::test_model_path());
  constexpr int kThreads = 4, kPerThread = 500;
  std::atomic<int> ok{0}, wrong{0};
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Client c;
      for (int i = 0; i < kPerThread; ++i) {
        // Vary the input so every answer is checked against the model.
        const json f = features_json(1e-5 * (1 + (i * 7 + t) % 2000), 0.1 + 0.001 * i, 0.004, 3e-5 * (1 + i % 100));
        const Reply r = c.post(server.url() + "/v1/predict", json{{"features", f}}.dump());
        if (r.status == 200 &&
            std::fabs(json::parse(r.body)["score"].get<double>() - model.score(to_vector(f))) < 1e-12)
          ++ok;
        else
          ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  const double seconds = ms_since(t0) / 1000;
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(wrong.load(), 0);
  const Reply m = Client().get(server.url() + "/metrics");
  EXPECT_EQ(metric(m.body, "focusmeter_http_requests_total{path=\"/v1/predict\",code=\"200\"}"), kThreads * kPerThread);
  std::printf("2000 predict requests over 4 keep-alive connections: %.2f s (%.0f requests/s)\n", seconds,
              kThreads * kPerThread / seconds);
}

TEST(ServeShutdown, SigtermFinishesTheRequestInFlightThenExits0) {
  ServeProcess server(with_model({"--debug-delay-ms", "1500"}));
  ASSERT_TRUE(server.started());
  const std::string png = read_file(fixture("camera_512x512.png"));
  Reply in_flight;
  std::thread t([&] { in_flight = Client().post(server.url() + "/v1/analyze", png, "image/png"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto t0 = Clock::now();
  server.send_sigterm();
  const int status = server.wait();
  t.join();
  EXPECT_EQ(status, 0);
  EXPECT_EQ(in_flight.status, 200u) << in_flight.transport_error << in_flight.body;
  EXPECT_LT(ms_since(t0), 5000.0);
  EXPECT_NE(server.stderr_text().find("shutting down"), std::string::npos);
  // Nobody listens any more.
  EXPECT_EQ(Client().get(server.url() + "/healthz").status, 0u);
}

// Only --no-model serves without a model; a named one that is missing stops
// the service at start (exit 64), never a silent features-only service.
TEST(ServeNoModel, StartsOnlyWhenAskedAndSaysWhyPredictionIsUnavailable) {
  std::string err;
  EXPECT_EQ(
      serve_test::run_command(
          {FOCUSMETER_BIN, "serve", "--listen", "127.0.0.1:0", "--model", "/nonexistent/focusmeter-model.json"}, err),
      64);
  EXPECT_NE(err.find("/nonexistent/focusmeter-model.json"), std::string::npos) << err;
  ServeProcess server({"--no-model"});
  ASSERT_TRUE(server.started());
  Client client;
  Reply r = client.post(server.url() + "/v1/predict", json{{"features", features_json(0.01, 1, 0.004, 0.003)}}.dump());
  EXPECT_EQ(r.status, 503u);
  EXPECT_NE(r.body.find("--no-model"), std::string::npos) << r.body;
  EXPECT_EQ(client.get(server.url() + "/v1/model").status, 503u);
  r = client.post(server.url() + "/v1/analyze", read_file(fixture("camera_512x512.png")), "image/png");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json j = json::parse(r.body);
  EXPECT_TRUE(j["verdict"].is_null());
  EXPECT_GT(j["features"]["laplacian_variance"].get<double>(), 0);
  EXPECT_TRUE(json::parse(client.get(server.url() + "/healthz").body)["model"].is_null());
}

TEST(ServeCommandLine, RefusesUnsafeOrBrokenSetupsWithOneLine) {
  std::string err;
  EXPECT_EQ(serve_test::run_command(
                {FOCUSMETER_BIN, "serve", "--listen", "0.0.0.0:0", "--model", serve_test::test_model_path()}, err),
            64);
  EXPECT_NE(err.find("--allow-remote"), std::string::npos) << err;

  EXPECT_EQ(serve_test::run_command({FOCUSMETER_BIN, "serve", "--listen", "127.0.0.1"}, err), 64);
  EXPECT_NE(err.find("HOST:PORT"), std::string::npos) << err;

  EXPECT_EQ(serve_test::run_command({FOCUSMETER_BIN, "serve", "--listen", "127.0.0.1:0", "--model",
                                     std::string(FOCUSMETER_TEST_DATA) + "/parity/reference.json"},
                                    err),
            65);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("reference.json"), std::string::npos) << err;

  EXPECT_EQ(serve_test::run_command({FOCUSMETER_BIN, "serve", "--token-file", "/nonexistent/token"}, err), 64);
  EXPECT_NE(err.find("--token-file"), std::string::npos) << err;
}
