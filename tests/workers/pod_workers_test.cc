#include "workers/pod_workers.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/strings.h"

namespace cubelet::workers {
namespace {

using ::testing::ElementsAre;

// Records every call as "<step>:<pod name>[...]". SyncPod can be held to observe what arrives
// meanwhile; SyncTerminatingPod keeps its `done` when terminations are held, so a test decides
// when a kill completes (as the runtime's bounded kill pool would).
class FakePodSyncer : public PodSyncer {
 public:
  // A held sync ends early when cancelled, as the real one does at its next step.
  absl::StatusOr<SyncPodOutcome> SyncPod(const api::Pod& pod, std::stop_token cancelled, StepDone resume) override {
    std::unique_lock<std::mutex> l(mu_);
    Record(l, StrCat("sync:", pod.metadata.name, Version(pod)));
    max_ = std::max(max_, ++active_[pod.metadata.uid]);
    const bool released = cv_.wait(l, cancelled, [&] { return !hold_sync_; });
    --active_[pod.metadata.uid];
    if (!released) {
      ++cancelled_syncs_;
      cv_.notify_all();
      return absl::CancelledError("sync cancelled");
    }
    auto it = sync_results_.find(pod.metadata.name);
    absl::StatusOr<SyncPodOutcome> result =
        it == sync_results_.end() ? absl::StatusOr<SyncPodOutcome>(SyncPodOutcome::kSynced) : it->second;
    if (result.ok() && *result == SyncPodOutcome::kPending) {
      held_resumes_.push_back(std::move(resume));
      sync_results_.erase(pod.metadata.name);  // once: the resumed sync is an ordinary one
      cv_.notify_all();
    }
    return result;
  }
  void SyncTerminatingPod(std::shared_ptr<const api::Pod> pod, std::optional<int64_t> grace, std::stop_token cancelled,
                          TerminatingDone done) override {
    std::unique_lock<std::mutex> l(mu_);
    Record(l, StrCat("terminating:", pod->metadata.name, " grace=", grace ? std::to_string(*grace) : "nil"));
    if (throw_terminating_) {
      throw_terminating_ = false;
      throw std::runtime_error("GetPodStatus: bad regex");  // before `done` is called
    }
    if (hold_terminating_) {
      held_.push_back({std::move(done), std::move(cancelled)});
      cv_.notify_all();
      return;
    }
    absl::Status result = terminating_result_;
    l.unlock();
    std::move(done)(result);  // completes on the calling thread, before returning
  }
  absl::Status SyncTerminatedPod(const api::Pod& pod, bool deleted) override {
    std::unique_lock<std::mutex> l(mu_);
    Record(l, StrCat(deleted ? "deleted:" : "terminated:", pod.metadata.name));
    return absl::OkStatus();
  }

  void HoldSync(bool h) {
    std::lock_guard<std::mutex> l(mu_);
    hold_sync_ = h;
    cv_.notify_all();
  }
  void HoldTerminating(bool h) {
    std::lock_guard<std::mutex> l(mu_);
    hold_terminating_ = h;
  }
  void SetSyncResult(const std::string& name, absl::StatusOr<SyncPodOutcome> r) {
    std::lock_guard<std::mutex> l(mu_);
    sync_results_.insert_or_assign(name, std::move(r));
  }
  void ThrowOnNextTerminating() {
    std::lock_guard<std::mutex> l(mu_);
    throw_terminating_ = true;
  }
  void SetTerminatingResult(absl::Status s) {
    std::lock_guard<std::mutex> l(mu_);
    terminating_result_ = std::move(s);
  }
  // Completes the oldest held termination (from the test's thread, as a pool thread would).
  void CompleteHeldTermination(absl::Status s = absl::OkStatus()) {
    if (PodSyncer::TerminatingDone done = TakeHeldTermination()) std::move(done)(std::move(s));
  }
  // Whether the oldest held termination was cancelled (a shorter grace period arrived).
  bool HeldTerminationCancelled() {
    std::lock_guard<std::mutex> l(mu_);
    return !held_.empty() && held_.front().cancelled.stop_requested();
  }
  // Ends the oldest sync that returned kPending (its kills finished).
  void ResumeHeldSync(absl::Status s = absl::OkStatus()) {
    if (PodSyncer::StepDone resume = TakeOldest(held_resumes_)) std::move(resume)(std::move(s));
  }
  int cancelled_syncs() {
    std::lock_guard<std::mutex> l(mu_);
    return cancelled_syncs_;
  }
  PodSyncer::TerminatingDone TakeHeldTermination() { return std::move(TakeOldest(held_).done); }

  // Blocks until `call` was recorded `times` times (a sync point; fails after 10 s).
  bool WaitFor(const std::string& call, int times = 1) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(10), [&] { return Count(call) >= times; });
  }
  // Calls for the pod named `name`, in order.
  std::vector<std::string> CallsFor(const std::string& name) {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::string> out;
    for (const auto& c : calls_) {
      const std::string rest = c.substr(c.find(':') + 1);
      if (rest == name || rest.starts_with(name + " ") || rest.starts_with(name + "@")) out.push_back(c);
    }
    return out;
  }
  int max_concurrent_per_pod() {
    std::lock_guard<std::mutex> l(mu_);
    return max_;
  }

 private:
  struct HeldTermination {
    PodSyncer::TerminatingDone done;
    std::stop_token cancelled;
  };
  // Waits (bounded) for something held in `held`, then takes the oldest, as a pool thread would;
  // an empty one (the test already failed) when nothing came.
  template <typename T>
  T TakeOldest(std::vector<T>& held) {
    std::unique_lock<std::mutex> l(mu_);
    EXPECT_TRUE(cv_.wait_for(l, std::chrono::seconds(10), [&] { return !held.empty(); }));
    if (held.empty()) return T{};
    T oldest = std::move(held.front());
    held.erase(held.begin());
    return oldest;
  }
  static std::string Version(const api::Pod& pod) {
    auto it = pod.metadata.labels.find("version");
    return it == pod.metadata.labels.end() ? "" : "@" + it->second;
  }
  void Record(std::unique_lock<std::mutex>&, std::string call) {
    calls_.push_back(std::move(call));
    cv_.notify_all();
  }
  int Count(const std::string& call) const {
    int n = 0;
    for (const auto& c : calls_) n += c == call;
    return n;
  }

  std::mutex mu_;
  std::condition_variable_any cv_;
  bool hold_sync_ = false;
  bool hold_terminating_ = false;
  std::map<std::string, absl::StatusOr<SyncPodOutcome>> sync_results_;
  std::vector<PodSyncer::StepDone> held_resumes_;
  int cancelled_syncs_ = 0;
  absl::Status terminating_result_;
  bool throw_terminating_ = false;
  std::vector<HeldTermination> held_;
  std::vector<std::string> calls_;
  std::map<std::string, int> active_;
  int max_ = 0;
};

std::shared_ptr<const api::Pod> MakePod(const std::string& name, const std::string& version = "",
                                        std::optional<int64_t> grace = 30) {
  auto p = std::make_shared<api::Pod>();
  p->metadata.name = name;
  p->metadata.namespace_ = "default";
  p->metadata.uid = "uid-" + name;
  if (!version.empty()) p->metadata.labels["version"] = version;
  p->spec.termination_grace_period_seconds = grace;
  return p;
}

class PodWorkersTest : public ::testing::Test {
 protected:
  // One worker thread: steps run in queue order, so Quiesce() is exact.
  void Start(int threads = 1) {
    PodWorkersOptions o;
    o.threads = threads;
    o.resync_interval = absl::Minutes(1);
    workers_ = std::make_unique<PodWorkers>(&syncer_, &clock_, Logger(sink_, 4, &clock_), o);
  }
  // Sync point, with one thread: returns once everything queued has run, and what that queued
  // in turn. The queue is FIFO: once a sentinel pod's sync starts, every step queued before it
  // has run and queued its follow-up; each further sentinel covers one more follow-up, and no
  // pod's chain of steps is longer than four (sync, terminating, terminated, sync again).
  void Quiesce() {
    for (int i = 0; i < 5; ++i) {
      const std::string name = StrCat("sentinel", sentinels_++);
      workers_->UpdatePod(MakePod(name), UpdateType::kCreate);
      ASSERT_TRUE(syncer_.WaitFor("sync:" + name));
    }
  }

  // The pod runs, then is removed with its termination held: the state many kill tests start from.
  bool RunThenKillHeld(const std::string& name) {
    workers_->UpdatePod(MakePod(name), UpdateType::kCreate);
    Quiesce();
    syncer_.HoldTerminating(true);
    workers_->UpdatePod(MakePod(name), UpdateType::kKill);
    return syncer_.WaitFor(StrCat("terminating:", name, " grace=30"));
  }

  FakePodSyncer syncer_;
  FakeClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  std::unique_ptr<PodWorkers> workers_;
  int sentinels_ = 0;
};

TEST_F(PodWorkersTest, PendingKillIsNeverDropped) {
  Start(4);
  syncer_.HoldSync(true);
  workers_->UpdatePod(MakePod("a"), UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("sync:a"));
  // While the sync runs: a kill, then ordinary updates that must not undo it.
  workers_->UpdatePod(MakePod("a"), UpdateType::kKill);
  workers_->UpdatePod(MakePod("a"), UpdateType::kUpdate);
  workers_->UpdatePod(MakePod("a"), UpdateType::kSync);
  syncer_.HoldSync(false);
  ASSERT_TRUE(syncer_.WaitFor("deleted:a"));
  EXPECT_THAT(syncer_.CallsFor("a"), ElementsAre("sync:a", "terminating:a grace=30", "deleted:a"));
  EXPECT_EQ(syncer_.max_concurrent_per_pod(), 1) << "one step at a time";
  workers_->Stop();
  EXPECT_FALSE(workers_->IsKnown("uid-a")) << "a removed pod is forgotten";
}

TEST_F(PodWorkersTest, UpdatesDuringASyncCoalesceIntoOneMoreSync) {
  Start();
  syncer_.HoldSync(true);
  workers_->UpdatePod(MakePod("b"), UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("sync:b"));
  for (int i = 0; i < 5; ++i) workers_->UpdatePod(MakePod("b", StrCat("v", i)), UpdateType::kUpdate);
  syncer_.HoldSync(false);
  Quiesce();
  EXPECT_THAT(syncer_.CallsFor("b"), ElementsAre("sync:b", "sync:b@v4")) << "only the newest spec is synced";
}

TEST_F(PodWorkersTest, TerminalPodIsStoppedAndKeptUntilItsSourceRemovesIt) {
  Start();
  syncer_.SetSyncResult("c", SyncPodOutcome::kTerminal);
  workers_->UpdatePod(MakePod("c"), UpdateType::kCreate);
  Quiesce();
  EXPECT_THAT(syncer_.CallsFor("c"), ElementsAre("sync:c", "terminating:c grace=30", "terminated:c"));
  auto st = workers_->GetPodSyncStatus("uid-c");
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->finished);
  EXPECT_FALSE(st->deleted) << "only stopped: a terminal pod stays listed";
  EXPECT_TRUE(workers_->IsTerminated("uid-c"));
  // No more steps for a finished pod: not on resync, not on updates, not on a create.
  clock_.Advance(absl::Minutes(5));
  workers_->SyncDue();
  workers_->UpdatePod(MakePod("c"), UpdateType::kSync);
  workers_->UpdatePod(MakePod("c"), UpdateType::kCreate);
  Quiesce();
  EXPECT_EQ(syncer_.CallsFor("c").size(), 3u);
  // Removed by its source: cleaned up fully, then forgotten.
  workers_->UpdatePod(MakePod("c"), UpdateType::kKill);
  Quiesce();
  EXPECT_EQ(syncer_.CallsFor("c").back(), "deleted:c");
  EXPECT_FALSE(workers_->IsKnown("uid-c"));
}

TEST_F(PodWorkersTest, ResyncAfterTheSyncFrequency) {
  Start();
  workers_->UpdatePod(MakePod("d"), UpdateType::kCreate);
  Quiesce();
  workers_->SyncDue();
  Quiesce();
  EXPECT_EQ(syncer_.CallsFor("d").size(), 1u) << "not due yet";
  clock_.Advance(absl::Seconds(91));  // the jittered period is 60-90 s
  workers_->SyncDue();
  Quiesce();
  EXPECT_EQ(syncer_.CallsFor("d").size(), 2u);
}

TEST_F(PodWorkersTest, SyncErrorBacksOffThenRetries) {
  Start();
  syncer_.SetSyncResult("e", absl::UnavailableError("image pull"));
  workers_->UpdatePod(MakePod("e"), UpdateType::kCreate);
  Quiesce();
  clock_.Advance(absl::Seconds(4));
  workers_->SyncDue();
  Quiesce();
  EXPECT_EQ(syncer_.CallsFor("e").size(), 1u) << "the back-off is 10-15 s";
  clock_.Advance(absl::Seconds(12));
  workers_->SyncDue();
  Quiesce();
  EXPECT_EQ(syncer_.CallsFor("e").size(), 2u);
  EXPECT_EQ(sink_->Count("Error syncing pod, skipping"), 2);
}

// A static pod's manifest moved out of the directory and back within the grace period: the
// create is kept and the pod runs again as soon as the old instance is down and cleaned up.
TEST_F(PodWorkersTest, CreateDuringAPendingKillRestartsThePodOnceTerminated) {
  Start();
  workers_->UpdatePod(MakePod("f", "v1"), UpdateType::kCreate);
  Quiesce();
  syncer_.HoldTerminating(true);
  workers_->UpdatePod(MakePod("f", "v1"), UpdateType::kKill);
  ASSERT_TRUE(syncer_.WaitFor("terminating:f grace=30"));
  workers_->UpdatePod(MakePod("f", "v2"), UpdateType::kCreate);
  workers_->UpdatePod(MakePod("f", "v3"), UpdateType::kUpdate);
  Quiesce();
  auto st = workers_->GetPodSyncStatus("uid-f");
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->restart_requested);
  EXPECT_TRUE(st->deleted);
  EXPECT_EQ(st->WorkType(), PodWorkType::kTerminating);
  EXPECT_THAT(syncer_.CallsFor("f"), ElementsAre("sync:f@v1", "terminating:f grace=30"))
      << "nothing starts while the old instance stops";

  syncer_.CompleteHeldTermination();
  ASSERT_TRUE(syncer_.WaitFor("sync:f@v3"));
  EXPECT_THAT(syncer_.CallsFor("f"),
              ElementsAre("sync:f@v1", "terminating:f grace=30", "deleted:f", "sync:f@v3"));
  st = workers_->GetPodSyncStatus("uid-f");
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->WorkType(), PodWorkType::kSync) << "a fresh syncing pod";
  EXPECT_FALSE(st->terminating_at.has_value());
  EXPECT_FALSE(st->restart_requested);
  EXPECT_FALSE(st->deleted);
  EXPECT_EQ(sink_->Count("restarting it"), 1);
}

TEST_F(PodWorkersTest, CreateAfterTheKillButBeforeCleanupStillRestarts) {
  Start();
  workers_->UpdatePod(MakePod("g"), UpdateType::kCreate);
  Quiesce();
  syncer_.HoldSync(true);  // holds the only worker thread: the kill and the create queue behind it
  workers_->UpdatePod(MakePod("blocker"), UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("sync:blocker"));
  workers_->UpdatePod(MakePod("g"), UpdateType::kKill);
  workers_->UpdatePod(MakePod("g", "v2"), UpdateType::kCreate);
  syncer_.HoldSync(false);
  ASSERT_TRUE(syncer_.WaitFor("sync:g@v2"));
  EXPECT_THAT(syncer_.CallsFor("g"), ElementsAre("sync:g", "terminating:g grace=30", "deleted:g", "sync:g@v2"));
}

TEST_F(PodWorkersTest, AKillAfterTheRestartRequestCancelsIt) {
  Start();
  ASSERT_TRUE(RunThenKillHeld("h"));
  workers_->UpdatePod(MakePod("h", "v2"), UpdateType::kCreate);  // moved back...
  workers_->UpdatePod(MakePod("h", "v2"), UpdateType::kKill);    // ...and out again
  syncer_.CompleteHeldTermination();
  syncer_.HoldTerminating(false);
  Quiesce();
  EXPECT_THAT(syncer_.CallsFor("h"), ElementsAre("sync:h", "terminating:h grace=30", "deleted:h"));
  EXPECT_FALSE(workers_->IsKnown("uid-h"));
}

TEST_F(PodWorkersTest, TheKillsGracePeriodOnlyShrinks) {
  Start();
  workers_->UpdatePod(MakePod("i"), UpdateType::kCreate);
  Quiesce();
  syncer_.HoldSync(true);  // holds the only worker thread: the kills below arrive before it steps
  workers_->UpdatePod(MakePod("blocker"), UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("sync:blocker"));
  auto grace = [&] { return workers_->GetPodSyncStatus("uid-i")->grace_period; };
  workers_->UpdatePod(MakePod("i"), UpdateType::kKill);
  EXPECT_EQ(grace(), 30) << "the pod's terminationGracePeriodSeconds";
  workers_->UpdatePod({.update_type = UpdateType::kKill, .pod = MakePod("i"), .kill_pod_options = {60}});
  EXPECT_EQ(grace(), 30) << "a kill never lengthens it";
  auto deleting = std::make_shared<api::Pod>(*MakePod("i"));
  deleting->metadata.deletion_timestamp = clock_.Now();
  deleting->metadata.deletion_grace_period_seconds = 10;
  workers_->UpdatePod(deleting, UpdateType::kUpdate);
  EXPECT_EQ(grace(), 10) << "the API server's deletionGracePeriodSeconds";
  workers_->UpdatePod({.update_type = UpdateType::kKill, .pod = MakePod("i"), .kill_pod_options = {5}});
  EXPECT_EQ(grace(), 5) << "an eviction or probe override";
  syncer_.HoldTerminating(true);
  syncer_.HoldSync(false);
  ASSERT_TRUE(syncer_.WaitFor("terminating:i grace=5")) << "the shortest grace asked for";
  // A shorter one while the stop runs; the first attempt fails, the retry uses it.
  workers_->UpdatePod({.update_type = UpdateType::kKill, .pod = MakePod("i"), .kill_pod_options = {0}});
  EXPECT_EQ(grace(), 1) << "never below 1 s";
  syncer_.CompleteHeldTermination(absl::UnavailableError("runtime busy"));
  ASSERT_TRUE(syncer_.WaitFor("terminating:i grace=1"));
  syncer_.CompleteHeldTermination();
  ASSERT_TRUE(syncer_.WaitFor("deleted:i"));
  EXPECT_THAT(syncer_.CallsFor("i"),
              ElementsAre("sync:i", "terminating:i grace=5", "terminating:i grace=1", "deleted:i"));
}

TEST_F(PodWorkersTest, EffectiveGracePeriodFollowsUpstream) {
  api::Pod pod = *MakePod("x", "", 30);
  EXPECT_EQ(CalculateEffectiveGracePeriod(std::nullopt, pod, std::nullopt), 30);
  EXPECT_EQ(CalculateEffectiveGracePeriod(std::nullopt, pod, 45), 45) << "an override sets it when none is set";
  EXPECT_EQ(CalculateEffectiveGracePeriod(20, pod, std::nullopt), 20) << "the spec does not lengthen it";
  EXPECT_EQ(CalculateEffectiveGracePeriod(20, pod, 25), 20);
  EXPECT_EQ(CalculateEffectiveGracePeriod(20, pod, 3), 3);
  pod.metadata.deletion_grace_period_seconds = 0;
  EXPECT_EQ(CalculateEffectiveGracePeriod(20, pod, std::nullopt), 1) << "a forced deletion still gets 1 s";
  api::Pod runtime_only;  // an orphan known only from the runtime
  EXPECT_EQ(CalculateEffectiveGracePeriod(std::nullopt, runtime_only, std::nullopt), std::nullopt);
}

TEST_F(PodWorkersTest, AnOrphanIsStoppedWithItsContainersOwnGracePeriodAndForgotten) {
  Start();
  auto orphan = std::make_shared<api::Pod>();
  orphan->metadata.uid = "uid-orphan";
  orphan->metadata.name = "orphan";
  workers_->UpdatePod(orphan, UpdateType::kKill);
  Quiesce();
  EXPECT_THAT(syncer_.CallsFor("orphan"), ElementsAre("terminating:orphan grace=nil", "deleted:orphan"));
  EXPECT_FALSE(workers_->IsKnown("uid-orphan"));
}

// A kill that waits out a long grace period holds no worker thread: with one thread, other
// pods still sync while it runs.
TEST_F(PodWorkersTest, ATerminatingPodReleasesItsWorkerThread) {
  Start(1);
  syncer_.HoldTerminating(true);
  for (const char* name : {"slow1", "slow2", "slow3"}) workers_->UpdatePod(MakePod(name), UpdateType::kKill);
  for (const char* name : {"slow1", "slow2", "slow3"}) {
    ASSERT_TRUE(syncer_.WaitFor(StrCat("terminating:", name, " grace=30")));
  }
  workers_->UpdatePod(MakePod("busy"), UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("sync:busy")) << "the one worker thread is free while three kills run";
  for (int i = 0; i < 3; ++i) syncer_.CompleteHeldTermination();
  for (const char* name : {"slow1", "slow2", "slow3"}) ASSERT_TRUE(syncer_.WaitFor(StrCat("deleted:", name)));
}

TEST_F(PodWorkersTest, AFailedKillIsRetriedAfterAPause) {
  Start();
  syncer_.SetTerminatingResult(absl::UnavailableError("StopContainer: deadline exceeded"));
  workers_->UpdatePod(MakePod("j"), UpdateType::kKill);
  Quiesce();
  workers_->SyncDue();
  Quiesce();
  EXPECT_EQ(syncer_.CallsFor("j").size(), 1u) << "not before the retry pause";
  syncer_.SetTerminatingResult(absl::OkStatus());
  clock_.Advance(absl::Seconds(1));
  workers_->SyncDue();
  ASSERT_TRUE(syncer_.WaitFor("deleted:j"));
  EXPECT_EQ(sink_->Count("Error stopping pod, retrying"), 1);
}

TEST_F(PodWorkersTest, ATerminationThatThrowsIsRetriedNotLost) {
  Start();
  syncer_.ThrowOnNextTerminating();
  workers_->UpdatePod(MakePod("t"), UpdateType::kKill);
  Quiesce();
  EXPECT_EQ(sink_->Count("operation=\"SyncTerminatingPod default/t\""), 1);
  clock_.Advance(absl::Seconds(1));
  workers_->SyncDue();
  ASSERT_TRUE(syncer_.WaitFor("deleted:t")) << "the kill was lost when the termination threw";
}

TEST_F(PodWorkersTest, AKillCompletingAfterStopIsIgnored) {
  Start();
  syncer_.HoldTerminating(true);
  workers_->UpdatePod(MakePod("k"), UpdateType::kKill);
  PodSyncer::TerminatingDone done = syncer_.TakeHeldTermination();
  workers_.reset();
  std::move(done)(absl::OkStatus());  // the runtime's pool finishing after shutdown: no effect
  SUCCEED();
}

std::shared_ptr<const api::Pod> MakeStaticPod(const std::string& name, const std::string& uid) {
  auto p = std::make_shared<api::Pod>(*MakePod(name));
  p->metadata.uid = uid;
  p->metadata.annotations[api::kConfigSourceAnnotation] = "file";
  return p;
}

// upstream allowStaticPodStart: an edited manifest gives the static pod a new UID; the new
// instance starts only once the old one is stopped and cleaned up (a hostNetwork pod like etcd
// would otherwise find its ports taken for the old one's whole grace period).
TEST_F(PodWorkersTest, StaticPodsOfOneFullNameStartOneAtATime) {
  Start();
  workers_->UpdatePod(MakeStaticPod("etcd", "uid-old"), UpdateType::kCreate);
  Quiesce();
  syncer_.HoldTerminating(true);
  workers_->UpdatePod(MakeStaticPod("etcd", "uid-old"), UpdateType::kKill);
  workers_->UpdatePod(MakeStaticPod("etcd", "uid-new"), UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("terminating:etcd grace=30"));
  clock_.Advance(absl::Minutes(2));
  workers_->SyncDue();
  Quiesce();
  EXPECT_THAT(syncer_.CallsFor("etcd"), ElementsAre("sync:etcd", "terminating:etcd grace=30"))
      << "the new instance must wait while the old one stops";
  syncer_.CompleteHeldTermination();
  ASSERT_TRUE(syncer_.WaitFor("sync:etcd", 2)) << "the new instance starts once the old one is gone";
  EXPECT_THAT(syncer_.CallsFor("etcd"),
              ElementsAre("sync:etcd", "terminating:etcd grace=30", "deleted:etcd", "sync:etcd"));
  EXPECT_FALSE(workers_->IsKnown("uid-old"));
  EXPECT_EQ(sink_->Count("Pod cannot start yet: another static pod of the same full name is still running"), 1);
}

TEST_F(PodWorkersTest, PodsFromTheApiServerAreNotSerializedByName) {
  Start();
  workers_->UpdatePod(MakePod("web"), UpdateType::kCreate);
  Quiesce();
  syncer_.HoldTerminating(true);
  workers_->UpdatePod(MakePod("web"), UpdateType::kKill);
  auto replacement = std::make_shared<api::Pod>(*MakePod("web"));
  replacement->metadata.uid = "uid-web-2";
  workers_->UpdatePod(replacement, UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("sync:web", 2)) << "only static pods wait for their predecessor";
  syncer_.CompleteHeldTermination();
}

// upstream's cancelFn: a kill arriving while the pod syncs (a long image pull) ends the sync
// at its next step instead of waiting for it; the termination follows at once.
TEST_F(PodWorkersTest, AKillCancelsTheSyncUnderWay) {
  Start();
  syncer_.HoldSync(true);
  workers_->UpdatePod(MakePod("g"), UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("sync:g"));
  workers_->UpdatePod(MakePod("g"), UpdateType::kKill);
  ASSERT_TRUE(syncer_.WaitFor("deleted:g")) << "the kill waited for the held sync";
  EXPECT_EQ(syncer_.cancelled_syncs(), 1);
  EXPECT_EQ(sink_->Count("Error syncing pod, skipping"), 0) << "a cancelled sync is not an error";
  syncer_.HoldSync(false);
}

TEST_F(PodWorkersTest, AShorterGracePeriodRestartsTheKillUnderWay) {
  Start();
  ASSERT_TRUE(RunThenKillHeld("h"));
  EXPECT_FALSE(syncer_.HeldTerminationCancelled());
  // A longer one changes nothing; a shorter one cancels the kill, which starts again with it.
  workers_->UpdatePod({.update_type = UpdateType::kKill, .pod = MakePod("h"), .kill_pod_options = {45}});
  EXPECT_FALSE(syncer_.HeldTerminationCancelled());
  workers_->UpdatePod({.update_type = UpdateType::kKill, .pod = MakePod("h"), .kill_pod_options = {5}});
  EXPECT_TRUE(syncer_.HeldTerminationCancelled());
  syncer_.HoldTerminating(false);
  syncer_.CompleteHeldTermination(absl::CancelledError("StopContainer cancelled"));
  ASSERT_TRUE(syncer_.WaitFor("deleted:h"));
  EXPECT_THAT(syncer_.CallsFor("h"), ElementsAre("sync:h", "terminating:h grace=30", "terminating:h grace=5",
                                                 "deleted:h"));
  EXPECT_EQ(sink_->Count("Error stopping pod, retrying"), 0);
}

// A sync that must stop containers first (a liveness restart) leaves the kills running and
// frees the worker's thread; nothing else runs for the pod until they finished, then it syncs
// again at once.
TEST_F(PodWorkersTest, ASyncWaitingForItsKillsFreesTheThreadAndResumesAtOnce) {
  Start(1);
  syncer_.SetSyncResult("i", SyncPodOutcome::kPending);
  workers_->UpdatePod(MakePod("i"), UpdateType::kCreate);
  ASSERT_TRUE(syncer_.WaitFor("sync:i"));
  workers_->UpdatePod(MakePod("i", "v2"), UpdateType::kUpdate);
  clock_.Advance(absl::Minutes(5));
  workers_->SyncDue();
  Quiesce();  // other pods sync on the only thread meanwhile
  EXPECT_THAT(syncer_.CallsFor("i"), ElementsAre("sync:i")) << "nothing runs for the pod while its kills do";
  syncer_.ResumeHeldSync();
  ASSERT_TRUE(syncer_.WaitFor("sync:i@v2")) << "the pod syncs again as soon as its kills finished";
  EXPECT_EQ(syncer_.max_concurrent_per_pod(), 1);
}

}  // namespace
}  // namespace cubelet::workers
