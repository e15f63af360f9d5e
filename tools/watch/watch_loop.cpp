#include "watch/watch_loop.h"

#include <glib.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/interrupt.h"

namespace focusmeter::watch {

namespace {

constexpr guint kTickMs = 100;

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

struct WatchLoop::Impl {
  std::vector<WatchCamera>& cameras;
  const CheckSettings& check;
  WatchState& state;
  std::vector<std::unique_ptr<AlertSink>>& sinks;
  LoopSettings settings;
  FILE* out;

  GMainLoop* loop = nullptr;
  std::vector<double> due;  // monotonic seconds; < 0: never again (once)
  std::vector<bool> busy;   // queued or running
  std::vector<report::CameraGauges> camera_gauges;
  std::size_t in_flight = 0;
  std::size_t checked = 0;
  bool stopping = false;
  double drain_deadline = 0;
  int stop_signal = 0;
  int exit_status = cli::kExitAllClear;
  bool any_blurry = false, any_unchecked = false;

  // The work queue the workers pull from.
  std::mutex queue_lock;
  std::condition_variable queue_cv;
  std::deque<std::size_t> queue;
  bool closed = false;
  std::vector<std::thread> workers;

  Impl(std::vector<WatchCamera>& c, const CheckSettings& k, WatchState& s, std::vector<std::unique_ptr<AlertSink>>& a,
       const LoopSettings& l, FILE* o)
      : cameras(c), check(k), state(s), sinks(a), settings(l), out(o) {}

  static double now_mono() { return g_get_monotonic_time() / 1e6; }

  double interval(std::size_t i) const { return cameras[i].fields.every_s.value_or(settings.every_s); }

  double jittered(std::size_t i) const {
    const double j = settings.jitter;
    return interval(i) * (1.0 + (j > 0 ? g_random_double_range(-j, j) : 0.0));
  }

  struct Done {
    Impl* self;
    std::size_t index;
    CheckReport report;
    std::string error;  // a state store failure
  };

  static gboolean on_done(gpointer data) {
    auto* d = static_cast<Done*>(data);
    d->self->finish(*d);
    return G_SOURCE_REMOVE;
  }
  static void free_done(gpointer data) { delete static_cast<Done*>(data); }

  void worker() {
    for (;;) {
      std::size_t index;
      {
        std::unique_lock<std::mutex> lock(queue_lock);
        queue_cv.wait(lock, [&] { return closed || !queue.empty(); });
        if (queue.empty()) return;
        index = queue.front();
        queue.pop_front();
      }
      auto done = std::make_unique<Done>(Done{this, index, {}, {}});
      try {
        done->report = check_camera(cameras[index], check, state);
      } catch (const std::exception& e) {
        done->error = e.what();
      }
      // The main loop takes it from here (Done is freed there).
      g_main_context_invoke_full(nullptr, G_PRIORITY_DEFAULT, on_done, done.release(), free_done);
    }
  }

  // Every incident kind, open or not: a dashboard sees 0 rather than nothing.
  static void set_incidents(report::CameraGauges& g, const std::vector<IncidentKind>& open) {
    g.incidents.clear();
    for (IncidentKind k : kIncidentKinds)
      g.incidents.emplace_back(incident_kind_name(k), std::find(open.begin(), open.end(), k) != open.end());
  }

  void line(const std::string& text) {
    std::fprintf(out, "%s\n", text.c_str());
    std::fflush(out);
  }

  void finish(const Done& d) {
    --in_flight;
    busy[d.index] = false;
    ++checked;
    const WatchCamera& cam = cameras[d.index];
    if (!d.error.empty()) {
      std::fprintf(stderr, "focusmeter watch: state store: %s; stopping\n", d.error.c_str());
      exit_status = cli::kExitSoftware;
      begin_stop();
      return;
    }
    const CheckReport& r = d.report;
    const std::string when = rfc3339_utc(r.time);
    std::string text = when + "  " + cam.name + "  " + r.judgement.label;
    if (r.judgement.label == "UNAVAILABLE") text += " (" + std::string(report::status_name(r.result.status)) + ")";
    if (r.result.score) text += "  score " + fixed2(*r.result.score);
    if (r.judgement.relative_drop) text += "  drop " + fixed2(*r.judgement.relative_drop);
    if (r.mode) text += std::string("  ") + light_mode_name(*r.mode);
    if (!r.judgement.reason.empty()) text += "  " + r.judgement.reason;
    text += "  [check " + std::to_string(r.check_id) + "]";
    line(text);
    if (r.reference_learned)
      line(when + "  " + cam.name + "  reference learned (" + light_mode_name(*r.mode) + ", from " +
           std::to_string(check.learn_checks) + " healthy checks)");

    report::CameraGauges& g = camera_gauges[d.index];
    g.up = r.result.status == report::Status::Ok;
    g.score = r.result.score;
    g.blurry.reset();
    if (r.judgement.outcome == CheckOutcome::Blurry || r.judgement.outcome == CheckOutcome::Clear)
      g.blurry = r.judgement.outcome == CheckOutcome::Blurry;
    g.relative_drop = r.judgement.relative_drop;
    g.last_check_time = r.time;
    set_incidents(g, r.open_incidents);

    for (const RecordedTransition& t : r.transitions) {
      AlertEvent e;
      e.camera = cam.identity;
      e.name = cam.name;
      e.event = t.transition.type;
      e.kind = t.transition.kind;
      e.time = r.time;
      e.score = r.result.score;
      e.reason = r.judgement.reason.empty() ? r.judgement.label : r.judgement.reason;
      e.check_id = r.check_id;
      e.incident_id = t.incident_id;
      e.open_incidents = r.open_incidents;
      line(when + "  " + cam.name + "  INCIDENT " + (e.event == Transition::Type::Open ? "OPEN " : "CLOSE ") +
           incident_kind_name(e.kind) + " (incident " + std::to_string(e.incident_id) + ")" +
           (e.reason.empty() ? "" : ": " + e.reason));
      for (auto& sink : sinks) sink->submit(e);
    }

    if (r.judgement.outcome == CheckOutcome::Blurry)
      any_blurry = true;
    else if (r.judgement.outcome != CheckOutcome::Clear)
      any_unchecked = true;
    if (settings.once) due[d.index] = -1;
  }

  // Stops the schedule; returns how many queued checks will not start.
  std::size_t begin_stop() {
    if (stopping) return 0;
    stopping = true;
    std::size_t dropped = 0;
    {
      std::lock_guard<std::mutex> lock(queue_lock);
      dropped = queue.size();
      in_flight -= dropped;  // queued but not started: never run
      for (std::size_t i : queue) busy[i] = false;
      queue.clear();
      closed = true;
    }
    queue_cv.notify_all();
    return dropped;
  }

  std::size_t alerts_pending() const {
    std::size_t n = 0;
    for (const auto& s : sinks) n += s->pending();
    return n;
  }

  static gboolean on_tick(gpointer data) {
    static_cast<Impl*>(data)->tick();
    return G_SOURCE_CONTINUE;
  }

  void tick() {
    if (!stopping && cli::InterruptWatch::received()) {
      stop_signal = cli::InterruptWatch::received();
      const std::size_t queued = begin_stop();
      std::fprintf(stderr, "focusmeter watch: %s: finishing %zu check(s) in flight (%zu queued not started)\n",
                   cli::signal_label(stop_signal).c_str(), in_flight, queued);
    }
    if (!stopping && settings.once && checked == cameras.size()) begin_stop();
    if (stopping) {
      if (in_flight > 0) return;
      if (drain_deadline == 0) drain_deadline = now_mono() + settings.drain_s;
      if (alerts_pending() > 0 && now_mono() < drain_deadline) return;
      if (alerts_pending() > 0)
        std::fprintf(stderr, "focusmeter watch: %zu alert(s) not delivered at exit\n", alerts_pending());
      g_main_loop_quit(loop);
      return;
    }
    const double now = now_mono();
    std::vector<std::size_t> start;
    for (std::size_t i = 0; i < cameras.size(); ++i) {
      if (busy[i] || due[i] < 0 || due[i] > now) continue;
      busy[i] = true;
      due[i] = settings.once ? -1 : now + jittered(i);
      start.push_back(i);
    }
    if (start.empty()) return;
    {
      std::lock_guard<std::mutex> lock(queue_lock);
      for (std::size_t i : start) queue.push_back(i);
    }
    in_flight += start.size();
    queue_cv.notify_all();
  }
};

WatchLoop::WatchLoop(std::vector<WatchCamera>& cameras, const CheckSettings& check, WatchState& state,
                     std::vector<std::unique_ptr<AlertSink>>& sinks, const LoopSettings& settings, FILE* out)
    : impl_(std::make_unique<Impl>(cameras, check, state, sinks, settings, out)) {
  Impl& m = *impl_;
  const double now = Impl::now_mono();
  m.due.resize(cameras.size());
  m.busy.assign(cameras.size(), false);
  for (std::size_t i = 0; i < cameras.size(); ++i) {
    // The first round: at once with --once, else spread over the first
    // `jitter` share of the interval.
    m.due[i] =
        settings.once || settings.jitter <= 0 ? now : now + g_random_double_range(0, settings.jitter * m.interval(i));
    report::CameraGauges g;
    g.camera = cameras[i].identity;
    g.name = cameras[i].name;
    std::vector<IncidentKind> open;
    {
      std::lock_guard<std::mutex> guard(state.lock);
      for (IncidentKind k : kIncidentKinds)
        if (state.tracker.incident_open(cameras[i].identity, k)) open.push_back(k);
    }
    Impl::set_incidents(g, open);
    m.camera_gauges.push_back(std::move(g));
  }
}

WatchLoop::~WatchLoop() {
  impl_->begin_stop();
  for (auto& t : impl_->workers)
    if (t.joinable()) t.join();
}

std::vector<report::CameraGauges> WatchLoop::gauges() const { return impl_->camera_gauges; }

int WatchLoop::run() {
  Impl& m = *impl_;
  g_autoptr(GMainLoop) loop = g_main_loop_new(nullptr, FALSE);
  m.loop = loop;
  const int threads = std::max(1, std::min<int>(m.settings.jobs, static_cast<int>(m.cameras.size())));
  for (int i = 0; i < threads; ++i) m.workers.emplace_back([&m] { m.worker(); });
  m.tick();
  const guint tick = g_timeout_add(kTickMs, Impl::on_tick, &m);
  g_main_loop_run(loop);
  g_source_remove(tick);
  m.begin_stop();
  for (auto& t : m.workers) t.join();
  m.workers.clear();
  // Checks finished after the loop quit are recorded but not yet printed:
  // none, since the loop quits only with nothing in flight.
  m.loop = nullptr;
  if (m.exit_status != cli::kExitAllClear) return m.exit_status;
  if (m.stop_signal) return m.settings.once ? cli::interrupted_exit_status(m.stop_signal) : 0;
  if (!m.settings.once) return 0;
  return m.any_blurry ? cli::kExitBlurry : m.any_unchecked ? cli::kExitUnchecked : cli::kExitAllClear;
}

}  // namespace focusmeter::watch
