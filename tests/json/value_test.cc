#include "json/value.h"

#include <gtest/gtest.h>

#include "json/parse.h"
#include "json/write.h"

namespace cubelet::json {
namespace {

Value P(std::string_view text) {
  auto v = Parse(text);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : Value();
}

TEST(ValueTest, ObjectsKeepInsertionOrderAndNumbersTheirLiterals) {
  Value v = P(R"({"z":1,"a":12345678901234567890123,"m":1.50})");
  EXPECT_EQ(Write(v), R"({"z":1,"a":12345678901234567890123,"m":1.50})");
}

TEST(ValueTest, IntegerReadsAreChecked) {
  EXPECT_EQ(P("42").AsInt64(), 42);
  EXPECT_EQ(P("-9223372036854775808").AsInt64(), INT64_MIN);
  EXPECT_EQ(P("9223372036854775808").AsInt64(), std::nullopt);  // overflow, not wrap-around
  EXPECT_EQ(P("1.5").AsInt64(), std::nullopt);
  EXPECT_EQ(P("1e3").AsInt64(), std::nullopt);
  EXPECT_EQ(P("\"1\"").AsInt64(), std::nullopt);
  EXPECT_EQ(P("2.5").AsDouble(), 2.5);
}

TEST(ValueTest, SetReplacesInPlaceAndEraseRemoves) {
  Value v = P(R"({"a":1,"b":2})");
  v.Set("a", "x");
  v.Set("c", true);
  EXPECT_EQ(Write(v), R"({"a":"x","b":2,"c":true})");
  EXPECT_TRUE(v.Erase("b"));
  EXPECT_FALSE(v.Erase("b"));
  EXPECT_EQ(Write(v), R"({"a":"x","c":true})");
}

TEST(ValueTest, EnsureCreatesIntermediateObjects) {
  Value v;
  v.Ensure({"metadata", "labels"}).Set("app", "web");
  EXPECT_EQ(Write(v), R"({"metadata":{"labels":{"app":"web"}}})");
  EXPECT_EQ(v.GetString({"metadata", "labels", "app"}), "web");
  EXPECT_EQ(v.GetString({"metadata", "name"}, "none"), "none");
  EXPECT_EQ(v.FindPath({"metadata", "labels", "app", "deeper"}), nullptr);
}

TEST(ValueTest, EqualityIgnoresMemberOrderAndNumberSpelling) {
  EXPECT_EQ(P(R"({"a":1,"b":[1,2]})"), P(R"({"b":[1,2],"a":1.0})"));
  EXPECT_FALSE(P("[1,2]") == P("[2,1]"));
  EXPECT_FALSE(P(R"({"a":1})") == P(R"({"a":"1"})"));
  EXPECT_FALSE(P(R"({"a":1})") == P(R"({"a":1,"b":null})"));
}

TEST(ValueTest, DoublesAreWrittenShortestAndNonFiniteBecomesNull) {
  EXPECT_EQ(Write(Value(0.1)), "0.1");
  EXPECT_EQ(Write(Value(1.0 / 0.0)), "null");
}

}  // namespace
}  // namespace cubelet::json
