// `focusmeter train eval`: the command line of cross_evaluation.h.
#include <glib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/exit_codes.h"
#include "focusmeter/model.h"
#include "train/cross_evaluation.h"

namespace fs = std::filesystem;

namespace focusmeter::train {

int eval_main(int argc, char** argv) {
  std::string command_line = "focusmeter train";
  for (int i = 0; i < argc; ++i) command_line += std::string(" ") + argv[i];

  g_autofree gchar* data = nullptr;
  g_autofree gchar* report = nullptr;
  g_autofree gchar* model = nullptr;
  g_autofree gchar* candidate = nullptr;
  g_autofree gchar* predictions = nullptr;
  g_autofree gchar* export_features = nullptr;
  g_autofree gchar* export_tiles = nullptr;
  gint jobs = 2;
  gboolean no_cache = FALSE;
  const GOptionEntry entries[] = {
      {"data", 'd', 0, G_OPTION_ARG_FILENAME, &data,
       "A set made by 'focusmeter train dataset --recipe camera' (manifest with a package column) (required)", "DIR"},
      {"report", 'o', 0, G_OPTION_ARG_FILENAME, &report, "Markdown report to write (required)", "FILE"},
      {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Also score this model file as it is (e.g. models/default.json)",
       "FILE"},
      {"candidate", 0, 0, G_OPTION_ARG_FILENAME, &candidate,
       "Also train the recipe on the whole set and write the model here", "FILE"},
      {"predictions", 0, 0, G_OPTION_ARG_FILENAME, &predictions,
       "Also write every image's out-of-package decisions and scores as CSV", "FILE"},
      {"export-features", 0, 0, G_OPTION_ARG_FILENAME, &export_features,
       "Also write every image's frame features, labels and folds as CSV (for compare_classifiers.py)", "FILE"},
      {"export-tiles", 0, 0, G_OPTION_ARG_FILENAME, &export_tiles,
       "Also write the features of every focus-map tile of every image as CSV (slower: a third pass)", "FILE"},
      {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Feature extraction threads (default 2)", "N"},
      {"no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, "Do not read or write the feature cache", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("- accuracy on packages and degradations never trained on");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  g_option_context_set_summary(ctx,
                               "Leave-one-package-out and leave-one-degradation-family-out evaluation of the\n"
                               "training recipe (logistic regression on the shipped features), the original\n"
                               "1-NN method and the fixed rule; per-kind, per-resolution and calibration tables.\n"
                               "The retrained models and --model are judged on whole frames and through the\n"
                               "focus map (judge_frame, the verdict every command gives).");
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
    std::fprintf(stderr, "focusmeter train eval: %s\n", err->message);
    return cli::kExitUsage;
  }
  if (!data || !report || argc > 1 || jobs < 1) {
    std::fprintf(
        stderr, "focusmeter train eval: %s\n",
        argc > 1 ? "unexpected argument" : (jobs < 1 ? "bad --jobs" : "--data DIR and --report FILE are required"));
    return cli::kExitUsage;
  }

  std::vector<Sample> samples;
  std::string error;
  if (!read_labelled_set(data, samples, error)) {
    std::fprintf(stderr, "focusmeter train eval: %s\n", error.c_str());
    return cli::kExitDataError;
  }
  std::string cache;
  if (!no_cache) {
    const fs::path p(data);
    cache =
        ((fs::is_directory(p) ? p : p.parent_path()) / ("features-cache-v" + std::to_string(kFeatureVersion) + ".tsv"))
            .string();
  }
  if (!extract_features(samples, jobs, cache, error)) {
    std::fprintf(stderr, "focusmeter train eval: %s\n", error.c_str());
    return cli::kExitDataError;
  }

  CrossEvalOptions opt;
  opt.train.features = default_model_features();
  opt.report = report;
  opt.model_path = model ? model : "";
  opt.candidate = candidate ? candidate : "";
  opt.command_line = command_line;
  opt.predictions = predictions ? predictions : "";
  opt.features = export_features ? export_features : "";
  opt.tiles = export_tiles ? export_tiles : "";
  opt.jobs = jobs;
  try {
    if (!cross_evaluate(samples, opt, error)) {
      std::fprintf(stderr, "focusmeter train eval: %s\n", error.c_str());
      return cli::kExitDataError;
    }
  } catch (const std::exception& e) {  // a model that does not load or validate
    std::fprintf(stderr, "focusmeter train eval: %s\n", e.what());
    return cli::kExitDataError;
  }
  std::fprintf(stderr, "eval: wrote %s\n", report);
  return 0;
}

}  // namespace focusmeter::train
