// `focusmeter check PATH_OR_URI...`: images, folders, clips and stream URIs.
// Parses the command line, expands the inputs, checks them on a pool of
// worker threads (images through the core, clips through a pipeline each),
// and gathers results on this thread for the progress line, jsonl streaming,
// --show and the final report (in input order).
#include <gst/gst.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "check/check.h"
#include "check/inputs.h"
#include "cli/cli.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/model_loading.h"
#include "cli/progress.h"
#include "cli/report_options.h"
#include "cli/url.h"
#include "cli/worker_pool.h"
#include "commands.h"
#include "focusmeter/parameters.h"
#include "gstreamer/credentials.h"
#include "media/image_luma.h"
#include "report/report.h"

namespace focusmeter::check {
namespace {

constexpr const char* kCommand = "check";

struct Options {
  gboolean recursive = FALSE;
  gdouble every = parameters::Interval::kDefaultSeconds;
  gdouble from = -1, to = -1;
  cli::OptionString model, user, password_file;
  gdouble threshold = parameters::Threshold::kModelOwn;
  gint jobs = 0;
  gdouble timeout = 10;
  gdouble stream_seconds = 5;
  gdouble blurry_share = parameters::BlurryShare::kDefault;
  gboolean seek = FALSE;
  cli::OptionString transport;
  gboolean keyframes_only = FALSE;
  gboolean no_model = FALSE;
  gint64 max_pixels = static_cast<gint64>(media::kDefaultMaxImagePixels);
  cli::OptionStrings inputs;
};

int usage_error(const std::string& message) { return cli::usage_error(kCommand, message); }

// Finished checks, handed from the workers to the gathering thread.
struct Finished {
  std::size_t index;
  Checked checked;
};

class FinishedQueue {
 public:
  void push(Finished f) {
    {
      std::lock_guard<std::mutex> lock(m_);
      q_.push_back(std::move(f));
    }
    cv_.notify_one();
  }
  // Waits at most `wait` (so the caller can notice Ctrl-C meanwhile).
  std::optional<Finished> pop_for(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(m_);
    if (!cv_.wait_for(lock, wait, [&] { return !q_.empty(); })) return std::nullopt;
    Finished f = std::move(q_.front());
    q_.pop_front();
    return f;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Finished> q_;
};

}  // namespace

int run(int argc, char** argv) {
  Options o;
  cli::ReportOptions report_opts;
  const GOptionEntry entries[] = {
      {"recursive", 'r', 0, G_OPTION_ARG_NONE, &o.recursive, "Look into subfolders of the folders given", nullptr},
      {"every", 'e', 0, G_OPTION_ARG_DOUBLE, &o.every,
       "Clips: analyse one frame every SECONDS (default 1; 0 = every frame)", "SECONDS"},
      {"seek", 0, 0, G_OPTION_ARG_NONE, &o.seek,
       "Clips: seek to each analysis time (nearest keyframe) instead of decoding every frame", nullptr},
      {"from", 0, 0, G_OPTION_ARG_DOUBLE, &o.from, "Clips: start SECONDS into the clip", "SECONDS"},
      {"to", 0, 0, G_OPTION_ARG_DOUBLE, &o.to, "Clips: stop SECONDS into the clip (live streams: watch until then)",
       "SECONDS"},
      {parameters::ModelFile::kName, 'm', 0, G_OPTION_ARG_FILENAME, o.model.slot(), parameters::ModelFile::kDoc,
       "FILE"},
      {"no-model", 0, 0, G_OPTION_ARG_NONE, &o.no_model,
       "Report features only, no verdict (exit status 2: nothing was judged)", nullptr},
      {parameters::Threshold::kName, 't', 0, G_OPTION_ARG_DOUBLE, &o.threshold, parameters::Threshold::kDoc, "SCORE"},
      {"user", 'u', 0, G_OPTION_ARG_STRING, o.user.slot(), "Streams: camera user name (default admin with a password)",
       "USER"},
      {"password-file", 0, 0, G_OPTION_ARG_FILENAME, o.password_file.slot(),
       "Streams: read the password from FILE (else $FOCUSMETER_PASSWORD); never put it in the URL", "FILE"},
      {"jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs, "Inputs checked at once (default: number of CPUs)", "N"},
      {"timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o.timeout,
       "Give up on a clip or stream that makes no progress for SECONDS (default 10)", "SECONDS"},
      {"stream-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o.stream_seconds,
       "Live streams: how long to watch when --to is not given (default 5)", "SECONDS"},
      {parameters::BlurryShare::kName, 0, 0, G_OPTION_ARG_DOUBLE, &o.blurry_share, parameters::BlurryShare::kDoc,
       "SHARE"},
      {"transport", 0, 0, G_OPTION_ARG_STRING, o.transport.slot(),
       "RTSP streams: auto (default: TCP, then UDP if the camera refuses TCP), tcp, udp or http", "T"},
      {"keyframes-only", 0, 0, G_OPTION_ARG_NONE, &o.keyframes_only,
       "RTSP streams: decode and judge keyframes only (one per GOP; cheaper)", nullptr},
      {"max-pixels", 0, 0, G_OPTION_ARG_INT64, &o.max_pixels,
       "Refuse images whose header declares more than N pixels, before decoding (default 40000000)", "N"},
      {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, o.inputs.slot(), nullptr, "PATH_OR_URI..."},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  cli::set_command_name(kCommand);
  g_autoptr(GOptionContext) ctx = g_option_context_new("- check images, folders, clips and streams");
  g_option_context_set_summary(
      ctx,
      "Says whether each image, video clip or stream is in focus (CLEAR) or not (BLURRY).\n"
      "Folders are searched for images and videos by content; clips get a timeline.\n\n"
      "Exit status: 0 all CLEAR, 1 some BLURRY, 2 some could not be checked or judged (UNKNOWN: nothing\n"
      "to judge; --no-model), none BLURRY, 64 usage error or missing model file, 65 invalid model file,\n"
      "130/143 interrupted by SIGINT/SIGTERM (the report then holds what was done, marked partial).");
  g_option_context_add_main_entries(ctx, entries, nullptr);
  cli::add_report_options(ctx, report_opts);
  g_option_context_add_group(ctx, gst_init_get_option_group());
  g_autoptr(GError) err = nullptr;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) return usage_error(err->message);
  if (o.inputs.empty()) return usage_error("nothing to check: give images, folders, clips or URIs");
  if (o.every < 0) return usage_error("--every must be >= 0");
  if (o.from >= 0 && o.to >= 0 && o.to <= o.from) return usage_error("--to must be after --from");
  if (o.timeout <= 0 || o.stream_seconds <= 0) return usage_error("--timeout and --stream-seconds must be > 0");
  if (!parameters::BlurryShare::valid(o.blurry_share))
    return usage_error(std::string("--blurry-share ") + parameters::BlurryShare::kRule);
  if (o.no_model && o.model.given()) return usage_error("--model and --no-model exclude each other");
  // The element's rule (focusmeter/parameters.h): -1, the default, is the model's own.
  if (!parameters::Threshold::valid(o.threshold))
    return usage_error(std::string("--threshold ") + parameters::Threshold::kRule);
  if (o.jobs < 0 || o.jobs > 1024) return usage_error("--jobs must be 1-1024");
  if (o.max_pixels < 1) return usage_error("--max-pixels must be at least 1");
  media::set_max_image_pixels(static_cast<std::uint64_t>(o.max_pixels));
  std::vector<std::string> args;
  for (const gchar* a : o.inputs) {
    // Refused rather than used: it is already in ps, the shell history and
    // the process title. Not echoed, so it reaches no log.
    if (cli::url_has_password(a))
      return usage_error(
          "a password in a URL on the command line would be visible to every user; "
          "use --user with --password-file or FOCUSMETER_PASSWORD");
    args.emplace_back(a);
  }
  gst::StreamCredentials credentials;
  try {
    credentials = gst::credentials_from_options(o.user.get(), o.password_file.get());
  } catch (const gst::CredentialError& e) {
    return usage_error(e.what());
  }

  cli::ModelChoice model;
  try {
    model = cli::choose_model(o.model.get(), o.no_model);
  } catch (const ModelError& e) {
    return cli::fail(kCommand, cli::model_error_exit_status(e), e.what());
  }
  cli::ReportOutput output;
  std::string error;
  if (!output.open(report_opts, report::ReportKind::Check, error)) return usage_error(error);
  if (!model.model && !output.quiet())
    std::fprintf(stderr, "focusmeter check: --no-model: reporting features only, no verdicts\n");

  const auto t0 = std::chrono::steady_clock::now();
  report::Report report;
  report.kind = report::ReportKind::Check;
  report.started = report::utc_now_iso8601();
  if (model.model) {
    report.model = model.origin;
    report.threshold = parameters::Threshold::from_value(o.threshold).value_or(model.model->threshold());
  }

  cli::InterruptWatch interrupt_watch;
  const std::vector<Input> inputs = expand_inputs(args, o.recursive, credentials);
  report.results.resize(inputs.size());

  CheckSettings settings;
  settings.model = model.model;  // one loaded model for the images and every clip's element
  settings.threshold = parameters::Threshold::from_value(o.threshold);
  settings.every = o.every;
  if (o.from >= 0) settings.from = o.from;
  if (o.to >= 0) settings.to = o.to;
  settings.timeout = o.timeout;
  settings.stream_seconds = o.stream_seconds;
  settings.blurry_share = o.blurry_share;
  settings.seek = o.seek;
  settings.keyframes_only = o.keyframes_only;
  if (o.transport.given()) {
    const auto transport = stream::parse_transport(o.transport.get());
    if (!transport) return usage_error("--transport must be auto, tcp, udp or http");
    settings.transport = *transport;
  }
  settings.want_frame = output.wants_frames();

  const std::size_t jobs = std::clamp<std::size_t>(o.jobs > 0 ? std::size_t(o.jobs) : g_get_num_processors(), 1,
                                                   std::max<std::size_t>(inputs.size(), 1));
  // The pool works beside this thread, which gathers the results in order
  // of completion.
  FinishedQueue finished;
  std::thread pool([&] {
    cli::for_each_index(inputs.size(), jobs, [&](std::size_t i) {
      Checked c = check_input(inputs[i], settings);
      // Belt and braces: a library message quoting the password.
      c.result.reason = cli::scrub_secret(std::move(c.result.reason), inputs[i].credentials.password);
      // The input's position makes the snapshot name unique even when two
      // inputs look alike (a/b.jpg and a_b.jpg, or one given twice).
      if (!c.frame.empty()) output.attach(c.result, c.frame, media::snapshot_label(i, inputs[i].source));
      finished.push({i, std::move(c)});
      return true;
    });
  });

  cli::ProgressLine progress(stderr, inputs.size(), output.progress_enabled());
  std::vector<bool> done(inputs.size(), false);
  std::size_t n = 0;
  while (n < inputs.size() && !cli::InterruptWatch::received()) {
    std::optional<Finished> f = finished.pop_for(std::chrono::milliseconds(100));
    if (!f) continue;
    ++n;
    output.show(f->checked.frame, f->checked.result, inputs[f->index].source);
    output.writer().add(f->checked.result);
    output.log_result(f->checked.result, n, inputs.size());
    progress.update(f->checked.result);
    report.results[f->index] = std::move(f->checked.result);
    done[f->index] = true;
  }
  progress.finish();
  if (const int sig = cli::InterruptWatch::received()) {
    // Finish the report with what is done, marked partial; inputs still
    // being checked are abandoned (a clip may take its whole --timeout).
    std::vector<report::Result> kept;
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (done[i]) kept.push_back(std::move(report.results[i]));
    report.results = std::move(kept);
    report.partial = true;
    report.interrupted = "interrupted by " + cli::signal_label(sig) + " after " + std::to_string(n) + " of " +
                         std::to_string(inputs.size()) + " inputs";
    report.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!output.finish(report, error)) std::fprintf(stderr, "focusmeter check: %s\n", error.c_str());
    std::fprintf(stderr, "focusmeter check: %s; partial report written\n", report.interrupted.c_str());
    std::fflush(nullptr);
    // Workers may be inside a decoder or a pipeline: leave without joining them.
    // Nagios: an interrupted check is UNKNOWN (3), not a shell's 130.
    std::_Exit(output.format() == report::ReportFormat::Nagios ? 3 : cli::interrupted_exit_status(sig));
  }
  pool.join();

  report.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!output.finish(report, error)) {
    return cli::fail(kCommand, cli::kExitSoftware, error);
  }
  return report::exit_status_for(report::summarize(report.results), output.format());
}

}  // namespace focusmeter::check

int focusmeter_check_main(int argc, char** argv) { return focusmeter::check::run(argc, argv); }
