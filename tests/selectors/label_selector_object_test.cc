// metav1.LabelSelector objects ({matchLabels, matchExpressions}) as the scheduler and
// workload validation read them, with upstream's ValidateLabelSelector messages.
#include <string>

#include "gtest/gtest.h"
#include "json/parse.h"
#include "selectors/selectors.h"

namespace cubelet::selectors {
namespace {

absl::StatusOr<LabelSelector> FromJson(std::string_view text) {
  absl::StatusOr<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status();
  if (!v.ok()) return v.status();
  return LabelSelector::FromLabelSelectorObject(*v);
}

std::string ErrorOf(std::string_view text) {
  absl::StatusOr<LabelSelector> s = FromJson(text);
  EXPECT_FALSE(s.ok()) << text;
  if (s.ok()) return "<ok>";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

TEST(LabelSelectorObjectTest, MatchLabelsAndExpressionsBecomeSortedRequirements) {
  absl::StatusOr<LabelSelector> s = FromJson(R"({
    "matchLabels": {"tier": "web", "app": "shop"},
    "matchExpressions": [
      {"key": "zone", "operator": "In", "values": ["b", "a"]},
      {"key": "env", "operator": "NotIn", "values": ["dev"]},
      {"key": "gpu", "operator": "Exists"},
      {"key": "legacy", "operator": "DoesNotExist", "values": []}
    ]})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->String(), "app=shop,env notin (dev),gpu,!legacy,tier=web,zone in (a,b)");
  EXPECT_EQ(s->requirements().back().values, (std::vector<std::string>{"a", "b"}));

  EXPECT_TRUE(s->Matches({{"app", "shop"}, {"tier", "web"}, {"zone", "a"}, {"gpu", "1"}}));
  EXPECT_FALSE(s->Matches({{"app", "shop"}, {"tier", "web"}, {"zone", "c"}, {"gpu", "1"}}));
  EXPECT_FALSE(s->Matches({{"app", "shop"}, {"tier", "web"}, {"zone", "a"}}));
  EXPECT_FALSE(s->Matches({{"app", "shop"}, {"tier", "web"}, {"zone", "a"}, {"gpu", "1"}, {"legacy", ""}}));
  EXPECT_FALSE(s->Matches({{"app", "shop"}, {"tier", "web"}, {"zone", "a"}, {"gpu", "1"}, {"env", "dev"}}));
}

TEST(LabelSelectorObjectTest, EmptyAndNullSelectEverything) {
  for (std::string_view text : {"null", "{}", R"({"matchLabels": {}, "matchExpressions": []})",
                                R"({"matchLabels": null})"}) {
    absl::StatusOr<LabelSelector> s = FromJson(text);
    ASSERT_TRUE(s.ok()) << text << ": " << s.status();
    EXPECT_TRUE(s->empty()) << text;
    EXPECT_TRUE(s->Matches({{"any", "thing"}})) << text;
  }
}

TEST(LabelSelectorObjectTest, OperatorAndValueRulesNameTheField) {
  EXPECT_EQ(ErrorOf(R"({"matchExpressions": [{"key": "a", "operator": "Foo"}]})"),
            "matchExpressions[0].operator: Invalid value: \"Foo\": not a valid selector operator");
  EXPECT_EQ(ErrorOf(R"({"matchExpressions": [{"key": "a", "operator": "Exists"},
                                             {"key": "b", "operator": "In"}]})"),
            "matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
  EXPECT_EQ(ErrorOf(R"({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": []}]})"),
            "matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
  EXPECT_EQ(ErrorOf(R"({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})"),
            "matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
            "'DoesNotExist'");
  // Gt/Lt belong to node selectors, not to metav1.LabelSelector.
  EXPECT_EQ(ErrorOf(R"({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})"),
            "matchExpressions[0].operator: Invalid value: \"Gt\": not a valid selector operator");
}

TEST(LabelSelectorObjectTest, InvalidKeysAndValuesAreReportedTogether) {
  EXPECT_EQ(ErrorOf(R"({"matchLabels": {"a@b": "x"}})"),
            "matchLabels: Invalid value: \"a@b\": name part must consist of alphanumeric characters, '-', '_' or "
            "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  const std::string error = ErrorOf(R"({"matchLabels": {"ok": "bad value"},
      "matchExpressions": [{"key": "", "operator": "In", "values": ["v"]}]})");
  EXPECT_TRUE(error.starts_with("[matchLabels: Invalid value: \"bad value\": a valid label must be")) << error;
  EXPECT_NE(error.find(", matchExpressions[0].key: Invalid value: \"\": name part must be non-empty, "), std::string::npos)
      << error;
  EXPECT_TRUE(error.ends_with("]")) << error;
  EXPECT_NE(ErrorOf(R"({"matchExpressions": [{"key": "a", "operator": "In", "values": ["a b"]}]})")
                .find("matchExpressions[0].values[0]: Invalid value: \"a b\""),
            std::string::npos);
}

TEST(LabelSelectorObjectTest, WrongJsonTypesAreErrorsNotCrashes) {
  EXPECT_NE(ErrorOf(R"("app=web")").find("must be an object"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"matchLabels": ["a"]})").find("matchLabels"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"matchLabels": {"a": 1}})").find("matchLabels[a]"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"matchExpressions": {}})").find("matchExpressions"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"matchExpressions": [{"key": "a", "operator": "In", "values": [1]}]})")
                .find("matchExpressions[0].values[0]"),
            std::string::npos);
}

}  // namespace
}  // namespace cubelet::selectors
