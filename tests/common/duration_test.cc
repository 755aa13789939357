#include "common/duration.h"

#include <gtest/gtest.h>

namespace cubelet {
namespace {

TEST(ParseGoDurationTest, ParsesEveryUnitAndCompoundForms) {
  EXPECT_EQ(*ParseGoDuration("20s"), absl::Seconds(20));
  EXPECT_EQ(*ParseGoDuration("1m30s"), absl::Seconds(90));
  EXPECT_EQ(*ParseGoDuration("2h"), absl::Hours(2));
  EXPECT_EQ(*ParseGoDuration("100ms"), absl::Milliseconds(100));
  EXPECT_EQ(*ParseGoDuration("1.5s"), absl::Milliseconds(1500));
  EXPECT_EQ(*ParseGoDuration("10us"), absl::Microseconds(10));
  EXPECT_EQ(*ParseGoDuration("7ns"), absl::Nanoseconds(7));
  EXPECT_EQ(*ParseGoDuration("0"), absl::ZeroDuration());
  EXPECT_EQ(*ParseGoDuration("-5m"), absl::Minutes(-5));
}

TEST(ParseGoDurationTest, RejectsMissingOrUnknownUnitsWithTheText) {
  auto no_unit = ParseGoDuration("20");
  ASSERT_FALSE(no_unit.ok());
  EXPECT_NE(no_unit.status().message().find("\"20\""), absl::string_view::npos);
  EXPECT_FALSE(ParseGoDuration("5d").ok());
  EXPECT_FALSE(ParseGoDuration("").ok());
  EXPECT_FALSE(ParseGoDuration("s").ok());
  EXPECT_FALSE(ParseGoDuration("1m x").ok());
}

TEST(FormatGoDurationTest, MatchesGoDurationString) {
  EXPECT_EQ(FormatGoDuration(absl::Minutes(2)), "2m0s");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(10)), "10s");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatGoDuration(absl::Milliseconds(100)), "100ms");
  EXPECT_EQ(FormatGoDuration(absl::Hours(4)), "4h0m0s");
  EXPECT_EQ(FormatGoDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(FormatGoDuration(absl::Seconds(-3)), "-3s");
}

TEST(FormatGoDurationTest, RoundTripsThroughParse) {
  for (const char* text : {"1h2m3s", "45s", "250ms", "3m0.5s"}) {
    const absl::Duration d = *ParseGoDuration(text);
    EXPECT_EQ(*ParseGoDuration(FormatGoDuration(d)), d) << text;
  }
  EXPECT_EQ(FormatGoDuration(*ParseGoDuration("1h2m3s")), "1h2m3s");
}

}  // namespace
}  // namespace cubelet
