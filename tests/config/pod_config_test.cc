#include "config/pod_config.h"

#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/json_codec.h"
#include "common/strings.h"

namespace cubelet::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using PodPtr = std::shared_ptr<const api::Pod>;
using Ops = std::vector<std::pair<std::string, std::vector<std::string>>>;  // op → UIDs, in order

api::Pod MakePod(const std::string& uid, const std::string& image = "img:1") {
  api::Pod p;
  p.metadata.uid = uid;
  p.metadata.name = uid;
  p.metadata.namespace_ = "default";
  p.spec.node_name = "node";
  p.spec.containers.push_back({.name = "c", .image = image});
  p.status.phase = "Pending";
  return p;
}

PodPtr Ptr(api::Pod p) { return std::make_shared<const api::Pod>(std::move(p)); }

PodUpdate Update(PodOperation op, std::vector<api::Pod> pods) {
  PodUpdate u{op, "", {}};
  for (auto& p : pods) u.pods.push_back(Ptr(std::move(p)));
  return u;
}

class PodConfigTest : public ::testing::Test {
 protected:

  void Record(const PodUpdate& u) {
    std::vector<std::string> uids;
    for (const auto& p : u.pods) uids.push_back(p->metadata.uid);
    ops_.emplace_back(std::string(OperationName(u.op)), uids);
    updates_.push_back(u);
    if (on_update_) on_update_(u);
  }
  // What the next merges emit.
  Ops Take() { return std::exchange(ops_, {}); }
  PodPtr Find(const std::string& uid) const {
    for (const auto& p : config_.MergedState()) {
      if (p->metadata.uid == uid) return p;
    }
    return nullptr;
  }

  FakeClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  Ops ops_;
  std::vector<PodUpdate> updates_;
  std::function<void(const PodUpdate&)> on_update_;
  PodConfig config_{&clock_, Logger(sink_, 0, &clock_), [this](const PodUpdate& u) { Record(u); }};
};

TEST_F(PodConfigTest, FirstSightStampsSourceAndSeenAndLaterChangesKeepTheFirstSeen) {
  config_.Merge("file", Update(PodOperation::kSet, {MakePod("a")}));
  ASSERT_THAT(Take(), ElementsAre(Pair("ADD", ElementsAre("a"))));
  const PodPtr added = updates_.back().pods[0];
  EXPECT_EQ(added->metadata.annotations.at("kubernetes.io/config.source"), "file");
  const std::string seen = added->metadata.annotations.at("kubernetes.io/config.seen");
  EXPECT_EQ(seen, api::FormatRfc3339Nano(clock_.Now()));
  EXPECT_EQ(added->metadata.creation_timestamp, absl::FromUnixSeconds(absl::ToUnixSeconds(clock_.Now())));

  clock_.Advance(absl::Minutes(5));
  config_.Merge("file", Update(PodOperation::kSet, {MakePod("a", "img:2")}));
  ASSERT_THAT(Take(), ElementsAre(Pair("UPDATE", ElementsAre("a"))));
  const PodPtr updated = updates_.back().pods[0];
  EXPECT_EQ(updated->spec.containers[0].image, "img:2");
  EXPECT_EQ(updated->metadata.annotations.at("kubernetes.io/config.seen"), seen);
  EXPECT_EQ(updated->metadata.creation_timestamp, added->metadata.creation_timestamp);
  EXPECT_EQ(Find("a"), updated) << "the merged state holds what the agent was given";
}

// One merge of a source's SET against what the source gave before, per kind of change
// (upstream podStorage.merge with checkAndUpdatePod).
TEST_F(PodConfigTest, SetMergeTable) {
  struct Case {
    std::string name;
    std::function<void(api::Pod&)> change;
    Ops want;
  };
  const absl::Time deleted_at = absl::FromUnixSeconds(1764000100);
  const std::vector<Case> cases = {
      {"identical", [](api::Pod&) {}, {}},
      {"spec", [](api::Pod& p) { p.spec.containers[0].image = "img:2"; }, {{"UPDATE", {"a"}}}},
      {"labels", [](api::Pod& p) { p.metadata.labels["tier"] = "web"; }, {{"UPDATE", {"a"}}}},
      {"annotation", [](api::Pod& p) { p.metadata.annotations["example.com/x"] = "1"; }, {{"UPDATE", {"a"}}}},
      {"local annotations only",
       [](api::Pod& p) {
         p.metadata.annotations["kubernetes.io/config.seen"] = "yesterday";
         p.metadata.annotations["kubernetes.io/config.mirror"] = "abc";
         p.metadata.annotations["kubernetes.io/config.source"] = "elsewhere";
       },
       {}},
      {"resourceVersion only", [](api::Pod& p) { p.metadata.resource_version = "42"; }, {}},
      {"status only", [](api::Pod& p) { p.status.phase = "Running"; }, {{"RECONCILE", {"a"}}}},
      {"deletionTimestamp",
       [&](api::Pod& p) {
         p.metadata.deletion_timestamp = deleted_at;
         p.metadata.deletion_grace_period_seconds = 30;
       },
       {{"DELETE", {"a"}}}},
      {"spec and status", [](api::Pod& p) {
         p.spec.containers[0].image = "img:2";
         p.status.phase = "Running";
       }, {{"UPDATE", {"a"}}}},
      {"gone", nullptr, {{"REMOVE", {"a"}}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PodConfig config(&clock_, Logger(sink_, 0, &clock_), [this](const PodUpdate& u) { Record(u); });
    config.Merge("file", Update(PodOperation::kSet, {MakePod("a"), MakePod("other")}));
    Take();
    std::vector<api::Pod> next = {MakePod("other")};
    if (c.change) {
      next.push_back(MakePod("a"));
      c.change(next.back());
    }
    config.Merge("file", Update(PodOperation::kSet, next));
    EXPECT_EQ(Take(), c.want);
  }
}

// Incremental updates: the comparison, not the operation's name, decides what the agent sees.
TEST_F(PodConfigTest, IncrementalMergeTable) {
  struct Case {
    std::string name;
    PodOperation op;
    std::function<void(api::Pod&)> change;  // on "a"; nullptr sends "new" instead
    Ops want;
  };
  const std::vector<Case> cases = {
      {"ADD of a new pod", PodOperation::kAdd, nullptr, {{"ADD", {"new"}}}},
      {"UPDATE of an unknown pod adds it", PodOperation::kUpdate, nullptr, {{"ADD", {"new"}}}},
      {"ADD of a known, unchanged pod", PodOperation::kAdd, [](api::Pod&) {}, {}},
      {"UPDATE with a new spec", PodOperation::kUpdate, [](api::Pod& p) { p.spec.containers[0].image = "img:2"; },
       {{"UPDATE", {"a"}}}},
      {"UPDATE with a new status", PodOperation::kUpdate, [](api::Pod& p) { p.status.phase = "Running"; },
       {{"RECONCILE", {"a"}}}},
      {"RECONCILE with a new status", PodOperation::kReconcile, [](api::Pod& p) { p.status.phase = "Running"; },
       {{"RECONCILE", {"a"}}}},
      {"DELETE with a deletionTimestamp", PodOperation::kDelete,
       [](api::Pod& p) { p.metadata.deletion_timestamp = absl::FromUnixSeconds(1764000100); }, {{"DELETE", {"a"}}}},
      {"REMOVE of a known pod", PodOperation::kRemove, [](api::Pod&) {}, {{"REMOVE", {"a"}}}},
      {"REMOVE of an unknown pod", PodOperation::kRemove, nullptr, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PodConfig config(&clock_, Logger(sink_, 0, &clock_), [this](const PodUpdate& u) { Record(u); });
    config.Merge("api", Update(PodOperation::kSet, {MakePod("a"), MakePod("b")}));
    Take();
    api::Pod pod = MakePod(c.change ? "a" : "new");
    if (c.change) c.change(pod);
    config.Merge("api", Update(c.op, {pod}));
    EXPECT_EQ(Take(), c.want);
    // An incremental update never drops the source's other pods.
    std::vector<std::string> uids;
    for (const auto& p : config.MergedState()) uids.push_back(p->metadata.uid);
    EXPECT_THAT(uids, ::testing::Contains("b"));
  }
}

TEST_F(PodConfigTest, OneMergeEmitsInUpstreamsOrder) {
  config_.Merge("file", Update(PodOperation::kSet, {MakePod("upd"), MakePod("del"), MakePod("rec"), MakePod("gone")}));
  Take();
  api::Pod upd = MakePod("upd", "img:2");
  api::Pod del = MakePod("del");
  del.metadata.deletion_timestamp = absl::FromUnixSeconds(1764000100);
  api::Pod rec = MakePod("rec");
  rec.status.phase = "Running";
  config_.Merge("file", Update(PodOperation::kSet, {rec, del, upd, MakePod("new")}));
  EXPECT_THAT(Take(), ElementsAre(Pair("REMOVE", ElementsAre("gone")), Pair("ADD", ElementsAre("new")),
                                  Pair("UPDATE", ElementsAre("upd")), Pair("DELETE", ElementsAre("del")),
                                  Pair("RECONCILE", ElementsAre("rec"))));
}

TEST_F(PodConfigTest, ASourcesSetNeverTouchesAnotherSourcesPods) {
  config_.Merge("file", Update(PodOperation::kSet, {MakePod("f1"), MakePod("f2")}));
  config_.Merge("http", Update(PodOperation::kSet, {MakePod("h1")}));
  Take();
  // A re-read of one source: only its own pods change.
  config_.Merge("file", Update(PodOperation::kSet, {MakePod("f2")}));
  EXPECT_THAT(Take(), ElementsAre(Pair("REMOVE", ElementsAre("f1"))));
  config_.Merge("http", Update(PodOperation::kSet, {}));
  EXPECT_THAT(Take(), ElementsAre(Pair("REMOVE", ElementsAre("h1"))));
  std::vector<std::string> uids;
  for (const auto& p : config_.MergedState()) uids.push_back(p->metadata.uid);
  EXPECT_THAT(uids, ElementsAre("f2"));
  // Each update names its source.
  for (const auto& u : updates_) EXPECT_TRUE(u.source == "file" || u.source == "http");
  EXPECT_EQ(updates_.back().source, "http");
  EXPECT_EQ(Find("f2")->metadata.annotations.at("kubernetes.io/config.source"), "file");
}

// Housekeeping kills runtime pods the PodManager does not list once every source is ready: a
// source must count as ready only after the handler has put its first pods into place.
TEST(PodConfigReadinessTest, ASourceIsReadyOnlyOnceTheHandlerHasAppliedItsFirstSet) {
  FakeClock clock;
  std::vector<bool> ready_while_handling;
  PodConfig* config = nullptr;
  PodConfig merged(&clock, Logger(std::make_shared<CapturingLogSink>(), 0, &clock), [&](const PodUpdate& u) {
    if (!u.pods.empty()) ready_while_handling.push_back(config->SeenAllSources());
  });
  config = &merged;
  PodUpdateFn file = merged.Channel("file");
  file(PodUpdate{PodOperation::kSet, "file", {Ptr(MakePod("a"))}});
  EXPECT_THAT(ready_while_handling, ElementsAre(false));
  EXPECT_TRUE(merged.SeenAllSources());
}

TEST_F(PodConfigTest, SeenAllSourcesWaitsForASetFromEveryRegisteredSource) {
  EXPECT_TRUE(config_.SeenAllSources()) << "no source configured";
  PodUpdateFn file = config_.Channel("file");
  PodUpdateFn http = config_.Channel("http");
  EXPECT_FALSE(config_.SeenAllSources());
  // An empty first SET is still announced, so a listener learns the source is ready.
  file(Update(PodOperation::kSet, {}));
  EXPECT_THAT(Take(), ElementsAre(Pair("ADD", IsEmpty())));
  EXPECT_FALSE(config_.SeenAllSources());
  // Incremental updates do not count: a source is seen once it has said what it has in full.
  http(Update(PodOperation::kAdd, {MakePod("h")}));
  EXPECT_FALSE(config_.SeenAllSources());
  EXPECT_THAT(Take(), ElementsAre(Pair("ADD", ElementsAre("h"))));
  http(Update(PodOperation::kSet, {MakePod("h")}));
  EXPECT_TRUE(config_.SeenAllSources());
  EXPECT_THAT(Take(), ElementsAre(Pair("ADD", IsEmpty()))) << "a first SET that changes nothing is still announced";
  // Later empty SETs are silent.
  file(Update(PodOperation::kSet, {}));
  EXPECT_THAT(Take(), IsEmpty());
}

TEST_F(PodConfigTest, AChannelMergesUnderItsOwnSourceName) {
  PodUpdateFn http = config_.Channel("http");
  PodUpdate u = Update(PodOperation::kSet, {MakePod("h")});
  u.source = "file";
  http(u);
  ASSERT_EQ(updates_.size(), 1u);
  EXPECT_EQ(updates_[0].source, "http");
  EXPECT_EQ(updates_[0].pods[0]->metadata.annotations.at("kubernetes.io/config.source"), "http");
  config_.Merge("file", Update(PodOperation::kSet, {}));
  EXPECT_NE(Find("h"), nullptr) << "the pod is http's, not file's";
}

TEST_F(PodConfigTest, ADuplicateNameInOneUpdateIsIgnoredWithAWarning) {
  api::Pod second = MakePod("b");
  second.metadata.name = "a";
  config_.Merge("http", Update(PodOperation::kSet, {MakePod("a"), second}));
  EXPECT_THAT(Take(), ElementsAre(Pair("ADD", ElementsAre("a"))));
  EXPECT_EQ(sink_->Count("Pod failed validation due to duplicate pod name, ignoring"), 1) << ::testing::PrintToString(sink_->Lines());
  EXPECT_EQ(sink_->Count("pod=\"default/a\" source=\"http\""), 1);
}

TEST_F(PodConfigTest, TheHandlerMayCallBackAndUpdatesStayInOrder) {
  // A handler that reads the merged state and merges again (as a source on the same thread
  // might) neither deadlocks nor sees its own update delivered before the current one ends.
  std::vector<std::string> seen;
  on_update_ = [&](const PodUpdate& u) {
    seen.push_back(StrCat(OperationName(u.op), ":", u.pods.empty() ? "" : u.pods[0]->metadata.uid, ":",
                          config_.MergedState().size()));
    if (u.op == PodOperation::kAdd && u.pods[0]->metadata.uid == "a") {
      config_.Merge("file", Update(PodOperation::kAdd, {MakePod("b")}));
      seen.push_back("merged b");
    }
  };
  config_.Merge("file", Update(PodOperation::kSet, {MakePod("a")}));
  EXPECT_THAT(seen, ElementsAre("ADD:a:1", "merged b", "ADD:b:2"));
}

}  // namespace
}  // namespace cubelet::config
