#include "api/quantity.h"

#include <gtest/gtest.h>

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

TEST(QuantityTest, CompareAndAdd) {
  EXPECT_LT(Q("500m").Compare(Q("1")), 0);
  EXPECT_EQ(Q("1024").Compare(Q("1Ki")), 0);
  EXPECT_EQ((Q("250m") + Q("750m")).MilliValue(), 1000);
}

}  // namespace
}  // namespace cubelet::api
