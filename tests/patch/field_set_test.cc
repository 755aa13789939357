#include "patch/field_set.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "patch/test_schema.h"

namespace cubelet::patch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::J;

FieldSet Set(std::string_view fields_v1) {
  auto set = FieldSet::FromFieldsV1(J(fields_v1));
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *std::move(set) : FieldSet();
}

std::vector<std::string> Members(const FieldSet& set) {
  std::vector<std::string> out;
  set.ForEachMember([&](const FieldPath& path) { out.push_back(FieldPathString(path)); });
  return out;
}

TEST(FieldSetTest, ReadsAndWritesFieldsV1) {
  constexpr char kText[] =
      R"({"f:metadata":{"f:labels":{"f:app":{},".":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:image":{},"f:name":{},".":{}}}}})";
  FieldSet set = Set(kText);
  EXPECT_EQ(json::Write(set.ToFieldsV1()), kText);
  EXPECT_THAT(Members(set), ElementsAre(".metadata.labels", ".metadata.labels.app", R"(.spec.containers[name="web"])",
                                        R"(.spec.containers[name="web"].image)", R"(.spec.containers[name="web"].name)"));
  EXPECT_TRUE(set.Has({"f:metadata", "f:labels"}));
  EXPECT_FALSE(set.Has({"f:metadata"}));
}

TEST(FieldSetTest, PrintsPathsAsUpstreamDoes) {
  EXPECT_EQ(FieldPathString({"f:spec", "f:containers", R"(k:{"name":"nginx"})", "f:ports",
                             R"(k:{"containerPort":80,"protocol":"TCP"})", "f:hostPort"}),
            R"(.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].hostPort)");
  EXPECT_EQ(FieldPathString({"f:metadata", "f:finalizers", R"(v:"a")"}), R"(.metadata.finalizers[="a"])");
  EXPECT_EQ(FieldPathString({"f:args", "i:3"}), ".args[3]");
}

TEST(FieldSetTest, OrdersFieldsBeforeKeysBeforeValuesBeforeIndexes) {
  PathElementLess less;
  EXPECT_TRUE(less("f:z", "k:{}"));
  EXPECT_TRUE(less("k:{}", "v:1"));
  EXPECT_TRUE(less("v:1", "i:0"));
  EXPECT_TRUE(less("i:2", "i:10"));
  EXPECT_TRUE(less("f:a", "f:b"));
}

TEST(FieldSetTest, SetAlgebraWorksMemberByMember) {
  FieldSet a = Set(R"({"f:a":{},"f:b":{"f:c":{},".":{}}})");
  FieldSet b = Set(R"({"f:b":{},"f:d":{}})");
  FieldSet both = a.Intersection(b);
  EXPECT_THAT(Members(both), ElementsAre(".b"));
  FieldSet diff = a;
  diff.Subtract(b);
  EXPECT_THAT(Members(diff), ElementsAre(".a", ".b.c"));
  FieldSet sum = a;
  sum.UnionWith(b);
  EXPECT_THAT(Members(sum), ElementsAre(".a", ".b", ".b.c", ".d"));
  sum.RemoveTree({"f:b"});
  EXPECT_THAT(Members(sum), ElementsAre(".a", ".d"));
  sum.RemoveMember({"f:a"});
  sum.RemoveMember({"f:d"});
  EXPECT_TRUE(sum.empty());
}

TEST(FieldSetTest, RejectsMalformedFieldsV1) {
  EXPECT_THAT(std::string(FieldSet::FromFieldsV1(J(R"({"f:a":[]})")).status().message()),
              HasSubstr("fieldsV1[f:a]: expected an object"));
  EXPECT_THAT(std::string(FieldSet::FromFieldsV1(J(R"({"x:a":{}})")).status().message()),
              HasSubstr("unknown path element"));
  EXPECT_THAT(std::string(FieldSet::FromFieldsV1(J(R"({"k:[1]":{}})")).status().message()),
              HasSubstr("bad value"));
  EXPECT_THAT(std::string(FieldSet::FromFieldsV1(J(R"({"i:-1":{}})")).status().message()), HasSubstr("bad index"));
}

}  // namespace
}  // namespace cubelet::patch
