#include "json/parse.h"

#include <gtest/gtest.h>

#include "json/write.h"

namespace cubelet::json {
namespace {

TEST(ParseTest, RejectsTrailingGarbageWithOffset) {
  auto v = Parse(R"({"a":1} x)");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("offset"), std::string_view::npos) << v.status();
}

TEST(ParseTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(200000, '[');
  auto v = Parse(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "JSON nested deeper than 10000 levels at offset 10000");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  auto o = Parse(objects);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(), "JSON nested deeper than 10000 levels at offset 50000");
}

// Upstream's limit exactly: what it accepts is accepted, and the value can be written, copied
// and destroyed (each recursive) without exhausting the stack.
TEST(ParseTest, NestingOfExactlyTheLimitIsAccepted) {
  std::string text = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  auto v = Parse(text);
  ASSERT_TRUE(v.ok()) << v.status();
  Value copy = *v;
  EXPECT_EQ(Write(copy), text);
  EXPECT_FALSE(Parse("[" + text + "]").ok());
}

TEST(ParseTest, AHundredMegabyteLineIsRefusedBeforeParsing) {
  std::string line = "\"" + std::string(100 << 20, 'a') + "\"";
  auto v = Parse(line);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "JSON text of 104857602 bytes is larger than the limit of 67108864 bytes");
}

TEST(ParseTest, SizeLimit) {
  ParseOptions options;
  options.max_bytes = 10;
  auto v = Parse(R"({"abcdefgh":1})", options);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("larger than the limit"), std::string_view::npos);
}

TEST(ParseTest, DuplicateFieldsReportedWithPathsAndLastWins) {
  std::vector<std::string> dups;
  ParseOptions options;
  options.duplicate_fields = &dups;
  auto v = Parse(R"({"spec":{"containers":[{"name":"a","name":"b"}]},"kind":"Pod","kind":"Pod2"})", options);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(dups, (std::vector<std::string>{"spec.containers[0].name", "kind"}));
  EXPECT_EQ(v->GetString({"kind"}), "Pod2");
  EXPECT_EQ(Write(*v), R"({"spec":{"containers":[{"name":"b"}]},"kind":"Pod2"})");
}

TEST(ParseTest, DuplicatesInLargeObjectsAreFound) {
  std::string text = "{";
  for (int i = 0; i < 100; ++i) text += "\"k" + std::to_string(i) + "\":1,";
  text += "\"k7\":2}";
  std::vector<std::string> dups;
  ParseOptions options;
  options.duplicate_fields = &dups;
  auto v = Parse(text, options);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(dups, std::vector<std::string>{"k7"});
  EXPECT_EQ(v->size(), 100u);
  EXPECT_EQ(v->Find("k7")->AsInt64(), 2);
}

TEST(ParseTest, InvalidUtf8IsRefused) {
  EXPECT_FALSE(Parse("\"\xff\xfe\"").ok());
  EXPECT_TRUE(Parse("\"h\xc3\xa9llo\"").ok());
}

TEST(ParseTest, StringsRoundTripWithEscapes) {
  auto v = Parse(R"(["a\"b\\c\n\u0001\u00e9\/"])");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->AsArray()[0].AsString(), "a\"b\\c\n\x01\xc3\xa9/");
  EXPECT_EQ(Write(*v), "[\"a\\\"b\\\\c\\n\\u0001\xc3\xa9/\"]");
}

TEST(ParseTest, HugeIntegersAreKeptAsTheyWere) {
  auto v = Parse("[123456789012345678901234567890,-0.000000000000000000000000001]");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(Write(*v), "[123456789012345678901234567890,-0.000000000000000000000000001]");
  EXPECT_EQ(v->AsArray()[0].AsInt64(), std::nullopt);
}

// Go's decoder refuses numbers no float64 can hold; so do we, with an error rather than inf.
TEST(ParseTest, NumbersBeyondDoubleAreAnError) {
  auto v = Parse(R"({"a":1e999999})");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("Number too big"), std::string_view::npos) << v.status();
}

}  // namespace
}  // namespace cubelet::json
