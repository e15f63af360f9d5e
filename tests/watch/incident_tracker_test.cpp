#include "watch/incident_tracker.h"

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "watch/incident_journal.h"

namespace fw = focusmeter::watch;
using fw::CheckOutcome;
using fw::IncidentKind;
using fw::Transition;

namespace {

// Feeds `outcomes` and returns every transition as "open blurry" etc.
std::vector<std::string> feed(fw::IncidentTracker& t, const std::vector<CheckOutcome>& outcomes,
                              const std::string& camera = "cam") {
  std::vector<std::string> out;
  for (CheckOutcome o : outcomes)
    for (const Transition& tr : t.observe(camera, o))
      out.push_back(std::string(tr.type == Transition::Type::Open ? "open " : "close ") +
                    fw::incident_kind_name(tr.kind));
  return out;
}

using V = std::vector<std::string>;
constexpr auto C = CheckOutcome::Clear;
constexpr auto B = CheckOutcome::Blurry;
constexpr auto U = CheckOutcome::Unavailable;
constexpr auto I = CheckOutcome::Inconclusive;

}  // namespace

TEST(IncidentTracker, OpensOnlyAtTheConfirmThBadCheck) {
  fw::IncidentTracker t(3);
  EXPECT_EQ(feed(t, {B, B}), V{});
  EXPECT_EQ(t.state("cam", IncidentKind::Blurry), (fw::DebounceState{false, 2}));
  EXPECT_EQ(feed(t, {B}), V{"open blurry"});
  EXPECT_EQ(t.state("cam", IncidentKind::Blurry), (fw::DebounceState{true, 0}));
}

TEST(IncidentTracker, OneEventPerTransitionNeverPerCheck) {
  fw::IncidentTracker t(3);
  EXPECT_EQ(feed(t, {B, B, B, B, B, B, B, B}), V{"open blurry"});
  EXPECT_EQ(feed(t, {C, C, C, C, C, C}), V{"close blurry"});
}

TEST(IncidentTracker, AGoodCheckResetsTheBadStreak) {
  fw::IncidentTracker t(3);
  EXPECT_EQ(feed(t, {B, B, C, B, B, C, B, B}), V{});
  EXPECT_EQ(feed(t, {B}), V{"open blurry"});
}

TEST(IncidentTracker, ABadCheckResetsTheGoodStreakWhileOpen) {
  fw::IncidentTracker t(3);
  feed(t, {B, B, B});
  EXPECT_EQ(feed(t, {C, C, B, C, C}), V{});
  EXPECT_TRUE(t.incident_open("cam", IncidentKind::Blurry));
  EXPECT_EQ(feed(t, {C}), V{"close blurry"});
  EXPECT_FALSE(t.incident_open("cam", IncidentKind::Blurry));
}

TEST(IncidentTracker, ConfirmOfOneFollowsEveryChange) {
  fw::IncidentTracker t(1);
  EXPECT_EQ(feed(t, {B, C, B}), (V{"open blurry", "close blurry", "open blurry"}));
  EXPECT_EQ(fw::IncidentTracker(0).confirm(), 1);
  EXPECT_EQ(fw::IncidentTracker(-4).confirm(), 1);
}

TEST(IncidentTracker, UnreachableNeitherConfirmsNorClearsBlur) {
  fw::IncidentTracker t(3);
  // Two blurry, an outage, one more blurry: the blur streak survives the
  // outage (no evidence), so the third blurry check opens the incident.
  EXPECT_EQ(feed(t, {B, B, U, U, B}), V{"open blurry"});
  // Offline for three checks: an unavailable incident opens beside the blur
  // one, which stays open.
  EXPECT_EQ(feed(t, {U, U, U}), V{"open unavailable"});
  EXPECT_TRUE(t.incident_open("cam", IncidentKind::Blurry));
  // Back, still blurry: unavailable closes after three answers, blur stays.
  EXPECT_EQ(feed(t, {B, B, B}), V{"close unavailable"});
  EXPECT_TRUE(t.incident_open("cam", IncidentKind::Blurry));
  EXPECT_EQ(feed(t, {C, C, C}), V{"close blurry"});
}

TEST(IncidentTracker, InconclusiveFramesSayNothingAboutFocus) {
  fw::IncidentTracker t(2);
  EXPECT_EQ(feed(t, {B, I, I, B}), V{"open blurry"});
  EXPECT_EQ(feed(t, {C, I, I, C}), V{"close blurry"});
  // ... but they show the camera answers.
  EXPECT_EQ(feed(t, {U, U}), V{"open unavailable"});
  EXPECT_EQ(feed(t, {I, I}), V{"close unavailable"});
}

TEST(IncidentTracker, ViewChangedAndObscuredAreTheirOwnIncidents) {
  fw::IncidentTracker t(2);
  EXPECT_EQ(feed(t, {CheckOutcome::ViewChanged, CheckOutcome::ViewChanged}), V{"open view_changed"});
  // A moved camera is not called blurry, and blur says nothing about the view.
  EXPECT_FALSE(t.incident_open("cam", IncidentKind::Blurry));
  EXPECT_EQ(feed(t, {B, B}), V{"open blurry"});
  EXPECT_TRUE(t.incident_open("cam", IncidentKind::ViewChanged));
  EXPECT_EQ(feed(t, {C, C}), (V{"close blurry", "close view_changed"}));
  EXPECT_EQ(feed(t, {CheckOutcome::Obscured, CheckOutcome::Obscured}), V{"open obscured"});
  EXPECT_EQ(feed(t, {B, B}), (V{"open blurry", "close obscured"}));  // kind order
}

TEST(IncidentTracker, CamerasAreIndependent) {
  fw::IncidentTracker t(2);
  EXPECT_EQ(feed(t, {B}, "a"), V{});
  EXPECT_EQ(feed(t, {B}, "b"), V{});
  EXPECT_EQ(feed(t, {C}, "a"), V{});
  EXPECT_EQ(feed(t, {B}, "b"), V{"open blurry"});
  EXPECT_FALSE(t.incident_open("a", IncidentKind::Blurry));
}

TEST(IncidentTracker, EvidenceTableMatchesTheHeader) {
  using E = fw::Evidence;
  EXPECT_EQ(fw::evidence_for(C, IncidentKind::Unavailable), E::Good);
  EXPECT_EQ(fw::evidence_for(B, IncidentKind::Blurry), E::Bad);
  EXPECT_EQ(fw::evidence_for(B, IncidentKind::ViewChanged), E::None);
  EXPECT_EQ(fw::evidence_for(CheckOutcome::ViewChanged, IncidentKind::Blurry), E::None);
  EXPECT_EQ(fw::evidence_for(CheckOutcome::Obscured, IncidentKind::Obscured), E::Bad);
  EXPECT_EQ(fw::evidence_for(I, IncidentKind::Obscured), E::Good);
  EXPECT_EQ(fw::evidence_for(U, IncidentKind::Blurry), E::None);
  EXPECT_EQ(fw::evidence_for(U, IncidentKind::Unavailable), E::Bad);
  for (IncidentKind k : fw::kIncidentKinds) {
    EXPECT_EQ(fw::evidence_for(C, k), E::Good) << fw::incident_kind_name(k);
    EXPECT_EQ(fw::parse_incident_kind(fw::incident_kind_name(k)), k);
  }
  EXPECT_FALSE(fw::parse_incident_kind("on_fire"));
}

TEST(IncidentTracker, RestoreResumesAndNeverFiresByItself) {
  fw::IncidentTracker t(3);
  t.restore("cam", IncidentKind::Blurry, {false, 2});
  EXPECT_EQ(feed(t, {B}), V{"open blurry"});
  // A streak from a run with a larger --confirm is clamped below confirm.
  fw::IncidentTracker u(3);
  u.restore("cam", IncidentKind::Blurry, {true, 7});
  EXPECT_EQ(u.state("cam", IncidentKind::Blurry), (fw::DebounceState{true, 2}));
  EXPECT_EQ(feed(u, {C}), V{"close blurry"});
}

// The store round trip: a watch restarted at any point (a new tracker
// restored from the store) produces exactly the transitions of one that
// never stopped, and the store holds each incident once.
TEST(IncidentJournal, RestartsNeverDuplicateOrLoseATransition) {
  fw::testing::TempDir dir;
  const std::string path = dir.file("state.db");
  const std::vector<CheckOutcome> script = {B, B, U, B, B, B, C, C, B, C, C, C, U, U, U, C, C, C};

  fw::IncidentTracker steady(3);
  const V expected = feed(steady, script);
  ASSERT_EQ(expected, (V{"open blurry", "close blurry", "open unavailable", "close unavailable"}));

  V got;
  double time = 1000;
  for (std::size_t i = 0; i < script.size(); ++i) {
    // Restart before every check: the harshest schedule.
    fw::StateStore store(path);
    fw::CameraRecord cam;
    cam.identity = "cam";
    const auto cam_id = store.upsert_camera(cam);
    fw::IncidentTracker t(3);
    fw::restore_camera(store, t, "cam", cam_id);
    fw::CheckRecord c;
    c.camera_id = cam_id;
    c.time = time += 300;
    c.status = script[i] == U ? "unreachable" : "ok";
    const auto rec = fw::record_check(store, t, "cam", cam_id, c, script[i]);
    for (const auto& rt : rec.transitions) {
      got.push_back(std::string(rt.transition.type == Transition::Type::Open ? "open " : "close ") +
                    fw::incident_kind_name(rt.transition.kind));
      EXPECT_GT(rt.incident_id, 0);
    }
  }
  EXPECT_EQ(got, expected);

  fw::StateStore store(path);
  const auto cam_id = store.camera("cam")->id;
  const auto incidents = store.incidents(cam_id);
  ASSERT_EQ(incidents.size(), 2u);
  EXPECT_EQ(incidents[0].kind, "blurry");
  EXPECT_TRUE(incidents[0].closed_at);
  EXPECT_EQ(incidents[1].kind, "unavailable");
  EXPECT_TRUE(incidents[1].closed_at);
  EXPECT_EQ(store.checks(cam_id).size(), script.size());
  // The blur incident opened on the fourth check (the third bad one: the
  // outage between does not break the streak), closed on the twelfth.
  EXPECT_EQ(store.check(incidents[0].open_check_id)->time, 1000 + 300 * 4);
  EXPECT_EQ(store.check(*incidents[0].close_check_id)->time, 1000 + 300 * 12);
}

TEST(IncidentJournal, AFailedWriteLeavesTrackerAndStoreAsTheyWere) {
  fw::testing::TempDir dir;
  fw::StateStore store(dir.file("state.db"));
  fw::CameraRecord cam;
  cam.identity = "cam";
  const auto cam_id = store.upsert_camera(cam);
  fw::IncidentTracker t(2);
  fw::CheckRecord c;
  c.camera_id = cam_id;
  c.time = 1;
  c.status = "ok";
  fw::record_check(store, t, "cam", cam_id, c, B);
  // The second blurry check would open the incident, but its row names a
  // camera that does not exist: the batch fails as a whole.
  fw::CheckRecord bad = c;
  bad.camera_id = 999;
  EXPECT_THROW(fw::record_check(store, t, "cam", cam_id, bad, B), fw::StoreError);
  EXPECT_EQ(t.state("cam", IncidentKind::Blurry), (fw::DebounceState{false, 1}));
  EXPECT_TRUE(store.incidents(cam_id).empty());
  EXPECT_EQ(store.checks(cam_id).size(), 1u);
  // And the next good write proceeds from there.
  EXPECT_EQ(fw::record_check(store, t, "cam", cam_id, c, B).transitions.size(), 1u);
}
