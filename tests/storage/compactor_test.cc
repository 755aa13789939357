#include "storage/compactor.h"

#include <string>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store_test_util.h"

namespace cubelet::storage {
namespace {

class CompactorTest : public testing::StoreTest {
 protected:
  void SetUp() override { Open(); }
  void Write(int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(store_->Create(StrCat("/k/", next_++), "v").ok());
  }

  int next_ = 0;
};

TEST_F(CompactorTest, KeepsRevisionsYoungerThanTheMinimumAge) {
  Compactor compactor(store_.get(),
                      {.keep_revisions = 5, .keep_duration = absl::Minutes(5)}, &clock_,
                      testing::TestLogger());
  Write(20);
  EXPECT_EQ(*compactor.RunOnce(), 0) << "nothing is known to be 5 minutes old yet";
  clock_.Advance(absl::Minutes(3));
  Write(10);
  EXPECT_EQ(*compactor.RunOnce(), 0);
  clock_.Advance(absl::Minutes(3));
  // Revision 20 was current 6 minutes ago: old enough, and 10 behind the current 30.
  EXPECT_EQ(*compactor.RunOnce(), 20);
  EXPECT_EQ(store_->CompactedRevision(), 20);
  EXPECT_EQ(*compactor.RunOnce(), 0) << "nothing new";
}

TEST_F(CompactorTest, KeepsTheMinimumNumberOfRevisions) {
  Compactor compactor(store_.get(),
                      {.keep_revisions = 25, .keep_duration = absl::Minutes(5)}, &clock_,
                      testing::TestLogger());
  Write(20);
  EXPECT_EQ(*compactor.RunOnce(), 0);
  clock_.Advance(absl::Minutes(10));
  Write(10);
  // Revision 20 is old enough, but only 10 behind: keep 25 → compact to 5.
  EXPECT_EQ(*compactor.RunOnce(), 5);
  clock_.Advance(absl::Minutes(10));
  EXPECT_EQ(*compactor.RunOnce(), 0) << "30 is old enough now, but 30 - 25 = 5 is done";
  EXPECT_EQ(store_->CompactedRevision(), 5);
}

TEST_F(CompactorTest, RunsOnItsOwnThreadUntilStopped) {
  Compactor compactor(store_.get(),
                      {.interval = absl::Milliseconds(5), .keep_revisions = 1,
                       .keep_duration = absl::Minutes(1)},
                      &clock_, testing::TestLogger());
  Write(10);
  compactor.Start();
  absl::SleepFor(absl::Milliseconds(30));  // a few passes record revision 10 at this time
  clock_.Advance(absl::Minutes(2));
  bool compacted = false;
  for (int i = 0; i < 4000 && !compacted; ++i) {
    compacted = store_->CompactedRevision() == 9;
    absl::SleepFor(absl::Milliseconds(5));
  }
  compactor.Stop();
  EXPECT_TRUE(compacted) << "compacted to " << store_->CompactedRevision();
}

}  // namespace
}  // namespace cubelet::storage
