// `focusmeter train` and `focusmeter train dataset` end to end on a tiny set
// synthesised from the parity fixtures, plus the bad inputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <sstream>

#include "cli/exit_codes.h"
#include "commands.h"
#include "focusmeter/judgement.h"
#include "focusmeter/model.h"
#include "train/dataset.h"
#include "train/synthesis.h"

namespace fs = std::filesystem;
namespace fm = focusmeter;
using nlohmann::json;

namespace {

std::string fixture(const char* name) { return std::string(FOCUSMETER_TEST_DATA) + "/parity/fixtures/" + name; }

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("focusmeter-model-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

struct TrainRun {
  int status;
  std::string err;
};

// Runs `focusmeter train ARGS...` in process, capturing stderr.
TrainRun train(std::vector<std::string> args) {
  args.insert(args.begin(), "train");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  testing::internal::CaptureStderr();
  const int status = focusmeter_train_main(static_cast<int>(args.size()), argv.data());
  return {status, testing::internal::GetCapturedStderr()};
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The tiny set: three fixture photos, 30 images each, made once.
const fs::path& tiny_set() {
  static TempDir dir;
  static bool made = false;
  if (!made) {
    const TrainRun r = train({"dataset", "--output", dir.path().string(), "--per-source", "30", "--seed", "7",
                              "--source", fixture("camera_512x512.png"), "--source", fixture("astronaut_641x479.png"),
                              "--source", fixture("brick_512x512.png")});
    EXPECT_EQ(r.status, 0) << r.err;
    made = true;
  }
  return dir.path();
}

fm::FeatureVector features_of(const cv::Mat& m) {
  return fm::compute_features(fm::LumaView(m.data, m.cols, m.rows, static_cast<std::ptrdiff_t>(m.step[0])),
                              fm::all_features());
}

json without_run_details(json doc) {
  doc["training"].erase("date");
  doc["training"].erase("command");
  return doc;
}

}  // namespace

TEST(TrainDataset, WritesLabelledImagesAndAManifest) {
  const fs::path& set = tiny_set();
  std::ifstream csv(set / "manifest.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("path,label,source,blur,blur_size_1080", 0), 0u) << header;
  int rows = 0, clear = 0, blurry = 0;
  while (std::getline(csv, line)) {
    ++rows;
    clear += line.find(",clear,") != std::string::npos;
    blurry += line.find(",blurry,") != std::string::npos;
    EXPECT_TRUE(fs::exists(set / line.substr(0, line.find(',')))) << line;
  }
  EXPECT_EQ(rows, 90);
  EXPECT_GT(clear, 20);
  EXPECT_GT(blurry, 20);
}

TEST(TrainDataset, SameSeedSameSet) {
  TempDir again;
  const TrainRun r = train({"dataset", "--output", again.path().string(), "--per-source", "30", "--seed", "7", "-j",
                            "1", "--source", fixture("camera_512x512.png"), "--source",
                            fixture("astronaut_641x479.png"), "--source", fixture("brick_512x512.png")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(again.path() / "manifest.csv"), slurp(tiny_set() / "manifest.csv"));
  std::ifstream csv(again.path() / "manifest.csv");
  std::string line;
  std::getline(csv, line);
  std::getline(csv, line);
  const std::string first = line.substr(0, line.find(','));
  EXPECT_EQ(slurp(again.path() / first), slurp(tiny_set() / first));
}

// The camera recipe: every file and the manifest the same byte for byte
// on a rerun with another thread count (x264/x265 frames included), labels
// that follow the blur, and a package column.
TEST(TrainDataset, CameraRecipeSameSeedSameBytes) {
  TempDir a, b;
  auto make = [](const fs::path& out, const char* jobs) {
    return train({"dataset", "--recipe", "camera", "--output", out.string(), "--per-source", "6", "--seed", "3", "-j",
                  jobs, "--source", fixture("camera_512x512.png"), "--source", fixture("astronaut_641x479.png"),
                  "--source", fixture("brick_512x512.png")});
  };
  const TrainRun ra = make(a.path(), "2");
  ASSERT_EQ(ra.status, 0) << ra.err;
  const TrainRun rb = make(b.path(), "1");
  ASSERT_EQ(rb.status, 0) << rb.err;
  const std::string manifest = slurp(a.path() / "manifest.csv");
  ASSERT_EQ(manifest, slurp(b.path() / "manifest.csv"));
  std::istringstream rows(manifest);
  std::string line;
  std::getline(rows, line);
  EXPECT_EQ(line.rfind("path,label,source,package,blur,blur_size_1080", 0), 0u) << line;
  std::set<std::string> codecs;
  int n = 0;
  while (std::getline(rows, line)) {
    ++n;
    std::vector<std::string> c;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) c.push_back(cell);
    ASSERT_EQ(c.size(), 20u) << line;
    EXPECT_EQ(c[3], "local");
    codecs.insert(c[16]);
    const double size = std::stod(c[5]);
    const bool sharp = c[4] == "none" || c[4] == "soft";
    const bool blurred = ((c[4] == "disk" || c[4] == "tilt") && size >= 3) || (c[4] == "gaussian" && size >= 2.5);
    EXPECT_EQ(c[1], sharp ? "clear" : (blurred ? "blurry" : "ambiguous")) << line;
    EXPECT_EQ(slurp(a.path() / c[0]), slurp(b.path() / c[0])) << c[0];
    EXPECT_FALSE(cv::imread((a.path() / c[0]).string(), cv::IMREAD_GRAYSCALE).empty()) << c[0];
  }
  EXPECT_EQ(n, 18);
  EXPECT_EQ(codecs, (std::set<std::string>{"h264", "h265", "jpeg"}));
}

// `train eval` on a tiny camera set whose three photos are given three
// packages: every package is held out in turn and the report has its
// tables; a set of one package is refused in one line.
TEST(TrainEval, HoldsOutEachPackageAndWritesTheReport) {
  TempDir dir;
  const TrainRun made = train({"dataset", "--recipe", "camera", "--output", dir.path().string(), "--per-source", "24",
                               "--seed", "5", "--source", fixture("camera_512x512.png"), "--source",
                               fixture("astronaut_641x479.png"), "--source", fixture("brick_512x512.png")});
  ASSERT_EQ(made.status, 0) << made.err;
  const fs::path report = dir.path() / "eval.md";

  const TrainRun one = train({"eval", "--data", dir.path().string(), "--report", report.string()});
  EXPECT_EQ(one.status, fm::cli::kExitDataError);
  EXPECT_NE(one.err.find("fewer than two packages"), std::string::npos) << one.err;

  // Package = source photo: "local" becomes the photo's name.
  std::ifstream in(dir.path() / "manifest.csv");
  std::ostringstream rewritten;
  std::string line;
  std::getline(in, line);
  rewritten << line << "\n";
  while (std::getline(in, line)) {
    std::vector<std::string> c;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) c.push_back(cell);
    c[3] = "pkg-" + c[2];
    for (std::size_t i = 0; i < c.size(); ++i) rewritten << (i ? "," : "") << c[i];
    rewritten << "\n";
  }
  in.close();
  std::ofstream(dir.path() / "manifest.csv") << rewritten.str();

  const TrainRun r =
      train({"eval", "--data", dir.path().string(), "--report", report.string(), "--model", FOCUSMETER_SOURCE_MODEL,
             "--predictions", (dir.path() / "p.csv").string(), "--export-features", (dir.path() / "f.csv").string(),
             "--export-tiles", (dir.path() / "t.csv").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* pkg : {"pkg-camera_512x512", "pkg-astronaut_641x479", "pkg-brick_512x512"})
    EXPECT_NE(r.err.find(std::string("holding out ") + pkg), std::string::npos) << r.err;
  const std::string md = slurp(report);
  for (const char* section :
       {"## Leave one package out: main task", "## The issue's targets", "## Per degradation kind",
        "## Per delivered resolution", "## Calibration", "## Leave one degradation family out"})
    EXPECT_NE(md.find(section), std::string::npos) << section;
  EXPECT_NE(md.find("| pkg-brick_512x512 |"), std::string::npos) << md;
  // Both models judged on whole frames and through the focus map.
  for (const char* method : {"retrained, whole frame", "retrained, focus map", "model file, whole frame",
                             "model file, focus map", "trained on tiles, focus map"})
    EXPECT_NE(md.find(method), std::string::npos) << method;
  // One line per image, each with an out-of-package decision, whole frame
  // and focus map (a score in [0, 1]; 0.5 for UNKNOWN).
  auto read_csv = [](const fs::path& file) {
    std::vector<std::vector<std::string>> table;
    std::ifstream in(file);
    for (std::string l; std::getline(in, l);) {
      std::vector<std::string> c;
      std::istringstream cells(l);
      for (std::string cell; std::getline(cells, cell, ',');) c.push_back(cell);
      table.push_back(c);
    }
    return table;
  };
  const auto p = read_csv(dir.path() / "p.csv");
  ASSERT_EQ(p.size(), 73u);
  ASSERT_EQ(p[0][5], "retrained_map_score");
  ASSERT_EQ(p[0][11], "model_map_score");
  ASSERT_EQ(p[0][13], "tiles_map_score");
  EXPECT_NE(r.err.find("tiles without pkg-brick_512x512"), std::string::npos) << r.err;
  for (std::size_t i = 1; i < p.size(); ++i) {
    ASSERT_EQ(p[i].size(), p[0].size());
    for (int col : {5, 11, 13}) {
      const double score = std::stod(p[i][col]);
      EXPECT_TRUE(score >= 0 && score <= 1) << p[i][0] << " " << p[0][col] << " " << score;
    }
  }
  // The feature tables: one row per image, one per tile of its map, each
  // with its package, label and fold, every feature last.
  const auto f = read_csv(dir.path() / "f.csv");
  ASSERT_EQ(f.size(), 73u);
  EXPECT_EQ(f[0][0] + "," + f[0][1] + "," + f[0][3] + "," + f[0][4] + "," + f[0][5],
            "path,package,label,in_target,cv_fold");
  EXPECT_EQ(f[0].back(), std::string(fm::feature_name(static_cast<fm::Feature>(fm::kFeatureCount - 1))));
  const auto t = read_csv(dir.path() / "t.csv");
  ASSERT_GT(t.size(), f.size());
  EXPECT_EQ(t[0][6] + "," + t[0][7] + "," + t[0][8], "tile,textured,overlay");
  std::set<std::string> tiled;
  for (std::size_t i = 1; i < t.size(); ++i) {
    ASSERT_EQ(t[i].size(), t[0].size());
    tiled.insert(t[i][0]);
    EXPECT_TRUE(t[i][7] == "0" || t[i][7] == "1") << t[i][7];
  }
  EXPECT_EQ(tiled.size(), 72u);

  // tools/train/compare_classifiers.py reads these tables (when Debian's
  // python3-sklearn is installed: an optional training dependency, so the
  // check is left out without it, saying so).
  if (std::system("/usr/bin/python3 -c 'import sklearn' 2>/dev/null") != 0) {
    std::fprintf(stderr, "python3-sklearn not installed: compare_classifiers.py not run\n");
    return;
  }
  const fs::path cmp = dir.path() / "cmp.md";
  const std::string cmd = "/usr/bin/python3 " + std::string(FOCUSMETER_TEST_DATA) +
                          "/../tools/train/compare_classifiers.py --only logistic --frames " +
                          (dir.path() / "f.csv").string() + " --tiles " + (dir.path() / "t.csv").string() +
                          " --report " + cmp.string() + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string table = slurp(cmp);
  for (const char* recipe : {"| logistic, 8 shipped features, trained on frames, judged by frame |",
                             "| logistic, 8 shipped features, trained on tiles, judged by map |"})
    EXPECT_NE(table.find(recipe), std::string::npos) << table;
  EXPECT_NE(table.find("pkg-brick_512x512"), std::string::npos) << table;
}

TEST(Train, TrainedModelSeparatesSharpFromBlurred) {
  TempDir out;
  const fs::path model_path = out.path() / "m.json";
  const TrainRun r = train({"--data", tiny_set().string(), "--output", model_path.string(), "--holdout", "0"});
  ASSERT_EQ(r.status, 0) << r.err;
  const fm::Model model = fm::Model::load(model_path.string());

  const cv::Mat sharp = cv::imread(fixture("camera_512x512.png"), cv::IMREAD_GRAYSCALE);
  cv::Mat k, blurred;
  fm::train::disk_kernel(5).convertTo(k, CV_32F);
  cv::filter2D(sharp, blurred, -1, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  const fm::Prediction ps = model.predict(features_of(sharp));
  const fm::Prediction pb = model.predict(features_of(blurred));
  EXPECT_EQ(ps.verdict, fm::Verdict::Clear) << ps.score;
  EXPECT_EQ(pb.verdict, fm::Verdict::Blurry) << pb.score;
  EXPECT_LT(ps.score, 0.2);
  EXPECT_GT(pb.score, 0.8);
}

TEST(Train, ModelFileRoundTripsWithItsMetadata) {
  TempDir out;
  const fs::path a = out.path() / "a.json";
  const TrainRun r = train({"--data", tiny_set().string(), "--output", a.string(), "--holdout", "0.34", "--seed", "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json doc = json::parse(slurp(a));
  EXPECT_EQ(doc["format"], "focusmeter-model");
  const json& t = doc["training"];
  for (const char* key : {"date", "command", "seed", "counts", "features", "calibration", "threshold_choice"})
    EXPECT_TRUE(t.contains(key)) << key;
  EXPECT_EQ(t["features"].size(), doc["features"].size());

  // Load, save again, load: same scores.
  const fm::Model m1 = fm::Model::load(a.string());
  const fs::path b = out.path() / "b.json";
  std::ofstream(b) << json::parse(slurp(a)).dump(1);
  const fm::Model m2 = fm::Model::load(b.string());
  const auto fv = features_of(cv::imread(fixture("brick_512x512.png"), cv::IMREAD_GRAYSCALE));
  EXPECT_EQ(m1.score(fv), m2.score(fv));
  EXPECT_EQ(m1.threshold(), doc["threshold"].get<double>());
  EXPECT_EQ(json::parse(m1.training_json()), t);
}

TEST(Train, SameSeedSameModelAndTheCacheChangesNothing) {
  TempDir out;
  const fs::path a = out.path() / "a.json", b = out.path() / "b.json", c = out.path() / "c.json";
  ASSERT_EQ(train({"--data", tiny_set().string(), "--output", a.string(), "--no-cache"}).status, 0);
  ASSERT_EQ(train({"--data", tiny_set().string(), "--output", b.string()}).status, 0);  // fills the cache
  const TrainRun cached = train({"--data", tiny_set().string(), "--output", c.string()});
  ASSERT_EQ(cached.status, 0);
  EXPECT_EQ(cached.err.find("computing features"), std::string::npos) << cached.err;
  const json ja = without_run_details(json::parse(slurp(a)));
  EXPECT_EQ(ja, without_run_details(json::parse(slurp(b))));
  EXPECT_EQ(ja, without_run_details(json::parse(slurp(c))));
}

TEST(Train, BoostedTreesAreAValidModelToo) {
  TempDir out;
  const fs::path a = out.path() / "t.json";
  const TrainRun r = train({"--data", tiny_set().string(), "--output", a.string(), "--holdout", "0", "--classifier",
                            "trees", "--trees", "20"});
  ASSERT_EQ(r.status, 0) << r.err;
  const fm::Model m = fm::Model::load(a.string());
  const double s = m.score(features_of(cv::imread(fixture("camera_512x512.png"), cv::IMREAD_GRAYSCALE)));
  EXPECT_GE(s, 0.0);
  EXPECT_LE(s, 1.0);
}

TEST(TrainErrors, EmptyFolder) {
  TempDir d;
  const TrainRun r = train({"--data", d.path().string(), "--output", (d.path() / "m.json").string()});
  EXPECT_EQ(r.status, fm::cli::kExitDataError);
  EXPECT_NE(r.err.find("no clear/ or blurry/ folder"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d.path() / "m.json"));

  fs::create_directories(d.path() / "clear");
  fs::create_directories(d.path() / "blurry");
  const TrainRun r2 = train({"--data", d.path().string(), "--output", (d.path() / "m.json").string()});
  EXPECT_EQ(r2.status, fm::cli::kExitDataError);
  EXPECT_NE(r2.err.find("no images found"), std::string::npos) << r2.err;
}

TEST(TrainErrors, OneClassMissing) {
  TempDir d;
  fs::create_directories(d.path() / "clear");
  fs::copy_file(fixture("camera_512x512.png"), d.path() / "clear" / "a.png");
  const TrainRun r = train({"--data", d.path().string(), "--output", (d.path() / "m.json").string()});
  EXPECT_EQ(r.status, fm::cli::kExitDataError);
  EXPECT_NE(r.err.find("no BLURRY images"), std::string::npos) << r.err;
}

TEST(TrainErrors, UnreadableImageIsNamed) {
  TempDir d;
  fs::create_directories(d.path() / "clear");
  fs::create_directories(d.path() / "blurry");
  fs::copy_file(fixture("camera_512x512.png"), d.path() / "clear" / "a.png");
  std::ofstream(d.path() / "blurry" / "broken.jpg") << "this is not a JPEG";
  const TrainRun r = train({"--data", d.path().string(), "--output", (d.path() / "m.json").string()});
  EXPECT_EQ(r.status, fm::cli::kExitDataError);
  EXPECT_NE(r.err.find("broken.jpg"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not a decodable image"), std::string::npos) << r.err;
}

TEST(TrainErrors, BadManifestAndUsage) {
  TempDir d;
  std::ofstream(d.path() / "set.csv") << "path,label\nx.png,fuzzy\n";
  const TrainRun r = train({"--data", (d.path() / "set.csv").string(), "--output", (d.path() / "m.json").string()});
  EXPECT_EQ(r.status, fm::cli::kExitDataError);
  EXPECT_NE(r.err.find("unknown label \"fuzzy\""), std::string::npos) << r.err;

  EXPECT_EQ(train({"--output", "m.json"}).status, fm::cli::kExitUsage);
  EXPECT_EQ(train({"--data", "x", "--output", "m.json", "--features", "sharpness"}).status, fm::cli::kExitUsage);
  EXPECT_EQ(train({"--data", "x", "--output", "m.json", "--holdout", "1.5"}).status, fm::cli::kExitUsage);
  const TrainRun missing = train({"--data", (d.path() / "nope").string(), "--output", "m.json"});
  EXPECT_EQ(missing.status, fm::cli::kExitDataError);
  EXPECT_NE(missing.err.find("no such file or folder"), std::string::npos) << missing.err;
}
