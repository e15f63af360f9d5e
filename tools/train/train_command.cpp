// `focusmeter train`: fits a focus model on a labelled image set and writes
// it in the project's model format, with held-out metrics; `focusmeter train
// dataset` builds the synthetic set it is trained on.
#include <glib.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "commands.h"
#include "focusmeter/model.h"
#include "focusmeter/parameters.h"
#include "train/cross_evaluation.h"
#include "train/dataset.h"
#include "train/evaluation.h"
#include "train/labelled_set.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
namespace fm = focusmeter;
namespace ft = focusmeter::train;

namespace {

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) t = static_cast<std::time_t>(std::atoll(e));
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool parse_features(const char* list, std::vector<fm::Feature>& out, std::string& error) {
  out.clear();
  std::istringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    const auto f = fm::feature_from_name(name);
    if (!f) {
      error = "unknown feature \"" + name + "\"";
      return false;
    }
    out.push_back(*f);
  }
  if (out.empty()) error = "--features lists no feature";
  return !out.empty();
}

int fail(int code, const std::string& msg) { return fm::cli::fail("train", code, msg); }

}  // namespace

int focusmeter_train_main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "dataset") return ft::dataset_main(argc - 1, argv + 1);
  if (argc >= 2 && std::string(argv[1]) == "eval") return ft::eval_main(argc - 1, argv + 1);

  std::string command_line = "focusmeter";
  for (int i = 0; i < argc; ++i) command_line += std::string(" ") + argv[i];

  g_autofree gchar* data = nullptr;
  g_autofree gchar* output = nullptr;
  g_autofree gchar* report = nullptr;
  g_autofree gchar* features = nullptr;
  g_autofree gchar* name = nullptr;
  gdouble l2 = 0.1, holdout = 0.3, threshold = fm::parameters::Threshold::kModelOwn;
  gint64 seed = 1;
  gint jobs = 2;
  gboolean no_cache = FALSE;
  g_autofree gchar* classifier = nullptr;
  gint trees = 150, depth = 3;
  const GOptionEntry entries[] = {
      {"data", 'd', 0, G_OPTION_ARG_FILENAME, &data,
       "Labelled images: a folder with clear/ and blurry/ (or a manifest.csv), or a CSV path,label (required)", "PATH"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Model file to write (required)", "FILE"},
      {"report", 0, 0, G_OPTION_ARG_FILENAME, &report,
       "Also write evaluation.md and detection-rate.png (held-out) into this folder", "DIR"},
      {"features", 0, 0, G_OPTION_ARG_STRING, &features, "Comma-separated features (default: the shipped set)", "LIST"},
      {"l2", 0, 0, G_OPTION_ARG_DOUBLE, &l2, "L2 penalty of the logistic regression (default 0.1)", "X"},
      {"holdout", 0, 0, G_OPTION_ARG_DOUBLE, &holdout, "Fraction of source photos held out (default 0.3)", "F"},
      {fm::parameters::Threshold::kName, 't', 0, G_OPTION_ARG_DOUBLE, &threshold,
       "Score at or above which a frame is BLURRY, in [0, 1] (default -1: chosen by cross-validation for <= 2 % "
       "false alarms)",
       "SCORE"},
      {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the held-out split (default 1)", "N"},
      {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Feature extraction threads (default 2)", "N"},
      {"classifier", 'c', 0, G_OPTION_ARG_STRING, &classifier, "logistic (default) or trees (gradient-boosted trees)",
       "KIND"},
      {"trees", 0, 0, G_OPTION_ARG_INT, &trees, "Trees in the ensemble (default 150)", "N"},
      {"depth", 0, 0, G_OPTION_ARG_INT, &depth, "Depth of each tree (default 3)", "N"},
      {"no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, "Do not read or write the feature cache", nullptr},
      {"name", 0, 0, G_OPTION_ARG_STRING, &name, "Model name (default \"default\")", "NAME"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  fm::cli::set_command_name("train");
  g_autoptr(GOptionContext) ctx = g_option_context_new("- train a focus model");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_set_summary(ctx,
                               "Trains a focus model (logistic regression, or boosted trees) on labelled images\n"
                               "and writes it as JSON, with held-out figures.\n"
                               "Run 'focusmeter train dataset --help' to build the synthetic training set,\n"
                               "'focusmeter train eval --help' for the leave-one-package-out evaluation.");
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) return fail(fm::cli::kExitUsage, err->message);
  if (!data && argc == 2)
    data = g_strdup(argv[1]);
  else if (argc > 1)
    return fail(fm::cli::kExitUsage, std::string("unexpected argument ") + argv[1]);
  if (!data || !output) return fail(fm::cli::kExitUsage, "--data PATH and --output FILE are required");
  if (holdout < 0 || holdout >= 1) return fail(fm::cli::kExitUsage, "--holdout must be in [0, 1)");
  if (!fm::parameters::Threshold::valid(threshold))
    return fail(fm::cli::kExitUsage, std::string("--threshold ") + fm::parameters::Threshold::kRule);
  const std::optional<double> fixed_threshold = fm::parameters::Threshold::from_value(threshold);
  if (l2 < 0 || jobs < 1 || seed < 0) return fail(fm::cli::kExitUsage, "bad --l2, --jobs or --seed");

  ft::TrainOptions opt;
  opt.features = ft::default_model_features();
  opt.l2 = l2;
  opt.seed = static_cast<unsigned long long>(seed);
  opt.holdout = holdout;
  opt.auto_threshold = !fixed_threshold;
  opt.threshold = fixed_threshold.value_or(0.5);
  if (name) opt.name = name;
  if (classifier && std::string(classifier) != "logistic" && std::string(classifier) != "trees")
    return fail(fm::cli::kExitUsage, "--classifier must be logistic or trees");
  opt.trees = classifier && std::string(classifier) == "trees";
  if (trees < 1 || depth < 1 || depth > 8) return fail(fm::cli::kExitUsage, "bad --trees or --depth");
  opt.boosting.trees = trees;
  opt.boosting.depth = depth;
  std::string error;
  if (features && !parse_features(features, opt.features, error)) return fail(fm::cli::kExitUsage, error);

  std::vector<ft::Sample> samples;
  if (!ft::read_labelled_set(data, samples, error)) return fail(fm::cli::kExitDataError, error);
  std::string cache;
  if (!no_cache) {
    const fs::path p(data);
    // Named after the feature definitions: a cache of other definitions is never read.
    cache = ((fs::is_directory(p) ? p : p.parent_path()) /
             ("features-cache-v" + std::to_string(fm::kFeatureVersion) + ".tsv"))
                .string();
  }
  if (!ft::extract_features(samples, jobs, cache, error)) return fail(fm::cli::kExitDataError, error);

  std::vector<const ft::Sample*> train, held_out;
  std::set<std::string> held_sources;
  for (const ft::Sample& s : samples) {
    if (ft::is_held_out(s.source, opt.seed, opt.holdout)) {
      held_out.push_back(&s);
      held_sources.insert(s.source);
    } else {
      train.push_back(&s);
    }
  }
  auto count = [](const std::vector<const ft::Sample*>& v, ft::Label l) {
    std::size_t n = 0;
    for (const ft::Sample* s : v) n += s->label == l;
    return n;
  };
  if (count(train, ft::Label::Clear) == 0 || count(train, ft::Label::Blurry) == 0)
    return fail(fm::cli::kExitDataError,
                "after holding out sources, the training part lacks a class; use more source images or --holdout 0");
  std::fprintf(stderr, "train: %zu training images, %zu held out (%zu source photos)\n", train.size(), held_out.size(),
               held_sources.size());

  nlohmann::json meta;
  fm::ModelSpec spec;
  try {
    spec = ft::fit_calibrated_model(train, opt, meta);
  } catch (const std::exception& e) {
    return fail(fm::cli::kExitDataError, e.what());
  }

  meta["date"] = utc_now();
  meta["command"] = command_line;
  meta["seed"] = opt.seed;
  meta["data"] = data;
  meta["holdout_fraction"] = opt.holdout;
  meta["split"] = "held-out by source photo";
  meta["counts"] = {{"train_clear", count(train, ft::Label::Clear)},
                    {"train_blurry", count(train, ft::Label::Blurry)},
                    {"train_ambiguous_ignored", count(train, ft::Label::Ambiguous)},
                    {"held_out_clear", count(held_out, ft::Label::Clear)},
                    {"held_out_blurry", count(held_out, ft::Label::Blurry)},
                    {"held_out_ambiguous", count(held_out, ft::Label::Ambiguous)}};
  meta["held_out_sources"] = held_sources;
  nlohmann::json names = nlohmann::json::array();
  for (fm::Feature f : opt.features) names.push_back(std::string(fm::feature_name(f)));
  meta["features"] = names;
  spec.training = meta;

  try {
    const fm::Model model = fm::Model::from_spec(spec, output);
    if (count(held_out, ft::Label::Clear) && count(held_out, ft::Label::Blurry)) {
      const nlohmann::json metrics = ft::evaluate(train, held_out, model, report ? report : "", command_line);
      spec.training["held_out"] = metrics;
      const auto& t = metrics["held_out_target"];
      std::fprintf(stderr, "train: held-out target: balanced accuracy %.3f, false alarms %.3f (%d clear / %d blurry)\n",
                   t["balanced_accuracy"].get<double>(), t["false_alarm_rate"].get<double>(), t["clear"].get<int>(),
                   t["blurry"].get<int>());
    } else {
      std::fprintf(stderr, "train: no held-out images of both classes; no held-out metrics\n");
    }
  } catch (const fm::ModelError& e) {
    return fail(fm::cli::kExitSoftware, std::string("trained model does not validate: ") + e.what());
  }

  std::ofstream out(output);
  out << spec.to_json().dump(2) << "\n";
  if (!out) return fail(fm::cli::kExitDataError, std::string(output) + ": cannot write");
  std::fprintf(stderr, "train: wrote %s\n", output);
  return 0;
}
