#include "api/yaml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/time/clock.h"
#include "common/strings.h"

namespace cubelet::api {
namespace {

// Plain scalars resolve as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) resolves them, and numbers
// come out as valid JSON.
TEST(YamlToJsonTest, PlainScalarsResolveAsKubectlReadsThem) {
  struct Case {
    const char* yaml;
    const char* json;
  };
  for (const Case& c : {Case{"v: yes", R"({"v":true})"}, Case{"v: No", R"({"v":false})"}, Case{"v: on", R"({"v":true})"},
                        Case{"v: OFF", R"({"v":false})"}, Case{"v: y", R"({"v":true})"}, Case{"v: n", R"({"v":false})"},
                        Case{"v: 'yes'", R"({"v":"yes"})"}, Case{"v: 012", R"({"v":10})"}, Case{"v: 0x1F", R"({"v":31})"},
                        Case{"v: 0b101", R"({"v":5})"}, Case{"v: 1_000", R"({"v":1000})"}, Case{"v: +42", R"({"v":42})"},
                        Case{"v: -0", R"({"v":0})"}, Case{"v: .5", R"({"v":0.5})"}, Case{"v: -.5", R"({"v":-0.5})"},
                        Case{"v: 1.", R"({"v":1.0})"}, Case{"v: 007.5", R"({"v":7.5})"}, Case{"v: 1e3", R"({"v":1e3})"},
                        Case{"v: 09", R"({"v":9})"}, Case{"v: 0.25", R"({"v":0.25})"}, Case{"v: 1Gi", R"({"v":"1Gi"})"},
                        Case{"v: 500m", R"({"v":"500m"})"}, Case{"v: 1.2.3", R"({"v":"1.2.3"})"},
                        Case{"v: '012'", R"({"v":"012"})"}, Case{"v: ~", R"({"v":null})"},
                        Case{"v: 18446744073709551615", R"({"v":18446744073709551615})"},
                        Case{"v: 99999999999999999999", R"({"v":99999999999999999999})"}}) {
    auto json = YamlToJson(c.yaml);
    ASSERT_TRUE(json.ok()) << c.yaml << ": " << json.status();
    EXPECT_EQ(*json, c.json) << c.yaml;
  }
}

TEST(YamlToJsonTest, PositionsAreWhereEachValueWasWritten) {
  auto y = YamlToJsonWithPositions(R"(apiVersion: v1
metadata:
  name: web
  annotations: {a/b: x, "c~d": y}
spec:
  containers:
  - name: a
    args: [one,
      two]
)");
  ASSERT_TRUE(y.ok()) << y.status();
  auto at = [&](const char* pointer) {
    auto p = y->positions.Find(pointer);
    return p ? std::to_string(p->line) + ":" + std::to_string(p->column) : std::string("none");
  };
  EXPECT_EQ(at(""), "1:1");
  EXPECT_EQ(at("/apiVersion"), "1:1");
  EXPECT_EQ(at("/metadata/name"), "3:3");
  EXPECT_EQ(at("/metadata/annotations/a~1b"), "4:17");
  EXPECT_EQ(at("/metadata/annotations/c~0d"), "4:25");
  EXPECT_EQ(at("/spec/containers/0"), "7:5");
  EXPECT_EQ(at("/spec/containers/0/args/1"), "9:7");
  EXPECT_EQ(at("/spec/containers/0/args/1/deeper/still"), "9:7") << "the nearest ancestor";
  EXPECT_EQ(at("/nothere"), "1:1");
  EXPECT_EQ(AtLine(&y->positions, "/spec/containers/0/name"), " (line 7, column 5)");
  EXPECT_EQ(AtLine(nullptr, "/spec"), "");
}

// "Billion laughs": nine levels of nine aliases describe 9^9 nodes in a few hundred bytes. The
// expansion stops at the budget with a clear error, quickly, instead of running out of memory.
TEST(YamlToJsonTest, AnAliasBombIsAnErrorWithinASecond) {
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const char prev = static_cast<char>(level - 1);
    bomb += StrCat(std::string(1, level), ": &", std::string(1, level), " [");
    for (int i = 0; i < 9; ++i) bomb += StrCat(i == 0 ? "" : ",", "*", std::string(1, prev));
    bomb += "]\n";
  }
  for (bool positions : {false, true}) {
    const absl::Time start = absl::Now();
    absl::Status s = positions ? YamlToJsonWithPositions(bomb).status() : YamlToJson(bomb).status();
    const absl::Duration took = absl::Now() - start;
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("excessive aliasing"));
    EXPECT_LT(took, absl::Seconds(1)) << (positions ? "with positions" : "without positions");
  }
  // Aliases within the budget are expanded: a small document, or heavy reuse of a large anchor
  // (98% of the nodes from aliases, under go-yaml's 99%).
  auto small = YamlToJson("base: &b {x: 1}\nuse: *b\n");
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(*small, R"({"base":{"x":1},"use":{"x":1}})");
  std::string reuse = "base: &b [0";
  for (int i = 1; i < 1000; ++i) reuse += StrCat(",", i);
  reuse += "]\n";
  for (int i = 0; i < 50; ++i) reuse += StrCat("use", i, ": *b\n");
  auto large = YamlToJson(reuse);
  ASSERT_TRUE(large.ok()) << large.status();
  EXPECT_GT(large->size(), 50u * 3890u);
  // Many empty values are not aliases of each other.
  std::string nulls;
  for (int i = 0; i < 3000; ++i) nulls += StrCat("k", i, ":\n");
  EXPECT_TRUE(YamlToJson(nulls).ok());
}

TEST(YamlToJsonTest, SyntaxErrorsGiveLineAndColumn) {
  auto bad = YamlToJson("a: 1\nb: [1,\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), ::testing::StartsWith("invalid YAML: line 3, column 1: "));
}

// yaml-cpp refuses nesting past 500 levels with "bad file"; cubelet says what is wrong and where,
// for flow collections (refused before yaml-cpp scans them), block ones and mixtures.
TEST(YamlToJsonTest, DeepNestingIsAClearError) {
  auto flow = YamlToJson("spec: " + std::string(2'000'000, '['));
  ASSERT_FALSE(flow.ok());
  EXPECT_EQ(flow.status().message(), "invalid YAML: nested deeper than 500 levels at line 1, column 507");
  auto objects = YamlToJson(StrCat("a: 1\n", [] {
    std::string s;
    for (int i = 0; i < 10000; ++i) s += "{a: ";
    return s;
  }()));
  EXPECT_EQ(objects.status().message(), "invalid YAML: nested deeper than 500 levels at line 2, column 2001");
  std::string block;
  for (int i = 0; i < 100000; ++i) block += "- ";
  auto blocks = YamlToJson(block + "x\n");
  ASSERT_FALSE(blocks.ok());
  EXPECT_THAT(std::string(blocks.status().message()), ::testing::StartsWith("invalid YAML: nested deeper than 500 levels at line 1, column "));
  std::string mapping;
  for (int i = 0; i < 600; ++i) mapping += std::string(i, ' ') + "a:\n";
  EXPECT_THAT(std::string(YamlToJson(mapping).status().message()),
              ::testing::StartsWith("invalid YAML: nested deeper than 500 levels at line "));
  // Real documents are far shallower: 400 levels are read.
  std::string fine;
  for (int i = 0; i < 400; ++i) fine += "- ";
  EXPECT_TRUE(YamlToJson(fine + "x\n").ok());
  EXPECT_TRUE(YamlToJson(std::string(400, '[') + std::string(400, ']')).ok());
}

TEST(YamlToJsonTest, AHundredMegabyteLineIsRefusedBeforeParsing) {
  std::string line = "a: " + std::string(100 << 20, 'x') + "\n";
  auto y = YamlToJsonWithPositions(line);
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().message(), "invalid YAML: the document is 104857604 bytes, larger than the limit of 67108864 bytes");
}

}  // namespace
}  // namespace cubelet::api
