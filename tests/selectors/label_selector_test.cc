// The label selector query-string grammar, its error texts and matching, against upstream
// labels.Parse / Requirement.Matches behaviour.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "selectors/selectors.h"

namespace cubelet::selectors {
namespace {

std::string Canonical(std::string_view text) {
  absl::StatusOr<LabelSelector> s = LabelSelector::Parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << s.status();
  return s.ok() ? s->String() : "<error>";
}

std::string ErrorOf(std::string_view text) {
  absl::StatusOr<LabelSelector> s = LabelSelector::Parse(text);
  EXPECT_FALSE(s.ok()) << text << " parsed as " << (s.ok() ? s->String() : "");
  if (s.ok()) return "<ok>";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

// Each case: a selector and what it parses to (ExpectCanonical) or the error text it is refused
// with (ExpectErrors).
using Cases = std::vector<std::pair<std::string_view, std::string_view>>;

void ExpectCanonical(const Cases& cases) {
  for (const auto& [text, canonical] : cases) EXPECT_EQ(Canonical(text), canonical) << text;
}

void ExpectErrors(const Cases& cases) {
  for (const auto& [text, error] : cases) EXPECT_EQ(ErrorOf(text), error) << text;
}

bool Matches(std::string_view text, const Labels& labels) {
  absl::StatusOr<LabelSelector> s = LabelSelector::Parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << s.status();
  return s.ok() && s->Matches(labels);
}

constexpr std::string_view kNameRegexError =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr std::string_view kValueRegexError =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

TEST(LabelSelectorParseTest, AcceptsEveryOperatorAndPrintsSortedByKey) {
  ExpectCanonical({
      {"", ""},
      {"   ", ""},
      {"x=a,y=b,z=c", "x=a,y=b,z=c"},
      {"z=c,x=a", "x=a,z=c"},
      {"x!=a", "x!=a"},
      {"x>1,y<20", "x>1,y<20"},
      {"!legacy", "!legacy"},
      {"version", "version"},
      {"env in (b,a),tier notin (db)", "env in (a,b),tier notin (db)"},
      {"example.com/app=web", "example.com/app=web"},
      // == is a synonym of =; this selector model keeps one operator for both.
      {"x==a", "x=a"},
  });
}

TEST(LabelSelectorParseTest, EmptyValuesAndKeywordsAsValues) {
  ExpectCanonical({
      {"x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"},
      {"x=", "x="},
      {"x=,y=b", "x=,y=b"},
      {"x in (,a)", "x in (,a)"},
      {"x in (a,)", "x in (,a)"},
      {"x in (in,notin)", "x in (in,notin)"},
      {"in=notin", "in=notin"},
      // Duplicates collapse, as upstream keeps values in a set.
      {"x in (a,a,b)", "x in (a,b)"},
  });
}

TEST(LabelSelectorParseTest, WhitespaceSeparatesTokensAnywhere) {
  ExpectCanonical({
      {"  x  =  a  ,\ty in ( a , b ) ,\n!z ", "x=a,y in (a,b),!z"},
      {"x\r\n!=\r\na", "x!=a"},
  });
}

TEST(LabelSelectorParseTest, RequirementsKeepTheirParts) {
  absl::StatusOr<LabelSelector> s = LabelSelector::Parse("tier notin (web,db),app=x");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->requirements().size(), 2u);
  EXPECT_EQ(s->requirements()[0].key, "app");
  EXPECT_EQ(s->requirements()[0].op, Operator::kEquals);
  EXPECT_EQ(s->requirements()[1].key, "tier");
  EXPECT_EQ(s->requirements()[1].op, Operator::kNotIn);
  EXPECT_EQ(s->requirements()[1].values, (std::vector<std::string>{"db", "web"}));
  EXPECT_FALSE(s->empty());
}

TEST(LabelSelectorParseTest, GrammarErrorsUseUpstreamWording) {
  ExpectErrors({
      {"x=a b", "found 'b', expected: ',' or 'end of string'"},
      {"x=a,", "found '', expected: identifier after ','"},
      {"x=a,,y", "found ',', expected: identifier after ','"},
      {",x", "found ',', expected: !, identifier, or 'end of string'"},
      {"=x", "found '=', expected: !, identifier, or 'end of string'"},
      {"x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"},
      {"x in a", "unable to parse requirement: found 'a' expected: '('"},
      {"x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"},
      {"x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
      {"x in (a,", "unable to parse requirement: found '', expected: ',', or identifier"},
      {"x=(", "unable to parse requirement: found '(', expected: identifier"},
      {"!", "unable to parse requirement: found '', expected: identifier"},
      {"!x=a", "found '=', expected: ',' or 'end of string'"},
  });
}

TEST(LabelSelectorParseTest, InvalidKeysAndValuesUseUpstreamValidationMessages) {
  EXPECT_EQ(ErrorOf("a@b=c"),
            std::string("unable to parse requirement: <nil>: Invalid value: \"a@b\": name part ") +
                std::string(kNameRegexError));
  EXPECT_EQ(ErrorOf(std::string(64, 'k') + "=v"),
            "unable to parse requirement: <nil>: Invalid value: \"" + std::string(64, 'k') +
                "\": name part must be no more than 63 characters");
  EXPECT_EQ(ErrorOf("a/b/c"),
            "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name " +
                std::string(kNameRegexError) +
                " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
  EXPECT_EQ(ErrorOf("Foo.com/x"),
            "unable to parse requirement: <nil>: Invalid value: \"Foo.com/x\": prefix part a lowercase RFC 1123 "
            "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with "
            "an alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(ErrorOf("/x"), "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty");
  EXPECT_EQ(ErrorOf("x=a@b"), std::string("unable to parse requirement: values[0][x]: Invalid value: \"a@b\": ") +
                                  std::string(kValueRegexError));
  EXPECT_EQ(ErrorOf("x=" + std::string(64, 'v')),
            "unable to parse requirement: values[0][x]: Invalid value: \"" + std::string(64, 'v') +
                "\": must be no more than 63 characters");
  EXPECT_EQ(ErrorOf("x>a"),
            "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be "
            "an integer");
  // Two problems with one requirement come back as upstream's aggregate "[a, b]".
  EXPECT_EQ(ErrorOf("x<a@"),
            "unable to parse requirement: [values[0]: Invalid value: \"a@\": for 'Gt', 'Lt' operators, the value "
            "must be an integer, values[0][x]: Invalid value: \"a@\": " +
                std::string(kValueRegexError) + "]");
}

TEST(LabelSelectorMatchTest, EqualityAndSetOperators) {
  const Labels web = {{"app", "web"}, {"tier", "frontend"}};
  EXPECT_TRUE(Matches("", web));
  EXPECT_TRUE(Matches("", {}));
  EXPECT_TRUE(Matches("app=web", web));
  EXPECT_FALSE(Matches("app=db", web));
  EXPECT_FALSE(Matches("app=web", {}));
  EXPECT_TRUE(Matches("app==web,tier=frontend", web));
  EXPECT_FALSE(Matches("app=web,tier=backend", web));
  EXPECT_TRUE(Matches("app in (db,web)", web));
  EXPECT_FALSE(Matches("app in (db)", web));
  EXPECT_FALSE(Matches("missing in (x)", web));
  EXPECT_TRUE(Matches("x=", {{"x", ""}}));
  EXPECT_FALSE(Matches("x=", {}));
}

TEST(LabelSelectorMatchTest, NegativeOperatorsMatchWhenTheLabelIsMissing) {
  const Labels web = {{"app", "web"}};
  EXPECT_FALSE(Matches("app!=web", web));
  EXPECT_TRUE(Matches("app!=db", web));
  EXPECT_TRUE(Matches("tier!=db", web));
  EXPECT_FALSE(Matches("app notin (web)", web));
  EXPECT_TRUE(Matches("app notin (db)", web));
  EXPECT_TRUE(Matches("tier notin (db)", web));
}

TEST(LabelSelectorMatchTest, ExistenceOperators) {
  const Labels web = {{"app", "web"}, {"empty", ""}};
  EXPECT_TRUE(Matches("app", web));
  EXPECT_TRUE(Matches("empty", web));
  EXPECT_FALSE(Matches("tier", web));
  EXPECT_FALSE(Matches("!app", web));
  EXPECT_TRUE(Matches("!tier", web));
}

TEST(LabelSelectorMatchTest, GreaterAndLessCompareIntegers) {
  EXPECT_TRUE(Matches("n>3", {{"n", "10"}}));   // numeric, not lexical
  EXPECT_FALSE(Matches("n>10", {{"n", "10"}}));
  EXPECT_TRUE(Matches("n<10", {{"n", "9"}}));
  EXPECT_TRUE(Matches("n>3", {{"n", "-4"}}) == false);
  EXPECT_FALSE(Matches("n>3", {{"n", "abc"}}));  // a non-integer label never matches
  EXPECT_FALSE(Matches("n<3", {}));               // nor does a missing one
  EXPECT_TRUE(Matches("n<3", {{"n", "+2"}}));
}

TEST(LabelsOfTest, ReadsMetadataLabels) {
  json::Value pod = json::Value::EmptyObject();
  EXPECT_TRUE(LabelsOf(pod).empty());
  pod.Ensure({"metadata", "labels"}).Set("app", "web");
  pod.Ensure({"metadata", "labels"}).Set("n", 3);  // not a string: ignored
  EXPECT_EQ(LabelsOf(pod), (Labels{{"app", "web"}}));
}

}  // namespace
}  // namespace cubelet::selectors
