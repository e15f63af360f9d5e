#include "mosquitto_broker.h"

#include <mosquitto.h>

#include <fstream>

#include "loop_util.h"

namespace focusmeter::watch::testing {

MosquittoBroker::MosquittoBroker(const std::string& dir, std::uint16_t port)
    : config_(dir + "/mosquitto.conf"), port_(port ? port : free_loopback_port()) {
  std::ofstream conf(config_);
  // Loopback only; the test's own clients are anonymous.
  conf << "listener " << port_ << " 127.0.0.1\n"
       << "allow_anonymous true\n"
       << "persistence false\n"
       << "log_dest stderr\n"
       << "log_type error\n"
       << "log_type warning\n";
}

MosquittoBroker::~MosquittoBroker() { stop(); }

bool MosquittoBroker::start(std::string& error) {
  g_autofree char* program = g_find_program_in_path("mosquitto");
  std::string path = program ? program : "/usr/sbin/mosquitto";
  if (!g_file_test(path.c_str(), G_FILE_TEST_IS_EXECUTABLE)) {
    error = "mosquitto is not installed (Debian package mosquitto; tools/scripts/install-deps.sh)";
    return false;
  }
  g_autoptr(GError) err = nullptr;
  process_ = g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &err, path.c_str(), "-c", config_.c_str(), nullptr);
  if (!process_) {
    error = err->message;
    return false;
  }
  g_autoptr(GSocketClient) client = g_socket_client_new();
  for (int i = 0; i < 250; ++i) {
    g_autoptr(GSocketConnection) c = g_socket_client_connect_to_host(client, "127.0.0.1", port_, nullptr, nullptr);
    if (c) return true;
    g_usleep(20000);
  }
  error = "mosquitto did not listen on 127.0.0.1:" + std::to_string(port_) + " within 5 s";
  return false;
}

void MosquittoBroker::stop() {
  if (!process_) return;
  g_subprocess_send_signal(process_, SIGTERM);
  g_subprocess_wait(process_, nullptr, nullptr);
  g_clear_object(&process_);
}

MqttRecorder::MqttRecorder(std::uint16_t port, const std::string& topic) : topic_(topic) {
  mosquitto_lib_init();
  client_ = mosquitto_new(nullptr, true, this);
  mosquitto_connect_callback_set(client_, on_connect);
  mosquitto_subscribe_callback_set(client_, on_subscribe);
  mosquitto_message_callback_set(client_, on_message);
  mosquitto_connect(client_, "127.0.0.1", port, 30);
  mosquitto_loop_start(client_);
}

MqttRecorder::~MqttRecorder() {
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, true);
  mosquitto_destroy(client_);
}

void MqttRecorder::on_connect(mosquitto* m, void* self, int rc) {
  if (rc == 0) mosquitto_subscribe(m, nullptr, static_cast<MqttRecorder*>(self)->topic_.c_str(), 1);
}

void MqttRecorder::on_subscribe(mosquitto*, void* self, int, int, const int*) {
  auto* r = static_cast<MqttRecorder*>(self);
  std::lock_guard<std::mutex> lock(r->mutex_);
  r->subscribed_ = true;
}

void MqttRecorder::on_message(mosquitto*, void* self, const mosquitto_message* m) {
  auto* r = static_cast<MqttRecorder*>(self);
  std::lock_guard<std::mutex> lock(r->mutex_);
  r->messages_.push_back({m->topic,
                          std::string(static_cast<const char*>(m->payload), static_cast<std::size_t>(m->payloadlen)),
                          m->retain});
}

bool MqttRecorder::subscribed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return subscribed_;
}

std::vector<MqttRecorder::Message> MqttRecorder::messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

}  // namespace focusmeter::watch::testing
