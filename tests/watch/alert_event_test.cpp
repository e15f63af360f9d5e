#include "watch/alert_event.h"

#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "watch/alert_sink.h"

namespace fw = focusmeter::watch;

namespace {
fw::AlertEvent sample() {
  fw::AlertEvent e;
  e.camera = "rtsp://127.0.0.2:8554/gate";
  e.name = "gate";
  e.event = fw::Transition::Type::Open;
  e.kind = fw::IncidentKind::Blurry;
  e.time = 1796290800.75;
  e.score = 0.125;
  e.reason = "relative focus drop 0.41";
  e.check_id = 42;
  e.incident_id = 7;
  e.open_incidents = {fw::IncidentKind::Blurry, fw::IncidentKind::Unavailable};
  return e;
}
}  // namespace

TEST(AlertEvent, BodyHasEveryDocumentedField) {
  const auto j = nlohmann::json::parse(fw::alert_event_json(sample()));
  EXPECT_EQ(j.at("version"), 1);
  EXPECT_EQ(j.at("camera"), "rtsp://127.0.0.2:8554/gate");
  EXPECT_EQ(j.at("name"), "gate");
  EXPECT_EQ(j.at("event"), "open");
  EXPECT_EQ(j.at("kind"), "blurry");
  EXPECT_EQ(j.at("time"), "2026-12-03T09:40:00Z");
  EXPECT_DOUBLE_EQ(j.at("timestamp").get<double>(), 1796290800.75);
  EXPECT_DOUBLE_EQ(j.at("score").get<double>(), 0.125);
  EXPECT_EQ(j.at("reason"), "relative focus drop 0.41");
  EXPECT_EQ(j.at("check_id"), 42);
  EXPECT_EQ(j.at("incident_id"), 7);
  EXPECT_EQ(j.at("open_incidents"), (nlohmann::json{"blurry", "unavailable"}));
  EXPECT_EQ(j.size(), 12u);
}

TEST(AlertEvent, CloseWithoutScoreIsNull) {
  auto e = sample();
  e.event = fw::Transition::Type::Close;
  e.kind = fw::IncidentKind::Unavailable;
  e.score.reset();
  e.open_incidents.clear();
  const auto j = nlohmann::json::parse(fw::alert_event_json(e));
  EXPECT_EQ(j.at("event"), "close");
  EXPECT_EQ(j.at("kind"), "unavailable");
  EXPECT_TRUE(j.at("score").is_null());
  const auto s = nlohmann::json::parse(fw::camera_state_json(e));
  EXPECT_EQ(s.at("state"), "ok");
  EXPECT_TRUE(s.at("open_incidents").empty());
  EXPECT_EQ(nlohmann::json::parse(fw::camera_state_json(sample())).at("state"), "incident");
}

TEST(AlertEvent, NeverCarriesAPassword) {
  auto e = sample();
  e.camera = "rtsp://admin:hunter2@127.0.0.2/cam";
  e.reason = "could not open rtsp://admin:hunter2@127.0.0.2/cam: refused";
  const std::string body = fw::alert_event_json(e) + fw::camera_state_json(e);
  EXPECT_EQ(body.find("hunter2"), std::string::npos) << body;
  EXPECT_NE(body.find("admin:***@127.0.0.2"), std::string::npos) << body;
}

TEST(AlertEvent, InvalidUtf8IsReplacedNotThrown) {
  auto e = sample();
  e.name = "caf\xe9";
  EXPECT_NO_THROW(nlohmann::json::parse(fw::alert_event_json(e)));
}

TEST(AlertEvent, MqttTopicLevelNeverSplitsOrWildcards) {
  EXPECT_EQ(fw::mqtt_topic_level("rtsp://127.0.0.2:8554/gate"), "rtsp%3A%2F%2F127.0.0.2%3A8554%2Fgate");
  EXPECT_EQ(fw::mqtt_topic_level("a+b#c"), "a%2Bb%23c");
  EXPECT_EQ(fw::mqtt_topic_level("cam-01_x.y"), "cam-01_x.y");
  // '%' is escaped too, so two identities never meet in one topic.
  EXPECT_NE(fw::mqtt_topic_level("a%2Fb"), fw::mqtt_topic_level("a/b"));
}

TEST(RetryPolicy, DoublesUpToTheCap) {
  fw::RetryPolicy p{8, 100, 1000};
  EXPECT_EQ(p.delay_ms(1), 100u);
  EXPECT_EQ(p.delay_ms(2), 200u);
  EXPECT_EQ(p.delay_ms(3), 400u);
  EXPECT_EQ(p.delay_ms(4), 800u);
  EXPECT_EQ(p.delay_ms(5), 1000u);
  EXPECT_EQ(p.delay_ms(60), 1000u);  // no overflow
}
