// FilePodSource's production schedule: a SET at start, a re-read every fileCheckFrequency on the
// timer queue (fake clock), a read shortly after the watcher reports a change, and real inotify.
#include "config/file_pod_source.h"

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/strings.h"
#include "testutil/temp_dir.h"

namespace cubelet::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Manifest(const std::string& name) {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", name,
                "\nspec:\n  containers:\n  - name: c\n    image: localhost/cubelet/testimage:1.0\n");
}

// Reports a change when the test says so; counts the waits, so that a test knows when the watch
// loop has acted on a change (it is waiting again).
class ScriptedWatcher final : public static_pods::DirectoryWatcher {
 public:
  bool WaitForChange(absl::Duration timeout) override {
    std::unique_lock<std::mutex> l(mu_);
    ++waits_;
    cv_.notify_all();
    cv_.wait_for(l, absl::ToChronoNanoseconds(timeout), [this] { return pending_; });
    return std::exchange(pending_, false);
  }
  // Reports one change and returns once the watch loop has handled it.
  void Change() {
    std::unique_lock<std::mutex> l(mu_);
    pending_ = true;
    cv_.notify_all();
    const int seen = waits_;
    cv_.wait(l, [&] { return !pending_ && waits_ > seen; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  int waits_ = 0;
};

class FilePodSourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<FilePodSource> Source(Clock* clock, TimerQueue* timers,
                                        std::unique_ptr<static_pods::DirectoryWatcher> watcher) {
    return std::make_unique<FilePodSource>(static_pods::FileSourceOptions{dir_.path(), "node", absl::Seconds(20)},
                                           Logger(sink_, 0, clock), std::move(watcher), timers,
                                           [this](PodUpdate u) {
                                             std::lock_guard<std::mutex> l(mu_);
                                             EXPECT_EQ(u.op, PodOperation::kSet);
                                             EXPECT_EQ(u.source, kFileSource);
                                             std::vector<std::string> names;
                                             for (const auto& p : u.pods) names.push_back(p->metadata.name);
                                             sets_.push_back(std::move(names));
                                             cv_.notify_all();
                                           });
  }
  std::vector<std::vector<std::string>> Sets() {
    std::lock_guard<std::mutex> l(mu_);
    return sets_;
  }
  // Waits (bounded) until the last SET is `want`; for the real inotify test only.
  bool AwaitLastSet(const std::vector<std::string>& want) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(10), [&] { return !sets_.empty() && sets_.back() == want; });
  }

  cubelet::testing::TempDir dir_{"file-pod-source-test"};
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::vector<std::string>> sets_;
};

TEST_F(FilePodSourceTest, StartDeliversASetThenReReadsEveryFileCheckFrequency) {
  FakeClock clock;
  TimerQueue timers(&clock, Logger(sink_, 0, &clock));
  dir_.Write("a.yaml", Manifest("a"));
  auto source = Source(&clock, &timers, std::make_unique<ScriptedWatcher>());
  source->Start();
  EXPECT_THAT(Sets(), ElementsAre(ElementsAre("a-node")));

  dir_.Write("b.yaml", Manifest("b"));  // no change reported: only the periodic re-read finds it
  clock.Advance(absl::Seconds(19));
  timers.AwaitIdle();
  EXPECT_EQ(Sets().size(), 1u) << "re-read before fileCheckFrequency";
  clock.Advance(absl::Seconds(1));
  timers.AwaitIdle();
  ASSERT_EQ(Sets().size(), 2u);
  EXPECT_THAT(Sets().back(), ElementsAre("a-node", "b-node"));

  source.reset();
  clock.Advance(absl::Minutes(5));
  timers.AwaitIdle();
  EXPECT_EQ(Sets().size(), 2u) << "read after the source was destroyed";
}

TEST_F(FilePodSourceTest, AChangeIsReadOnceItHasSettled) {
  FakeClock clock;
  TimerQueue timers(&clock, Logger(sink_, 0, &clock));
  auto watcher = std::make_unique<ScriptedWatcher>();
  ScriptedWatcher* changes = watcher.get();
  auto source = Source(&clock, &timers, std::move(watcher));
  source->Start();
  EXPECT_THAT(Sets(), ElementsAre(IsEmpty()));

  dir_.Write("a.yaml", Manifest("a"));
  changes->Change();
  dir_.Write("b.yaml", Manifest("b"));
  changes->Change();  // a second change within the settle delay re-arms the one read
  timers.AwaitIdle();
  EXPECT_EQ(Sets().size(), 1u) << "read before the writes settled";
  clock.Advance(FilePodSource::kChangeSettleDelay);
  timers.AwaitIdle();
  ASSERT_EQ(Sets().size(), 2u) << "one read for the two changes";
  EXPECT_THAT(Sets().back(), ElementsAre("a-node", "b-node"));
}

TEST_F(FilePodSourceTest, RealInotifyDeliversChanges) {
  RealClock clock;
  TimerQueue timers(&clock, Logger(sink_, 0, &clock));
  auto source = Source(&clock, &timers, static_pods::NewInotifyWatcher(dir_.path()));
  source->Start();
  EXPECT_TRUE(AwaitLastSet({}));
  dir_.Write("web.yaml", Manifest("web"));
  EXPECT_TRUE(AwaitLastSet({"web-node"}));
  std::filesystem::remove(dir_ / "web.yaml");
  EXPECT_TRUE(AwaitLastSet({}));
}

}  // namespace
}  // namespace cubelet::config
