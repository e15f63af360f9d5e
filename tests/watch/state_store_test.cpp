#include "watch/state_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "nlohmann/json.hpp"
#include "temp_dir.h"

namespace fw = focusmeter::watch;
using fw::testing::TempDir;

namespace {

std::int64_t add_camera(fw::StateStore& s, const std::string& identity) {
  fw::CameraRecord c;
  c.identity = identity;
  c.name = identity;
  c.url = "rtsp://" + identity + "/stream1";
  return s.upsert_camera(c);
}

std::int64_t add_check(fw::StateStore& s, std::int64_t camera, double time, const std::string& status = "ok") {
  fw::CheckRecord c;
  c.camera_id = camera;
  c.time = time;
  c.status = status;
  if (status == "ok") {
    c.verdict = "CLEAR";
    c.score = 0.91;
  }
  return s.add_check(c);
}

}  // namespace

TEST(StateStore, FreshFileIsWalAtTheCurrentVersion) {
  TempDir dir;
  fw::StateStore s(dir.file("state.db"));
  EXPECT_EQ(s.schema_version(), fw::StateStore::kSchemaVersion);
  EXPECT_EQ(s.journal_mode(), "wal");
  EXPECT_EQ(s.integrity_check(), "ok");
}

TEST(StateStore, CamerasAreUpsertedByIdentityAndNeverHoldAPassword) {
  TempDir dir;
  fw::StateStore s(dir.file("state.db"));
  fw::CameraRecord c;
  c.identity = "rtsp://127.0.0.2:8554/cam";
  c.name = "gate";
  c.url = "rtsp://127.0.0.2:8554/cam";
  c.settings_json = R"({"every":60})";
  const auto id = s.upsert_camera(c);
  c.name = "front gate";
  EXPECT_EQ(s.upsert_camera(c), id);
  const auto back = s.camera(c.identity);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "front gate");
  EXPECT_EQ(back->settings_json, R"({"every":60})");
  EXPECT_EQ(s.cameras().size(), 1u);

  fw::CameraRecord leaky = c;
  leaky.identity = "other";
  leaky.url = "rtsp://admin:hunter2@127.0.0.3/cam";
  try {
    s.upsert_camera(leaky);
    FAIL() << "a URL with a password was stored";
  } catch (const fw::StoreError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(s.camera("other"));
  leaky.identity = leaky.url;  // nor as the identity, nor in the error
  leaky.url = "rtsp://127.0.0.3/cam";
  try {
    s.upsert_camera(leaky);
    FAIL() << "an identity with a password was stored";
  } catch (const fw::StoreError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(s.cameras().size(), 1u);
}

TEST(StateStore, ChecksRoundTripWithTheirOptionalFields) {
  TempDir dir;
  fw::StateStore s(dir.file("state.db"));
  const auto cam = add_camera(s, "a");
  fw::CheckRecord full;
  full.camera_id = cam;
  full.time = 1700000000.25;
  full.status = "ok";
  full.verdict = "BLURRY";
  full.score = 0.125;
  full.features_json = R"({"lap_var":3.5})";
  full.map_json = "[[1,2],[3,4]]";
  full.snapshot = "/var/lib/x.jpg";
  const auto id = s.add_check(full);
  const auto unreachable = add_check(s, cam, 1700000300, "unreachable");

  const auto a = s.check(id);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->verdict, std::optional<std::string>("BLURRY"));
  EXPECT_DOUBLE_EQ(*a->score, 0.125);
  EXPECT_DOUBLE_EQ(a->time, 1700000000.25);
  EXPECT_EQ(a->map_json, std::optional<std::string>("[[1,2],[3,4]]"));
  EXPECT_EQ(a->snapshot, std::optional<std::string>("/var/lib/x.jpg"));
  const auto b = s.check(unreachable);
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->verdict);
  EXPECT_FALSE(b->score);
  EXPECT_FALSE(b->map_json);
  EXPECT_FALSE(b->snapshot);
  EXPECT_EQ(s.checks(cam).size(), 2u);
  EXPECT_EQ(s.checks(cam, 1700000100).size(), 1u);
  EXPECT_FALSE(s.check(9999));
}

TEST(StateStore, CheckOfAnUnknownCameraIsRefused) {
  TempDir dir;
  fw::StateStore s(dir.file("state.db"));
  EXPECT_THROW(add_check(s, 42, 1.0), fw::StoreError);  // foreign key
}

TEST(StateStore, TheNewestReferencePerModeIsCurrent) {
  TempDir dir;
  fw::StateStore s(dir.file("state.db"));
  const auto cam = add_camera(s, "a");
  const auto check = add_check(s, cam, 10);
  fw::ReferenceRecord r;
  r.camera_id = cam;
  r.features_json = "{}";
  r.map_json = "[]";
  r.created = 100;
  s.add_reference(r);
  r.created = 200;
  r.source_check_id = check;
  const auto newer = s.add_reference(r);
  r.mode = fw::LightMode::Night;
  r.created = 300;
  const auto night = s.add_reference(r);

  const auto day = s.current_reference(cam, fw::LightMode::Day);
  ASSERT_TRUE(day);
  EXPECT_EQ(day->id, newer);
  EXPECT_EQ(day->source_check_id, std::optional<std::int64_t>(check));
  EXPECT_EQ(s.current_reference(cam, fw::LightMode::Night)->id, night);
  EXPECT_FALSE(s.current_reference(add_camera(s, "b"), fw::LightMode::Day));
}

TEST(StateStore, OneOpenIncidentPerCameraAndKind) {
  TempDir dir;
  fw::StateStore s(dir.file("state.db"));
  const auto cam = add_camera(s, "a");
  const auto c1 = add_check(s, cam, 1);
  const auto c2 = add_check(s, cam, 2);
  const auto blurry = s.open_incident(cam, "blurry", 1, c1);
  EXPECT_THROW(s.open_incident(cam, "blurry", 2, c2), fw::StoreError);
  const auto offline = s.open_incident(cam, "unavailable", 2, c2);
  EXPECT_EQ(s.open_incidents(cam).size(), 2u);

  s.close_incident(blurry, 3, c2);
  EXPECT_THROW(s.close_incident(blurry, 4, c2), fw::StoreError);  // already closed
  EXPECT_THROW(s.close_incident(12345, 4, c2), fw::StoreError);
  const auto open = s.open_incidents(cam);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, offline);
  const auto all = s.incidents(cam);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].closed_at, std::optional<double>(3));
  EXPECT_EQ(all[0].close_check_id, std::optional<std::int64_t>(c2));
  // Closed, so a new one of the same kind may open.
  EXPECT_NO_THROW(s.open_incident(cam, "blurry", 5, c2));
}

TEST(StateStore, ABatchIsAllOrNothing) {
  TempDir dir;
  fw::StateStore s(dir.file("state.db"));
  const auto cam = add_camera(s, "a");
  try {
    fw::StateStore::Batch batch(s);
    const auto c = add_check(s, cam, 1);
    s.save_debounce(cam, "blurry", 1);
    s.open_incident(cam, "blurry", 1, c);
    s.open_incident(cam, "blurry", 1, c);  // throws: the whole batch goes
    batch.commit();
  } catch (const fw::StoreError&) {
  }
  EXPECT_TRUE(s.checks(cam).empty());
  EXPECT_TRUE(s.debounce(cam).empty());
  EXPECT_TRUE(s.incidents(cam).empty());

  {
    fw::StateStore::Batch batch(s);
    add_check(s, cam, 1);
    s.save_debounce(cam, "blurry", 1);
    // Not committed.
  }
  EXPECT_TRUE(s.checks(cam).empty());
  {
    fw::StateStore::Batch batch(s);
    add_check(s, cam, 1);
    s.save_debounce(cam, "blurry", 1);
    batch.commit();
  }
  EXPECT_EQ(s.checks(cam).size(), 1u);
  ASSERT_EQ(s.debounce(cam).size(), 1u);
  EXPECT_EQ(s.debounce(cam)[0].streak, 1);
  // Writes after the batch are their own transactions again.
  s.save_debounce(cam, "blurry", 2);
  EXPECT_EQ(s.debounce(cam)[0].streak, 2);
}

TEST(StateStore, MigratesAVersion1DatabaseKeepingItsData) {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  fw::StateStore::create_at_version(path, 1);
  {
    // Data as version 1 wrote it, through the raw API.
    fw::SqliteDb db(path);
    db.exec(
        "INSERT INTO cameras (id, identity, name, url) VALUES (1, 'cam-a', 'A', 'rtsp://127.0.0.2/a');"
        "INSERT INTO checks (id, camera_id, time, status, verdict, score, features) "
        "  VALUES (7, 1, 100.0, 'ok', 'BLURRY', 0.2, '{}');"
        "INSERT INTO incidents (id, camera_id, kind, opened_at, open_check_id) VALUES (3, 1, 'blurry', 100.0, 7);");
    fw::SqliteStatement v(db, "PRAGMA user_version");
    ASSERT_TRUE(v.step());
    ASSERT_EQ(v.int64(0), 1);
  }
  fw::StateStore s(path);
  EXPECT_EQ(s.schema_version(), fw::StateStore::kSchemaVersion);
  EXPECT_EQ(s.integrity_check(), "ok");
  const auto cam = s.camera("cam-a");
  ASSERT_TRUE(cam);
  EXPECT_EQ(cam->id, 1);
  ASSERT_TRUE(s.check(7));
  EXPECT_EQ(s.check(7)->verdict, std::optional<std::string>("BLURRY"));
  const auto open = s.open_incidents(1);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, 3);
  // What version 2 added works on the migrated file.
  s.save_debounce(1, "blurry", 2);
  EXPECT_EQ(s.debounce(1).at(0).streak, 2);
  EXPECT_THROW(s.open_incident(1, "blurry", 101, 7), fw::StoreError);
}

TEST(StateStore, RefusesASchemaNewerThanItKnows) {
  TempDir dir;
  const std::string path = dir.file("future.db");
  { fw::StateStore s(path); }
  {
    fw::SqliteDb db(path);
    db.exec(("PRAGMA user_version = " + std::to_string(fw::StateStore::kSchemaVersion + 1)).c_str());
  }
  try {
    fw::StateStore s(path);
    FAIL() << "opened a newer schema";
  } catch (const fw::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST(StateStore, UnopenableFileIsAOneLineError) {
  TempDir dir;
  try {
    fw::StateStore s(dir.file("no/such/dir/state.db"));
    FAIL();
  } catch (const fw::StoreError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

// A writer killed with SIGKILL at a random moment, again and again, while it
// commits a check (with a large map) and the debounce counter that counts
// checks in one batch: after each kill the file passes integrity_check and
// the batch is all-or-nothing (the counter equals the number of checks and
// every check row is whole).
TEST(StateStore, SurvivesSigkillMidWrite) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  std::int64_t cam = 0;
  {
    fw::StateStore s(path);
    cam = add_camera(s, "victim");
  }
  const std::string pad(512 * 1024, 'x');  // makes each commit take a while
  int kills = 0;
  for (int round = 0; round < 6; ++round) {
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(ready[0]);
      try {
        fw::StateStore s(path);
        auto n = static_cast<std::int64_t>(s.checks(cam).size());
        bool told = false;
        for (;;) {
          ++n;
          fw::StateStore::Batch batch(s);
          fw::CheckRecord c;
          c.camera_id = cam;
          c.time = static_cast<double>(n);
          c.status = "ok";
          c.features_json = nlohmann::json{{"seq", n}, {"pad", pad}}.dump();
          c.map_json = "[" + std::to_string(n) + "]";
          s.add_check(c);
          s.save_debounce(cam, "seq", static_cast<int>(n));
          batch.commit();
          if (!told) {
            told = write(ready[1], "r", 1) == 1;
          }
        }
      } catch (...) {
        _exit(3);
      }
    }
    close(ready[1]);
    char byte = 0;
    ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the writer never committed";
    close(ready[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(37 + 53 * round));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself, status " << status;
    ++kills;

    fw::StateStore s(path);
    ASSERT_EQ(s.integrity_check(), "ok");
    const auto checks = s.checks(cam);
    const auto counters = s.debounce(cam);
    ASSERT_EQ(counters.size(), 1u);
    ASSERT_EQ(static_cast<std::size_t>(counters[0].streak), checks.size()) << "a batch survived in part";
    for (std::size_t i = 0; i < checks.size(); ++i) {
      const auto f = nlohmann::json::parse(checks[i].features_json);
      ASSERT_EQ(f.at("seq").get<std::int64_t>(), static_cast<std::int64_t>(i + 1));
      ASSERT_EQ(f.at("pad").get<std::string>().size(), pad.size());
      ASSERT_EQ(checks[i].map_json, "[" + std::to_string(i + 1) + "]");
    }
  }
  EXPECT_EQ(kills, 6);
}
