// Field selectors as kubectl and kubelets send them (spec.nodeName=n1,
// status.phase!=Succeeded, metadata.name=x), with upstream fields.ParseSelector's escaping and
// error texts.
#include <string>

#include "gtest/gtest.h"
#include "selectors/field_escape.h"
#include "selectors/selectors.h"

namespace cubelet::selectors {
namespace {

std::string ErrorOf(std::string_view text) {
  absl::StatusOr<FieldSelector> s = FieldSelector::Parse(text);
  EXPECT_FALSE(s.ok()) << text;
  if (s.ok()) return "<ok>";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

FieldSelector MustParse(std::string_view text) {
  absl::StatusOr<FieldSelector> s = FieldSelector::Parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << s.status();
  return s.ok() ? *s : FieldSelector();
}

TEST(FieldSelectorTest, ParsesTheSelectorsKubectlAndKubeletsSend) {
  FieldSelector s = MustParse("spec.nodeName=node1,status.phase!=Succeeded,status.phase!=Failed");
  // Terms are kept sorted by their raw text, as upstream sorts them before parsing.
  EXPECT_EQ(s.String(), "spec.nodeName=node1,status.phase!=Failed,status.phase!=Succeeded");
  ASSERT_EQ(s.requirements().size(), 3u);
  EXPECT_EQ(s.requirements()[0].key, "spec.nodeName");
  EXPECT_EQ(s.requirements()[0].op, Operator::kEquals);
  EXPECT_EQ(s.requirements()[0].values, (std::vector<std::string>{"node1"}));
  EXPECT_EQ(s.requirements()[1].op, Operator::kNotEquals);

  EXPECT_TRUE(s.Matches({{"spec.nodeName", "node1"}, {"status.phase", "Running"}}));
  EXPECT_FALSE(s.Matches({{"spec.nodeName", "node1"}, {"status.phase", "Failed"}}));
  EXPECT_FALSE(s.Matches({{"spec.nodeName", "node2"}, {"status.phase", "Running"}}));
}

TEST(FieldSelectorTest, DoubleEqualsIsEqualsAndPrintsAsOne) {
  FieldSelector s = MustParse("metadata.name==web");
  EXPECT_EQ(s.String(), "metadata.name=web");
  EXPECT_EQ(s.RequiresExactMatch("metadata.name"), "web");
}

TEST(FieldSelectorTest, EmptyTermsAndEmptySelectorsMatchEverything) {
  for (std::string_view text : {"", ",", ",,", "="}) {
    FieldSelector s = MustParse(text);
    EXPECT_TRUE(s.empty()) << text;
    EXPECT_TRUE(s.Matches({})) << text;
    EXPECT_EQ(s.String(), "") << text;
  }
  EXPECT_EQ(MustParse("a=b,,").String(), "a=b");
}

TEST(FieldSelectorTest, MissingFieldsCompareAsEmpty) {
  EXPECT_TRUE(MustParse("spec.nodeName=").Matches({}));
  EXPECT_FALSE(MustParse("spec.nodeName!=").Matches({}));
  EXPECT_TRUE(MustParse("spec.nodeName!=n1").Matches({}));
  EXPECT_FALSE(MustParse("spec.nodeName=n1").Matches({}));
}

TEST(FieldSelectorTest, RequiresExactMatchOnlyForEquality) {
  FieldSelector s = MustParse("spec.nodeName=n1,metadata.name!=x");
  EXPECT_EQ(s.RequiresExactMatch("spec.nodeName"), "n1");
  EXPECT_EQ(s.RequiresExactMatch("metadata.name"), std::nullopt);
  EXPECT_EQ(s.RequiresExactMatch("status.phase"), std::nullopt);
  EXPECT_EQ(MustParse("spec.nodeName=").RequiresExactMatch("spec.nodeName"), "");
}

TEST(FieldSelectorTest, EscapedCommasAndEqualsStayInTheValue) {
  FieldSelector s = MustParse(R"(metadata.name=a\,b\=c\\d,spec.nodeName=n)");
  ASSERT_EQ(s.requirements().size(), 2u);
  EXPECT_EQ(s.requirements()[0].values[0], R"(a,b=c\d)");
  EXPECT_EQ(s.String(), R"(metadata.name=a\,b\=c\\d,spec.nodeName=n)");
  EXPECT_TRUE(s.Matches({{"metadata.name", R"(a,b=c\d)"}, {"spec.nodeName", "n"}}));
}

TEST(FieldSelectorTest, ErrorsUseUpstreamWording) {
  EXPECT_EQ(ErrorOf("abc"), "invalid selector: 'abc'; can't understand 'abc'");
  EXPECT_EQ(ErrorOf("x=1,abc"), "invalid selector: 'x=1,abc'; can't understand 'abc'");
  EXPECT_EQ(ErrorOf("a=b=c"), "invalid field selector: unescaped character in value: 61");
  EXPECT_EQ(ErrorOf("a=b,c=d=e"), "invalid field selector: unescaped character in value: 61");
  EXPECT_EQ(ErrorOf(R"(a=b\x)"), R"(invalid field selector: invalid escape sequence: \x)");
  EXPECT_EQ(ErrorOf(R"(a=b\)"), R"(invalid field selector: invalid escape sequence: \)");
  EXPECT_EQ(ErrorOf("a=b\\\xc3\xa9"), "invalid field selector: invalid escape sequence: \\\xc3\xa9");
}

TEST(FieldSelectorTest, CheckSupportedNamesTheFirstUnknownField) {
  FieldSelector s = MustParse("spec.nodeName=n1,spec.foo=x");
  EXPECT_TRUE(MustParse("spec.nodeName=n1").CheckSupported({"metadata.name", "spec.nodeName"}).ok());
  absl::Status status = s.CheckSupported({"metadata.name", "spec.nodeName"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "field label not supported: spec.foo");
  EXPECT_TRUE(FieldSelector().CheckSupported({}).ok());
}

TEST(FieldEscapeTest, EscapeAndUnescapeRoundTrip) {
  EXPECT_EQ(EscapeValue(R"(a,b=c\d)"), R"(a\,b\=c\\d)");
  EXPECT_EQ(EscapeValue("plain"), "plain");
  for (std::string_view v : {"", "plain", R"(a,b=c\d)", R"(\\,,==)", "ünïcödé"}) {
    absl::StatusOr<std::string> back = UnescapeValue(EscapeValue(v));
    ASSERT_TRUE(back.ok()) << v << ": " << back.status();
    EXPECT_EQ(*back, v);
  }
  EXPECT_EQ(UnescapeValue("a,b").status().message(), "invalid field selector: unescaped character in value: 44");
}

}  // namespace
}  // namespace cubelet::selectors
