#include "controllers/informer.h"

#include <map>

#include "controllers/controller_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using testing::Eventually;
using testing::Stack;
using testing::TempDir;

// Counts what a handler receives, per object name and type.
class Recorder {
 public:
  InformerHandler Handler() {
    return {[this](const WatchEvent& e) {
              absl::MutexLock lock(&mu_);
              if (e.type == EventType::kBookmark) {
                ++synced_;
              } else {
                ++counts_[{e.object->name, e.type}];
              }
            },
            [this] {
              absl::MutexLock lock(&mu_);
              ++relists_;
            }};
  }
  int Count(const std::string& name, EventType type) const {
    absl::MutexLock lock(&mu_);
    auto it = counts_.find({name, type});
    return it == counts_.end() ? 0 : it->second;
  }
  int synced() const {
    absl::MutexLock lock(&mu_);
    return synced_;
  }
  int relists() const {
    absl::MutexLock lock(&mu_);
    return relists_;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, EventType>, int> counts_ ABSL_GUARDED_BY(mu_);
  int synced_ ABSL_GUARDED_BY(mu_) = 0;
  int relists_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(InformerTest, StartsWithTheCurrentObjectsThenFollowsChanges) {
  TempDir dir;
  RealClock clock;
  Stack stack(dir.path(), &clock);
  registry::ResourceStore* configmaps = stack.Core("configmaps");
  stack.Create(configmaps, "default", testing::ConfigMap("before"));
  Informers informers(&clock, Logger(std::make_shared<StderrLogSink>(), 0, &clock));
  Recorder r;
  Informer* informer = informers.Add(configmaps, "default", {}, r.Handler());
  ASSERT_TRUE(informers.Start().ok());
  // The cache may apply the create after the watch took its snapshot: then it is an ADDED
  // after the bookmark instead of before. Either way exactly one.
  ASSERT_TRUE(Eventually([&] { return r.synced() == 1 && r.Count("before", EventType::kAdded) == 1; }));
  EXPECT_TRUE(informer->synced());
  stack.Create(configmaps, "default", testing::ConfigMap("after"));
  stack.Create(configmaps, "other", testing::ConfigMap("elsewhere"));
  ASSERT_TRUE(configmaps->Delete("default", "before", registry::DeleteOptions{}).ok());
  EXPECT_TRUE(Eventually([&] { return r.Count("before", EventType::kDeleted) == 1; }));
  EXPECT_EQ(r.Count("after", EventType::kAdded), 1);
  EXPECT_EQ(r.Count("elsewhere", EventType::kAdded), 0);  // another namespace
  informers.Stop();
}

TEST(InformerTest, AWatchTheCacheEndsIsResumedWithoutLosingOrRepeatingEvents) {
  TempDir dir;
  RealClock clock;
  Stack stack(dir.path(), &clock);
  registry::ResourceStore* configmaps = stack.Core("configmaps");
  stack.Create(configmaps, "default", testing::ConfigMap("a"));
  Informers informers(&clock, Logger(std::make_shared<StderrLogSink>(), 0, &clock));
  Recorder r;
  Informer* informer = informers.Add(configmaps, "default", {}, r.Handler());
  ASSERT_TRUE(informers.Start().ok());
  ASSERT_TRUE(Eventually([&] { return r.synced() == 1 && r.Count("a", EventType::kAdded) == 1; }));

  for (int i = 0; i < 3; ++i) {
    // What the cache does when it ends a watch; the informer resumes from the last revision.
    informer->OnClosed(absl::UnavailableError("watch ended for the test"));
    stack.Create(configmaps, "default", testing::ConfigMap("b" + std::to_string(i)));
    absl::SleepFor(absl::Milliseconds(400));  // past the resume back-off
    stack.Create(configmaps, "default", testing::ConfigMap("c" + std::to_string(i)));
  }
  ASSERT_TRUE(Eventually([&] { return r.Count("c2", EventType::kAdded) == 1; }));
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(r.Count("a", EventType::kAdded), 1);  // not listed again
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.Count("b" + std::to_string(i), EventType::kAdded), 1) << i;
    EXPECT_EQ(r.Count("c" + std::to_string(i), EventType::kAdded), 1) << i;
  }
  EXPECT_EQ(r.relists(), 0);
  EXPECT_EQ(r.synced(), 1);
  informers.Stop();
}

}  // namespace
}  // namespace cubelet::controllers
