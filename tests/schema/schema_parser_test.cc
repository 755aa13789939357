#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/schema.h"

namespace cubelet::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kMeta[] = R"(# meta types
package io.k8s.apimachinery.pkg.apis.meta.v1
type ObjectMeta "Standard metadata."
  name  string  "Name."
  labels  map[string]string  "Labels."
)";

constexpr char kCore[] = R"(package io.k8s.api.core.v1
type Pod gvk(,v1,Pod) "Pod is a collection of containers that can run on a host."
  metadata  io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta  "Standard object's metadata."
  spec      PodSpec  "Specification of the desired behavior of the pod."

type PodSpec "PodSpec is a description of a pod."
  containers  []Container  merge(name)  map(name)  required  "Containers, \"quoted\" and back\\slashed."
  volumes  []Volume  merge(name)  retainKeys  "Volumes."
  nodeSelector  map[string]string  atomic  "Selector."
  restartPolicy  string  enum(Always, OnFailure,Never)  "Restart policy."
  overhead  map[string]quantity  "Overhead."

type Container "A single application container that you want to run within a pod."
  name   string  required  "Name of the container specified as a DNS_LABEL."
  ports  []ContainerPort  merge(containerPort)  map(containerPort,protocol)  "List of ports."
  args   []string  atomic  "Arguments to the entrypoint."
  finalizers  []string  merge  set  "Must be empty before the object is deleted."
  strategy  Strategy  replace  "Replaced whole."

type ContainerPort "A port."
  containerPort  int32  required  "Port number."
  protocol  string  "Protocol."

type Volume "A volume."
  name  string  "Name."

type Strategy atomic "Atomic struct."
  type  string  "Type."
)";

Schema MustParse(std::vector<std::pair<std::string, std::string>> texts) {
  auto schema = Schema::Parse(texts);
  EXPECT_TRUE(schema.ok()) << schema.status();
  return schema.ok() ? std::move(*schema) : Schema();
}

std::string ParseError(std::vector<std::pair<std::string, std::string>> texts) {
  auto schema = Schema::Parse(texts);
  EXPECT_FALSE(schema.ok());
  return schema.ok() ? "" : std::string(schema.status().message());
}

TEST(SchemaParserTest, ParsesTypesFieldsAndAttributesAcrossFiles) {
  Schema schema = MustParse({{"core_v1.schema", kCore}, {"meta_v1.schema", kMeta}});
  EXPECT_EQ(schema.types().size(), 7u);

  const StructType* pod = schema.Find("io.k8s.api.core.v1.Pod");
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->description, "Pod is a collection of containers that can run on a host.");
  EXPECT_THAT(pod->gvks, ElementsAre(GroupVersionKind{"", "v1", "Pod"}));
  EXPECT_EQ(schema.FindKind({"", "v1", "Pod"}), pod);
  EXPECT_EQ(schema.FindKind({"apps", "v1", "Pod"}), nullptr);
  const Field* metadata = pod->FindField("metadata");
  ASSERT_NE(metadata, nullptr);
  EXPECT_EQ(metadata->type.kind, Kind::kStruct);
  EXPECT_EQ(metadata->type.name, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");

  const StructType* spec = schema.Find("io.k8s.api.core.v1.PodSpec");
  ASSERT_NE(spec, nullptr);
  const Field* containers = spec->FindField("containers");
  ASSERT_NE(containers, nullptr);
  EXPECT_EQ(containers->type.kind, Kind::kList);
  EXPECT_EQ(containers->type.elem->name, "io.k8s.api.core.v1.Container");
  EXPECT_EQ(containers->patch_strategy, "merge");
  EXPECT_EQ(containers->patch_merge_key, "name");
  EXPECT_EQ(containers->list_type, ListType::kMap);
  EXPECT_THAT(containers->list_map_keys, ElementsAre("name"));
  EXPECT_TRUE(containers->required);
  EXPECT_EQ(containers->description, "Containers, \"quoted\" and back\\slashed.");
  EXPECT_EQ(spec->FindField("volumes")->patch_strategy, "merge,retainKeys");
  EXPECT_EQ(spec->FindField("nodeSelector")->list_type, ListType::kAtomic);
  EXPECT_EQ(spec->FindField("nodeSelector")->type.kind, Kind::kMap);
  EXPECT_THAT(spec->FindField("restartPolicy")->enum_values, ElementsAre("Always", "OnFailure", "Never"));
  EXPECT_EQ(spec->FindField("overhead")->type.elem->kind, Kind::kQuantity);

  const StructType* container = schema.Find("io.k8s.api.core.v1.Container");
  ASSERT_NE(container, nullptr);
  EXPECT_THAT(container->FindField("ports")->list_map_keys, ElementsAre("containerPort", "protocol"));
  EXPECT_EQ(container->FindField("args")->list_type, ListType::kAtomic);
  EXPECT_EQ(container->FindField("finalizers")->patch_strategy, "merge");
  EXPECT_EQ(container->FindField("finalizers")->list_type, ListType::kSet);
  EXPECT_EQ(container->FindField("strategy")->patch_strategy, "replace");
  EXPECT_TRUE(schema.Find("io.k8s.api.core.v1.Strategy")->atomic);
  EXPECT_EQ(container->FindField("nope"), nullptr);
}

TEST(SchemaParserTest, KindsGetApiVersionAndKindFieldsFirst) {
  Schema schema = MustParse({{"core_v1.schema", kCore}, {"meta_v1.schema", kMeta}});
  const StructType* pod = schema.Find("io.k8s.api.core.v1.Pod");
  ASSERT_GE(pod->fields.size(), 4u);
  EXPECT_EQ(pod->fields[0].name, "apiVersion");
  EXPECT_EQ(pod->fields[1].name, "kind");
  EXPECT_EQ(pod->fields[1].type.kind, Kind::kString);
  EXPECT_FALSE(pod->fields[0].description.empty());
  // Not a kind: no TypeMeta.
  EXPECT_EQ(schema.Find("io.k8s.api.core.v1.PodSpec")->FindField("kind"), nullptr);
}

TEST(SchemaParserTest, DeclaredApiVersionIsKept) {
  Schema schema = MustParse({{"a.schema", "package a\ntype K gvk(g,v1,K) \"k\"\n  kind  string  \"mine\"\n"}});
  const StructType* k = schema.Find("a.K");
  ASSERT_EQ(k->fields.size(), 2u);
  EXPECT_EQ(k->fields[0].name, "apiVersion");
  EXPECT_EQ(k->fields[1].description, "mine");
}

TEST(SchemaParserTest, NestedTypeExpressions) {
  Schema schema = MustParse({{"a.schema",
                              "package a\ntype T\n  m  map[string][]int64\n  l  [][]string\n  b  byte\n"
                              "  t  date-time\n  u  micro-time\n  i  int-or-string\n  o  object\n  x  any\n"
                              "  f  float64\n  ok  boolean\n  s  b.S  \"other package\"\npackage b\ntype S\n"}});
  const StructType* t = schema.Find("a.T");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(GoTypeName(t->FindField("m")->type), "map[string][]int64");
  EXPECT_EQ(GoTypeName(t->FindField("l")->type), "[][]string");
  EXPECT_EQ(GoTypeName(t->FindField("b")->type), "[]uint8");
  EXPECT_EQ(GoTypeName(t->FindField("t")->type), "v1.Time");
  EXPECT_EQ(GoTypeName(t->FindField("u")->type), "v1.MicroTime");
  EXPECT_EQ(GoTypeName(t->FindField("i")->type), "intstr.IntOrString");
  EXPECT_EQ(t->FindField("o")->type.kind, Kind::kObject);
  EXPECT_EQ(t->FindField("x")->type.kind, Kind::kAny);
  EXPECT_EQ(GoTypeName(t->FindField("ok")->type), "bool");
  EXPECT_EQ(GoTypeName(t->FindField("s")->type), "b.S");
  EXPECT_EQ(t->description, "");
}

TEST(SchemaParserTest, GoTypeNameUsesPackageNameAndTypeName) {
  Schema schema = MustParse({{"core_v1.schema", kCore}, {"meta_v1.schema", kMeta}});
  EXPECT_EQ(GoTypeName(schema.Find("io.k8s.api.core.v1.PodSpec")->FindField("containers")->type),
            "[]v1.Container");
  EXPECT_EQ(GoTypeName(schema.Find("io.k8s.api.core.v1.PodSpec")->FindField("overhead")->type),
            "map[string]resource.Quantity");
}

struct BadCase {
  const char* text;
  const char* error;
};

class SchemaParserBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(SchemaParserBadTest, ReportsFileLineAndProblem) {
  EXPECT_EQ(ParseError({{"x.schema", GetParam().text}}), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, SchemaParserBadTest,
    ::testing::Values(
        BadCase{"package a\ntype T\n  f  string  bogus  \"d\"\n", "x.schema:3: unknown attribute 'bogus'"},
        BadCase{"package a\ntype T\n  f  string  bogus(1)\n", "x.schema:3: unknown attribute 'bogus(...)'"},
        BadCase{"package a\ntype T wat \"d\"\n", "x.schema:2: unknown type attribute 'wat'"},
        BadCase{"package a\n\ntype T\n  f  Nope\n", "x.schema:4: unknown type reference a.Nope"},
        BadCase{"package a\ntype T\n  f  b.Nope\n", "x.schema:3: unknown type reference b.Nope"},
        BadCase{"package a\ntype T\n  ports  []P  merge(port)\ntype P\n  name  string\n",
                "x.schema:3: merge key 'port' of field ports is not a field of a.P"},
        BadCase{"package a\ntype T\n  ports  []P  map(name,port)\ntype P\n  name  string\n",
                "x.schema:3: map key 'port' of field ports is not a field of a.P"},
        BadCase{"package a\ntype T\n  f  string\n  f  int32\n", "x.schema:4: duplicate field f in type a.T"},
        BadCase{"package a\ntype T\ntype T\n", "x.schema:3: duplicate type a.T (first declared at x.schema:2)"},
        BadCase{"package a\ntype T\n  f  string  \"open\n", "x.schema:3: bad quoting: the description has no closing quote"},
        BadCase{"package a\ntype T\n  f  string  \"a\\nb\"\n",
                "x.schema:3: bad quoting: only \\\" and \\\\ may be escaped in a description"},
        BadCase{"package a\ntype T\n  f  string  \"a\" required\n",
                "x.schema:3: bad quoting: text after the closing quote of the description"},
        BadCase{"package a\ntype T\n  f  str\"ing\n",
                "x.schema:3: bad quoting: a quote inside a word (descriptions come last)"},
        BadCase{"package a\n  f  string\n", "x.schema:2: an indented field line outside a type"},
        BadCase{"type T\n", "x.schema:1: type T before any 'package' line"},
        BadCase{"package a\ntype T\n  f\n", "x.schema:3: a field needs a name and a type"},
        BadCase{"package a\ntype T\n  f  map[int]string\n", "x.schema:3: map keys must be strings: 'map[int]string'"},
        BadCase{"package a\ntype T\n  f  []string  merge(x)\n",
                "x.schema:3: merge(x) needs a list of structs; field f is []string"},
        BadCase{"package a\ntype T\n  f  []T  merge\n",
                "x.schema:3: merge without a key needs a list of scalars; field f is []a.T (lists of structs need merge(KEY))"},
        BadCase{"package a\ntype T\n  f  []string  set  atomic\n",
                "x.schema:3: more than one of map(...), set and atomic on field f"},
        BadCase{"package a\ntype T\n  f  string  atomic\n", "x.schema:3: atomic needs a list, map or struct; field f is string"},
        BadCase{"package a\ntype T\n  f  int32  enum(1,2)\n",
                "x.schema:3: enum needs a string (or a list of strings); field f is int32"},
        BadCase{"package a\ntype T\n  f  string  required  required\n",
                "x.schema:3: duplicate attribute 'required' on field f"},
        BadCase{"package a\ntype T\n  f  []T  merge(f)  replace\n", "x.schema:3: replace excludes merge and retainKeys"},
        BadCase{"package a\ntype T gvk(g,,K)\n", "x.schema:2: gvk needs (GROUP,VERSION,KIND) with VERSION and KIND set, got 'gvk(g,,K)'"},
        BadCase{"package a\ntype string\n", "x.schema:2: type name 'string' is a built-in type"},
        BadCase{"package a\nstruct T\n", "x.schema:2: expected 'package', 'type' or an indented field, got 'struct T'"},
        BadCase{"package a\ntype T\n  f  []string  map(x\n", "x.schema:3: unbalanced parentheses in 'map(x'"},
        BadCase{"package a\ntype T\n  f  string  pb(1)\n  g  int32  pb(1)\n",
                "x.schema:4: duplicate protobuf number 1 in type a.T (fields f and g)"},
        BadCase{"package a\ntype T\n  f  string  pb(2.1)\n  g  int32  pb(2.1,ptr)\n",
                "x.schema:4: duplicate protobuf number 2.1 in type a.T (fields f and g)"},
        BadCase{"package a\ntype T\n  f  string  pb(2)\n  g  int32  pb(2.1)\n",
                "x.schema:4: protobuf number 2 in type a.T is both a field and an embedded message (fields f and g)"},
        BadCase{"package a\ntype T\n  f  string  pb(0)\n",
                "x.schema:3: pb(N), pb(EMBEDDED.N) or pb(N,ptr) with field numbers from 1 to 536870911"},
        BadCase{"package a\ntype T\n  f  string  pb(536870912)\n",
                "x.schema:3: pb(N), pb(EMBEDDED.N) or pb(N,ptr) with field numbers from 1 to 536870911"},
        BadCase{"package a\ntype T\n  f  string  pb(1,nullable)\n",
                "x.schema:3: pb(N), pb(EMBEDDED.N) or pb(N,ptr) with field numbers from 1 to 536870911"},
        BadCase{"package a\ntype T\n  f  string  pb\n",
                "x.schema:3: pb(N), pb(EMBEDDED.N) or pb(N,ptr) with field numbers from 1 to 536870911"},
        BadCase{"package a\ntype T\n  f  string  pb(1)  pb(2)\n", "x.schema:3: duplicate attribute 'pb' on field f"}));

TEST(SchemaParserTest, ReportsEveryErrorWithItsFile) {
  std::string error = ParseError({{"a.schema", "package a\ntype T\n  f  Nope\n  g  string  bad\n"},
                                  {"b.schema", "package a\ntype T\n"}});
  EXPECT_EQ(error,
            "a.schema:4: unknown attribute 'bad'\n"
            "b.schema:2: duplicate type a.T (first declared at a.schema:2)\n"
            "a.schema:3: unknown type reference a.Nope");
}

TEST(SchemaParserTest, CommentsBlankLinesAndCarriageReturnsAreIgnored) {
  Schema schema = MustParse({{"a.schema", "# c\r\npackage a\r\n\r\ntype T \"d\"\r\n  # indented comment\r\n  f  string  \"x\"\r\n"}});
  ASSERT_NE(schema.Find("a.T"), nullptr);
  EXPECT_EQ(schema.Find("a.T")->FindField("f")->description, "x");
}

TEST(SchemaParserTest, PackageQualifiesFollowingTypesOnly) {
  auto error = ParseError({{"a.schema", "package a\ntype T\n  s  S\npackage b\ntype S\n"}});
  EXPECT_THAT(error, HasSubstr("a.schema:3: unknown type reference a.S"));
}

TEST(SchemaParserTest, ProtobufNumbersPointersAndEmbeddedMessages) {
  Schema schema = MustParse({{"a.schema", R"(package a
type Volume "A volume whose sources travel in an embedded message, as upstream's VolumeSource."
  name  string  required  pb(1)  "Name."
  hostPath  Path  pb(2.1,ptr)  "Embedded at 2, number 1 there."
  emptyDir  Path  pb(2.2)  "Embedded at 2, number 2 there."
  mode  int32  pb(3,ptr)  "A pointer field."
  note  string  "No number."
type Path "A path."
  path  string  pb(1)  "Path."
)"}});
  const StructType* volume = schema.Find("a.Volume");
  ASSERT_NE(volume, nullptr);
  const Field* name = volume->FindField("name");
  EXPECT_EQ(name->protobuf_tag, 1);
  EXPECT_EQ(name->protobuf_embedded, 0);
  EXPECT_FALSE(name->protobuf_pointer);
  const Field* host_path = volume->FindField("hostPath");
  EXPECT_EQ(host_path->protobuf_tag, 1);
  EXPECT_EQ(host_path->protobuf_embedded, 2);
  EXPECT_TRUE(host_path->protobuf_pointer);
  EXPECT_EQ(volume->FindField("emptyDir")->protobuf_embedded, 2);
  EXPECT_TRUE(volume->FindField("mode")->protobuf_pointer);
  EXPECT_EQ(volume->FindField("note")->protobuf_tag, 0);
}

TEST(SchemaParserTest, SameProtobufNumberInDifferentMessagesIsFine) {
  // 1 in the type's own message and 1 in the message embedded at 2 are different fields.
  Schema schema = MustParse({{"a.schema", "package a\ntype T\n  a  string  pb(1)\n  b  string  pb(2.1)\n"}});
  EXPECT_NE(schema.Find("a.T"), nullptr);
}

}  // namespace
}  // namespace cubelet::schema
