// HumanDuration against upstream duration.HumanDuration's thresholds, one row per boundary.
#include "gtest/gtest.h"
#include "printers/printers.h"

namespace cubelet::printers {
namespace {

TEST(HumanDurationTest, EveryThresholdMatchesUpstream) {
  const absl::Duration kDay = absl::Hours(24);
  const struct {
    absl::Duration d;
    const char* want;
  } kCases[] = {
      {absl::Seconds(-2), "<invalid>"},
      {absl::Milliseconds(-1999), "0s"},  // within a second of skew counts as now
      {absl::Seconds(-1), "0s"},
      {absl::ZeroDuration(), "0s"},
      {absl::Milliseconds(999), "0s"},
      {absl::Seconds(1), "1s"},
      {absl::Seconds(45), "45s"},
      {absl::Milliseconds(119999), "119s"},
      {absl::Seconds(120), "2m"},
      {absl::Seconds(121), "2m1s"},
      {absl::Minutes(9) + absl::Seconds(59), "9m59s"},
      {absl::Minutes(10), "10m"},
      {absl::Minutes(10) + absl::Seconds(30), "10m"},
      {absl::Minutes(179), "179m"},
      {absl::Hours(3), "3h"},
      {absl::Hours(3) + absl::Minutes(10), "3h10m"},
      {absl::Hours(7) + absl::Minutes(59), "7h59m"},
      {absl::Hours(8), "8h"},
      {absl::Hours(47) + absl::Minutes(59), "47h"},
      {absl::Hours(48), "2d"},
      {absl::Hours(51), "2d3h"},
      {8 * kDay - absl::Hours(1), "7d23h"},
      {8 * kDay, "8d"},
      {400 * kDay, "400d"},
      {729 * kDay, "729d"},
      {730 * kDay, "2y"},
      {731 * kDay, "2y1d"},
      {8 * 365 * kDay - kDay, "7y364d"},
      {8 * 365 * kDay, "8y"},
      {20 * 365 * kDay + 100 * kDay, "20y"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(HumanDuration(c.d), c.want) << absl::FormatDuration(c.d);
  }
}

}  // namespace
}  // namespace cubelet::printers
