#include "controllers/informer.h"

#include <map>
#include <stdexcept>

#include "controllers/controller_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using testing::Eventually;

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

// Informers over the default namespace's config maps of a stack, recording what they deliver.
class InformerTest : public testing::StackTest {
 protected:
  Informers informers_{&clock_, Logger(std::make_shared<StderrLogSink>(), 0, &clock_)};
  Recorder recorder_;
};

TEST_F(InformerTest, StartsWithTheCurrentObjectsThenFollowsChanges) {
  stack_.Create(configmaps_, "default", testing::ConfigMap("before"));
  Informer* informer = informers_.Add(configmaps_, "default", {}, recorder_.Handler());
  ASSERT_TRUE(informers_.Start().ok());
  // The cache may apply the create after the watch took its snapshot: then it is an ADDED
  // after the bookmark instead of before. Either way exactly one.
  ASSERT_TRUE(
      Eventually([&] { return recorder_.synced() == 1 && recorder_.Count("before", EventType::kAdded) == 1; }));
  EXPECT_TRUE(informer->synced());
  stack_.Create(configmaps_, "default", testing::ConfigMap("after"));
  stack_.Create(configmaps_, "other", testing::ConfigMap("elsewhere"));
  ASSERT_TRUE(configmaps_->Delete("default", "before", registry::DeleteOptions{}).ok());
  EXPECT_TRUE(Eventually([&] { return recorder_.Count("before", EventType::kDeleted) == 1; }));
  EXPECT_EQ(recorder_.Count("after", EventType::kAdded), 1);
  EXPECT_EQ(recorder_.Count("elsewhere", EventType::kAdded), 0);  // another namespace
  informers_.Stop();
}

TEST_F(InformerTest, AWatchTheCacheEndsIsResumedWithoutLosingOrRepeatingEvents) {
  stack_.Create(configmaps_, "default", testing::ConfigMap("a"));
  Informer* informer = informers_.Add(configmaps_, "default", {}, recorder_.Handler());
  ASSERT_TRUE(informers_.Start().ok());
  ASSERT_TRUE(Eventually([&] { return recorder_.synced() == 1 && recorder_.Count("a", EventType::kAdded) == 1; }));

  for (int i = 0; i < 3; ++i) {
    // What the cache does when it ends a watch; the informer resumes from the last revision.
    informer->OnClosed(absl::UnavailableError("watch ended for the test"));
    stack_.Create(configmaps_, "default", testing::ConfigMap("b" + std::to_string(i)));
    absl::SleepFor(absl::Milliseconds(400));  // past the resume back-off
    stack_.Create(configmaps_, "default", testing::ConfigMap("c" + std::to_string(i)));
  }
  ASSERT_TRUE(Eventually([&] { return recorder_.Count("c2", EventType::kAdded) == 1; }));
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(recorder_.Count("a", EventType::kAdded), 1);  // not listed again
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(recorder_.Count("b" + std::to_string(i), EventType::kAdded), 1) << i;
    EXPECT_EQ(recorder_.Count("c" + std::to_string(i), EventType::kAdded), 1) << i;
  }
  EXPECT_EQ(recorder_.relists(), 0);
  EXPECT_EQ(recorder_.synced(), 1);
  informers_.Stop();
}


TEST_F(InformerTest, AHandlerThatThrowsLosesThatEventOnlyAndTheWatchGoesOn) {
  InformerHandler recording = recorder_.Handler();
  InformerHandler handler{[&](const WatchEvent& e) {
                            if (e.object != nullptr && e.object->name == "poison") throw std::out_of_range("stoi");
                            recording.on_event(e);
                          },
                          recording.on_relist};
  informers_.Add(configmaps_, "default", {}, std::move(handler));
  ASSERT_TRUE(informers_.Start().ok());
  ASSERT_TRUE(Eventually([&] { return recorder_.synced() == 1; }));
  stack_.Create(configmaps_, "default", testing::ConfigMap("poison"));
  stack_.Create(configmaps_, "default", testing::ConfigMap("after"));
  EXPECT_TRUE(Eventually([&] { return recorder_.Count("after", EventType::kAdded) == 1; }));
  EXPECT_EQ(recorder_.relists(), 0);  // the same watch delivered it: nothing was restarted
  informers_.Stop();
}

}  // namespace
}  // namespace cubelet::controllers
