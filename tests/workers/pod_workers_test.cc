#include "workers/pod_workers.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace cubelet::workers {
namespace {

// Records calls; SyncPod can be held to observe what arrives meanwhile.
class RecordingSyncer : public PodSyncer {
 public:
  absl::StatusOr<bool> SyncPod(const api::Pod& pod) override {
    Enter("sync:" + pod.metadata.name);
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return !hold_; });
    }
    Leave();
    return terminal_.load();
  }
  absl::Status SyncTerminatingPod(const api::Pod& pod) override {
    Enter("terminating:" + pod.metadata.name);
    Leave();
    return absl::OkStatus();
  }
  absl::Status SyncTerminatedPod(const api::Pod& pod, bool removed) override {
    Enter(std::string(removed ? "removed:" : "terminated:") + pod.metadata.name);
    Leave();
    return absl::OkStatus();
  }
  void Hold(bool h) {
    {
      std::lock_guard<std::mutex> l(mu_);
      hold_ = h;
    }
    cv_.notify_all();
  }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }
  bool WaitFor(const std::string& call) {
    for (int i = 0; i < 500; ++i) {
      for (const auto& c : Calls()) {
        if (c == call) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  int max_concurrent_per_pod() const { return max_; }
  std::atomic<bool> terminal_{false};

 private:
  void Enter(const std::string& call) {
    std::lock_guard<std::mutex> l(mu_);
    calls_.push_back(call);
    max_ = std::max(max_, ++active_);
  }
  void Leave() {
    std::lock_guard<std::mutex> l(mu_);
    --active_;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  std::vector<std::string> calls_;
  int active_ = 0;
  int max_ = 0;
};

std::shared_ptr<const api::Pod> MakePod(const std::string& name) {
  auto p = std::make_shared<api::Pod>();
  p->metadata.name = name;
  p->metadata.uid = "uid-" + name;
  return p;
}

TEST(PodWorkersTest, PendingKillIsNeverDropped) {
  RecordingSyncer syncer;
  FakeClock clock;
  PodWorkers workers(&syncer, &clock, Logger(std::make_shared<CapturingLogSink>(), 0, &clock), {});
  syncer.Hold(true);
  workers.UpdatePod(MakePod("a"), UpdateType::kCreate);
  ASSERT_TRUE(syncer.WaitFor("sync:a"));
  // While the sync runs: a kill, then an ordinary update that must not undo it.
  workers.UpdatePod(MakePod("a"), UpdateType::kKill);
  workers.UpdatePod(MakePod("a"), UpdateType::kUpdate);
  syncer.Hold(false);
  ASSERT_TRUE(syncer.WaitFor("removed:a"));
  auto calls = syncer.Calls();
  EXPECT_EQ(calls, (std::vector<std::string>{"sync:a", "terminating:a", "removed:a"}));
  EXPECT_EQ(syncer.max_concurrent_per_pod(), 1) << "one sync at a time";
  for (int i = 0; i < 100 && workers.IsKnown("uid-a"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(workers.IsKnown("uid-a")) << "a removed pod is forgotten";
}

TEST(PodWorkersTest, UpdatesDuringASyncCoalesceIntoOneMoreSync) {
  RecordingSyncer syncer;
  FakeClock clock;
  PodWorkers workers(&syncer, &clock, Logger(std::make_shared<CapturingLogSink>(), 0, &clock), {});
  syncer.Hold(true);
  workers.UpdatePod(MakePod("b"), UpdateType::kCreate);
  ASSERT_TRUE(syncer.WaitFor("sync:b"));
  for (int i = 0; i < 5; ++i) workers.UpdatePod(MakePod("b"), UpdateType::kSync);
  syncer.Hold(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(syncer.Calls().size(), 2u);
}

TEST(PodWorkersTest, TerminalPodIsStoppedButKeptUntilRemoved) {
  RecordingSyncer syncer;
  syncer.terminal_ = true;
  FakeClock clock;
  PodWorkers workers(&syncer, &clock, Logger(std::make_shared<CapturingLogSink>(), 0, &clock), {});
  workers.UpdatePod(MakePod("c"), UpdateType::kCreate);
  ASSERT_TRUE(syncer.WaitFor("terminated:c"));
  EXPECT_TRUE(workers.IsKnown("uid-c"));
  EXPECT_TRUE(workers.IsTerminated("uid-c"));
  // No more syncs for a finished pod, even when its resync is due.
  clock.Advance(absl::Minutes(5));
  workers.SyncDue();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(syncer.Calls().size(), 3u);
}

TEST(PodWorkersTest, ResyncAfterTheSyncFrequency) {
  RecordingSyncer syncer;
  FakeClock clock;
  PodWorkersOptions o;
  o.resync_interval = absl::Minutes(1);
  PodWorkers workers(&syncer, &clock, Logger(std::make_shared<CapturingLogSink>(), 0, &clock), o);
  workers.UpdatePod(MakePod("d"), UpdateType::kCreate);
  ASSERT_TRUE(syncer.WaitFor("sync:d"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  workers.SyncDue();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(syncer.Calls().size(), 1u) << "not due yet";
  clock.Advance(absl::Seconds(91));  // the jittered period is 60-90 s
  workers.SyncDue();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(syncer.Calls().size(), 2u);
}

}  // namespace
}  // namespace cubelet::workers
