#include "kuberuntime/backoff.h"

#include <gtest/gtest.h>

namespace cubelet::kuberuntime {
namespace {

TEST(BackoffTest, CrashLoopDelaysDoubleFromTenSecondsToFiveMinutes) {
  FakeClock clock;
  Backoff b(&clock, absl::Seconds(10), absl::Seconds(300));
  const std::string key = "pod_ns_uid_c_hash";
  // First crash: no back-off yet; recording it starts at 10 s.
  EXPECT_FALSE(b.IsInBackOffSince(key, clock.Now()));
  std::vector<int64_t> delays;
  for (int i = 0; i < 8; ++i) {
    b.Next(key, clock.Now());
    delays.push_back(absl::ToInt64Seconds(b.Get(key)));
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{10, 20, 40, 80, 160, 300, 300, 300}));
}

TEST(BackoffTest, InBackOffUntilTheDelayHasPassedSinceTheEvent) {
  FakeClock clock;
  Backoff b(&clock, absl::Seconds(10), absl::Seconds(300));
  const absl::Time finished = clock.Now();
  b.Next("k", finished);
  clock.Advance(absl::Seconds(9));
  EXPECT_TRUE(b.IsInBackOffSince("k", finished));
  clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(b.IsInBackOffSince("k", finished));
}

TEST(BackoffTest, ResetsAfterTenQuietMinutes) {
  FakeClock clock;
  Backoff b(&clock, absl::Seconds(10), absl::Seconds(300));
  for (int i = 0; i < 4; ++i) b.Next("k", clock.Now());
  EXPECT_EQ(b.Get("k"), absl::Seconds(80));
  clock.Advance(absl::Seconds(601));
  b.Next("k", clock.Now());
  EXPECT_EQ(b.Get("k"), absl::Seconds(10));
}

TEST(BackoffTest, ImagePullBackOffCountsFromTheLastAttempt) {
  FakeClock clock;
  Backoff b(&clock, absl::Seconds(10), absl::Seconds(300));
  EXPECT_FALSE(b.IsInBackOffSinceUpdate("img"));
  b.Next("img", clock.Now());
  EXPECT_TRUE(b.IsInBackOffSinceUpdate("img"));
  clock.Advance(absl::Seconds(10));
  EXPECT_FALSE(b.IsInBackOffSinceUpdate("img"));
}

}  // namespace
}  // namespace cubelet::kuberuntime
