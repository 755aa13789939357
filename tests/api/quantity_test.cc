#include "api/quantity.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>

namespace cubelet::api {
namespace {

Quantity Q(const char* s) {
  auto q = Quantity::Parse(s);
  EXPECT_TRUE(q.ok()) << s << ": " << q.status();
  return q.ok() ? *q : Quantity();
}

TEST(QuantityTest, ParsesValuesExactly) {
  EXPECT_EQ(Q("500m").MilliValue(), 500);
  EXPECT_EQ(Q("1").MilliValue(), 1000);
  EXPECT_EQ(Q("1.5").MilliValue(), 1500);
  EXPECT_EQ(Q("0.1").MilliValue(), 100);
  EXPECT_EQ(Q("64Mi").Value(), 64 * 1024 * 1024);
  EXPECT_EQ(Q("1Gi").Value(), 1073741824);
  EXPECT_EQ(Q("1.5Gi").Value(), 1610612736);
  EXPECT_EQ(Q("128974848").Value(), 128974848);
  EXPECT_EQ(Q("129e6").Value(), 129000000);
  EXPECT_EQ(Q("123M").Value(), 123000000);
  EXPECT_EQ(Q("1k").Value(), 1000);
  EXPECT_EQ(Q("2Ki").Value(), 2048);
  EXPECT_EQ(Q("1E").Value(), 1000000000000000000);
  EXPECT_EQ(Q("-1").Value(), -1);
  EXPECT_EQ(Q("+5").Value(), 5);
}

TEST(QuantityTest, ValueRoundsUp) {
  EXPECT_EQ(Q("100m").Value(), 1);
  EXPECT_EQ(Q("1.1").Value(), 2);
  EXPECT_EQ(Q("1n").MilliValue(), 1);
  EXPECT_EQ(Q("250m").Value(), 1);
}

TEST(QuantityTest, CanonicalForms) {
  EXPECT_EQ(Q("1000m").ToString(), "1");
  EXPECT_EQ(Q("1500m").ToString(), "1500m");
  EXPECT_EQ(Q("0.5").ToString(), "500m");
  EXPECT_EQ(Q("1000").ToString(), "1k");
  EXPECT_EQ(Q("2000000").ToString(), "2M");
  EXPECT_EQ(Q("1024Mi").ToString(), "1Gi");
  EXPECT_EQ(Q("1.5Gi").ToString(), "1536Mi");
  EXPECT_EQ(Q("64Mi").ToString(), "64Mi");
  EXPECT_EQ(Q("0.5Ki").ToString(), "512");
  EXPECT_EQ(Q("0").ToString(), "0");
  EXPECT_EQ(Q("0Mi").ToString(), "0");
  EXPECT_EQ(Q("12e6").ToString(), "12e6");
  EXPECT_EQ(Q("100").ToString(), "100");
  EXPECT_EQ(Quantity::FromMilli(250).ToString(), "250m");
}

TEST(QuantityTest, RejectsMalformed) {
  for (const char* bad : {"", "abc", "1.2.3", "1Mb", "Mi", "1 Gi", "--1", "1e", "5Xi"}) {
    EXPECT_FALSE(Quantity::Parse(bad).ok()) << bad;
  }
  EXPECT_NE(std::string(Quantity::Parse("abc").status().message()).find("quantities must match the regular expression"),
            std::string::npos);
}

// Boundaries of the int64 conversions the node makes (bytes, millicores): the last value that
// fits converts exactly, the next one is reported as not fitting and saturates, never wraps.
TEST(QuantityTest, ConversionsAtTheInt64Boundary) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(Q("9223372036854775807").CheckedValue(), kMax);
  EXPECT_EQ(Q("9223372036854775807").Value(), kMax);
  EXPECT_EQ(Q("9223372036854775808").CheckedValue(), std::nullopt);
  EXPECT_EQ(Q("9223372036854775808").Value(), kMax) << "saturates";
  EXPECT_EQ(Q("9223372036854775806.5").CheckedValue(), kMax) << "rounds up to the max, which fits";
  EXPECT_EQ(Q("9223372036854775807.000000001").CheckedValue(), std::nullopt) << "rounds up past it";
  EXPECT_EQ(Q("-9223372036854775808").CheckedValue(), kMin);
  EXPECT_EQ(Q("-9223372036854775809").CheckedValue(), std::nullopt);
  EXPECT_EQ(Q("-9223372036854775809").Value(), kMin);
  EXPECT_EQ(Q("7Ei").CheckedValue(), int64_t{7} << 60);
  EXPECT_EQ(Q("8Ei").CheckedValue(), std::nullopt) << "2^63";
  EXPECT_EQ(Q("9223372036854775807m").CheckedMilliValue(), kMax);
  EXPECT_EQ(Q("9223372036854775808m").CheckedMilliValue(), std::nullopt);
  EXPECT_EQ(Q("9223372036854775807").CheckedMilliValue(), std::nullopt) << "cpu: 9223372036854775807";
  EXPECT_EQ(Q("9223372036854775807").MilliValue(), kMax);
  EXPECT_EQ(Q("9223372036854775.807").CheckedMilliValue(), kMax);
  EXPECT_EQ(Q("100E").CheckedValue(), std::nullopt);
  EXPECT_EQ(Quantity::FromMilli(kMax).CheckedMilliValue(), kMax);
  EXPECT_EQ(Quantity::FromInt(kMin).CheckedValue(), kMin);
}

// Text whose value no int64 conversion could hold is refused while parsing, with every
// intermediate product checked: 10^26 × 2^60 overflows even __int128.
TEST(QuantityTest, HugeTextIsRefusedAsTooLarge) {
  for (const char* huge : {"100000000000000000000000000Ei", "1e40", "999999999999999999999999999999999999999",
                           "1329227995784915872903807060280344576Ei", "2000000000000000000000000000E"}) {
    auto q = Quantity::Parse(huge);
    ASSERT_FALSE(q.ok()) << huge;
    EXPECT_EQ(q.status().message(), "quantity is too large") << huge;
  }
  EXPECT_FALSE(Quantity::Parse("1e41").ok()) << "exponent beyond the supported range";
  EXPECT_TRUE(Quantity::Parse("1e27").ok()) << "large but representable";
  EXPECT_EQ(Q("0.0000000000000000000000000000000000000000001").MilliValue(), 1) << "tiny rounds up, not to zero";
}

TEST(QuantityTest, SumsSaturateInsteadOfOverflowing) {
  Quantity big = Q("1e27");
  Quantity total;
  for (int i = 0; i < 1000; ++i) total = total + big;  // far past __int128 without the clamp
  EXPECT_GT(total.Compare(big), 0);
  EXPECT_EQ(total.CheckedValue(), std::nullopt);
  EXPECT_EQ(total.Value(), std::numeric_limits<int64_t>::max());
}

TEST(QuantityTest, CompareAndAdd) {
  EXPECT_LT(Q("500m").Compare(Q("1")), 0);
  EXPECT_EQ(Q("1024").Compare(Q("1Ki")), 0);
  EXPECT_EQ((Q("250m") + Q("750m")).MilliValue(), 1000);
}

}  // namespace
}  // namespace cubelet::api
