// A private mosquitto broker for one test: listens on 127.0.0.1 only, on a
// port chosen at run time, anonymous, no persistence; stopped (and its
// config removed with the test's TempDir) when the object goes.
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

struct mosquitto;
struct mosquitto_message;

namespace focusmeter::watch::testing {

class MosquittoBroker {
 public:
  // Writes the config in `dir`; `port` 0 picks a free one.
  MosquittoBroker(const std::string& dir, std::uint16_t port = 0);
  ~MosquittoBroker();
  // Starts the broker and waits until it accepts connections; false with
  // `error` when the program is missing or never answers.
  bool start(std::string& error);
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  std::string config_;
  std::uint16_t port_;
  GSubprocess* process_ = nullptr;
};

// A libmosquitto subscriber to "topic" on the broker, recording messages.
class MqttRecorder {
 public:
  struct Message {
    std::string topic;
    std::string payload;
    bool retained = false;
  };
  MqttRecorder(std::uint16_t port, const std::string& topic);
  ~MqttRecorder();
  bool subscribed() const;
  std::vector<Message> messages() const;

 private:
  static void on_connect(mosquitto*, void*, int);
  static void on_subscribe(mosquitto*, void*, int, int, const int*);
  static void on_message(mosquitto*, void*, const mosquitto_message*);
  std::string topic_;
  mosquitto* client_ = nullptr;
  mutable std::mutex mutex_;
  bool subscribed_ = false;
  std::vector<Message> messages_;
};

}  // namespace focusmeter::watch::testing
