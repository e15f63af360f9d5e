#include "watch/mqtt_sink.h"

#include <mosquitto.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "cli/secret_file.h"

namespace focusmeter::watch {

namespace {

struct Message {
  std::string topic;
  std::string payload;
  bool retain = false;
};

struct MosquittoFree {
  void operator()(mosquitto* m) const { mosquitto_destroy(m); }
};

void init_library_once() {
  // mosquitto_lib_init is not thread-safe and must run once per process;
  // the library is never cleaned up (it holds nothing worth releasing).
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

struct MqttSink::Impl {
  MqttConfig config;
  AlertLog log;
  std::unique_ptr<mosquitto, MosquittoFree> client;
  std::thread network;  // connects, reconnects and runs mosquitto_loop
  std::atomic<bool> stopping{false};
  std::atomic<unsigned> failures{0};  // since the last accepted connection

  std::mutex sleep_mutex;
  std::condition_variable wake;  // interrupts a back-off sleep on stop

  mutable std::mutex mutex;  // guards everything below
  bool connected = false;
  std::deque<Message> queue;         // not yet handed to libmosquitto
  std::map<int, Message> in_flight;  // handed over, waiting for PUBACK
  bool warned_disconnected = false;

  // Hands queued messages to libmosquitto while connected. Caller holds mutex.
  void flush_locked() {
    while (connected && !queue.empty()) {
      const Message& m = queue.front();
      int mid = 0;
      const int rc = mosquitto_publish(client.get(), &mid, m.topic.c_str(), static_cast<int>(m.payload.size()),
                                       m.payload.data(), 1, m.retain);
      if (rc != MOSQ_ERR_SUCCESS) {
        // Kept for the next connection (on_connect flushes again).
        log("mqtt " + config.host + ":" + std::to_string(config.port) + ": publish failed (" + mosquitto_strerror(rc) +
            "); will retry on reconnection");
        return;
      }
      in_flight.emplace(mid, queue.front());
      queue.pop_front();
    }
  }

  std::string where() const { return "mqtt " + config.host + ":" + std::to_string(config.port); }

  // Sleeps out the back-off after a failure (or until the sink stops).
  void back_off() {
    const unsigned ms = config.retry.delay_ms(++failures);
    std::unique_lock<std::mutex> lock(sleep_mutex);
    wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping.load(); });
  }

  // The network thread. libmosquitto's own loop_start thread does not retry
  // a first connection that failed (2.0.11), so the loop is ours.
  void run() {
    bool have_socket = false;
    while (!stopping) {
      if (!have_socket) {
        const int rc = mosquitto_connect(client.get(), config.host.c_str(), config.port, config.keepalive_s);
        if (rc != MOSQ_ERR_SUCCESS) {
          note_outage(std::string("cannot connect (") + mosquitto_strerror(rc) + ")");
          back_off();
          continue;
        }
        have_socket = true;
      }
      const int rc = mosquitto_loop(client.get(), 250, 1);
      if (rc != MOSQ_ERR_SUCCESS && !stopping) {
        have_socket = false;
        {
          std::lock_guard<std::mutex> lock(mutex);
          connected = false;
        }
        note_outage(std::string("connection lost (") + mosquitto_strerror(rc) + ")");
        back_off();
      }
    }
  }

  void note_outage(const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex);
    if (warned_disconnected) return;  // one line per outage, not per attempt
    warned_disconnected = true;
    log(where() + ": " + what + "; retrying with back-off");
  }

  void enqueue_locked(Message m) {
    if (queue.size() >= config.max_queue && !queue.empty()) {
      log("mqtt: queue full (" + std::to_string(config.max_queue) + " messages); dropped the oldest, for " +
          queue.front().topic);
      queue.pop_front();
    }
    queue.push_back(std::move(m));
  }
};

namespace {

void on_connect(mosquitto*, void* obj, int rc) {
  auto* impl = static_cast<MqttSink::Impl*>(obj);
  std::lock_guard<std::mutex> lock(impl->mutex);
  if (rc != 0) {
    impl->log("mqtt " + impl->config.host + ":" + std::to_string(impl->config.port) +
              ": broker refused the connection (" + mosquitto_connack_string(rc) + ")");
    return;
  }
  if (impl->warned_disconnected) impl->log(impl->where() + ": connected");
  impl->warned_disconnected = false;
  impl->failures = 0;
  impl->connected = true;
  impl->flush_locked();
}

void on_disconnect(mosquitto*, void* obj, int) {
  auto* impl = static_cast<MqttSink::Impl*>(obj);
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->connected = false;
}

void on_publish(mosquitto*, void* obj, int mid) {
  auto* impl = static_cast<MqttSink::Impl*>(obj);
  std::lock_guard<std::mutex> lock(impl->mutex);
  impl->in_flight.erase(mid);
}

}  // namespace

MqttSink::MqttSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MqttSink::~MqttSink() {
  impl_->stopping = true;
  impl_->wake.notify_all();
  if (impl_->network.joinable()) impl_->network.join();  // mosquitto_loop returns within 250 ms
  mosquitto_disconnect(impl_->client.get());
}

std::unique_ptr<MqttSink> MqttSink::create(const MqttConfig& config, AlertLog log, std::string& error) {
  if (config.prefix.empty() || config.prefix.find_first_of("+#") != std::string::npos || config.prefix.back() == '/') {
    error = "mqtt: the topic prefix must be non-empty, without '+', '#' or a trailing '/'";
    return nullptr;
  }
  init_library_once();
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->log = log ? std::move(log) : default_alert_log();
  const std::string id =
      config.client_id.empty() ? "focusmeter-watch-" + std::to_string(static_cast<long>(getpid())) : config.client_id;
  impl->client.reset(mosquitto_new(id.c_str(), true, impl.get()));
  if (!impl->client) {
    error = "mqtt: cannot create a client";
    return nullptr;
  }
  if (!config.username.empty()) {
    std::string password;
    if (!config.password_file.empty() && !cli::read_secret_file(config.password_file, password, error)) return nullptr;
    if (mosquitto_username_pw_set(impl->client.get(), config.username.c_str(),
                                  config.password_file.empty() ? nullptr : password.c_str()) != MOSQ_ERR_SUCCESS) {
      error = "mqtt: cannot set the user name";
      return nullptr;
    }
  }
  mosquitto_connect_callback_set(impl->client.get(), on_connect);
  mosquitto_disconnect_callback_set(impl->client.get(), on_disconnect);
  mosquitto_publish_callback_set(impl->client.get(), on_publish);
  // Publishing happens on the caller's thread, the loop on ours.
  mosquitto_threaded_set(impl->client.get(), true);
  Impl* raw = impl.get();
  impl->network = std::thread([raw] { raw->run(); });
  return std::unique_ptr<MqttSink>(new MqttSink(std::move(impl)));
}

void MqttSink::submit(const AlertEvent& event) {
  const std::string& prefix = impl_->config.prefix;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // State first: a subscriber that sees the event finds the state current.
  impl_->enqueue_locked({prefix + "/" + mqtt_topic_level(event.camera) + "/state", camera_state_json(event), true});
  impl_->enqueue_locked({prefix + "/events", alert_event_json(event), false});
  impl_->flush_locked();
}

std::size_t MqttSink::pending() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->queue.size() + impl_->in_flight.size();
}

bool MqttSink::connected() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->connected;
}

}  // namespace focusmeter::watch
