#include <gtest/gtest.h>

#include "json/json_patch.h"
#include "json/merge_patch.h"
#include "json/parse.h"
#include "json/write.h"

namespace cubelet::json {
namespace {

Value P(std::string_view text) {
  auto v = Parse(text);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : Value();
}

// RFC 7386 appendix A.
TEST(MergePatchTest, RfcExamples) {
  struct Case {
    const char* target;
    const char* patch;
    const char* want;
  } cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", "null", "null"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Write(ApplyMergePatch(P(c.target), P(c.patch))), c.want) << c.target << " + " << c.patch;
  }
}

TEST(MergePatchTest, CreateThenApplyRoundTrips) {
  Value a = P(R"({"a":1,"b":{"c":2,"d":3},"e":[1]})");
  Value b = P(R"({"b":{"c":2,"d":4},"e":[2],"f":"x"})");
  Value patch = CreateMergePatch(a, b);
  EXPECT_EQ(Write(patch), R"({"a":null,"b":{"d":4},"e":[2],"f":"x"})");
  EXPECT_EQ(ApplyMergePatch(a, patch), b);
}

TEST(JsonPatchTest, AllOperations) {
  Value doc = P(R"({"metadata":{"labels":{"a":"1"}},"list":[1,2,3]})");
  auto out = ApplyJsonPatch(doc, P(R"([
    {"op":"add","path":"/metadata/labels/b","value":"2"},
    {"op":"replace","path":"/metadata/labels/a","value":"x"},
    {"op":"remove","path":"/list/0"},
    {"op":"add","path":"/list/-","value":4},
    {"op":"add","path":"/list/0","value":0},
    {"op":"copy","from":"/metadata/labels","path":"/copied"},
    {"op":"move","from":"/copied/b","path":"/moved"},
    {"op":"test","path":"/moved","value":"2"},
    {"op":"add","path":"/metadata/labels/with~1slash","value":"s"}
  ])"));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(Write(*out),
            R"({"metadata":{"labels":{"a":"x","b":"2","with/slash":"s"}},"list":[0,2,3,4],"copied":{"a":"x"},"moved":"2"})");
}

TEST(JsonPatchTest, FailedTestLeavesDocumentUntouchedAndNamesTheOperation) {
  Value doc = P(R"({"a":1})");
  auto out = ApplyJsonPatch(doc, P(R"([{"op":"replace","path":"/a","value":2},{"op":"test","path":"/a","value":3}])"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.status().message(), "operation 1 (test) at /a: testing value failed");
  EXPECT_EQ(Write(doc), R"({"a":1})");
}

TEST(JsonPatchTest, MalformedPatchesAreInvalidArgument) {
  Value doc = P(R"({"a":[1]})");
  for (const char* bad : {R"({"op":"add"})", R"([{"op":"frob","path":"/a"}])", R"([{"op":"add","path":"a","value":1}])",
                          R"([{"op":"add","path":"/a"}])", R"([{"op":"add","path":"/a/01","value":1}])",
                          R"([{"op":"move","from":"/a","path":"/a/0"}])"}) {
    auto out = ApplyJsonPatch(doc, P(bad));
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << bad << ": " << out.status();
  }
  auto missing = ApplyJsonPatch(doc, P(R"([{"op":"remove","path":"/nope"}])"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  auto range = ApplyJsonPatch(doc, P(R"([{"op":"add","path":"/a/5","value":1}])"));
  EXPECT_EQ(range.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace cubelet::json
