#include "schema/decode.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/write.h"
#include "schema/test_schema.h"

namespace cubelet::schema {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::TestSchema;

constexpr char kPod[] = "io.k8s.api.core.v1.Pod";

json::Value Json(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << " in " << text;
  return v.ok() ? std::move(*v) : json::Value();
}

struct Result {
  DecodeReport report;
  std::string output;
};

Result DecodeText(std::string_view text, std::string_view type = kPod) {
  json::Value v = Json(text);
  Result r;
  r.report = Decode(TestSchema(), type, &v);
  r.output = json::Write(v);
  return r;
}

TEST(DecodeTest, ValidObjectIsUnchanged) {
  constexpr char kText[] =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","generation":3,"labels":{"a":"b"},)"
      R"("ownerReferences":[{"uid":"u","controller":true}],"managedFields":[{"manager":"m","fieldsV1":{"f:x":{}}}]},)"
      R"("spec":{"containers":[{"name":"c","args":["x"],"ports":[{"containerPort":80}],"livenessProbe":{"port":"http"}}],)"
      R"("overhead":{"cpu":"100m"},"priority":-5,"activeDeadlineSeconds":9007199254740993,"hostNetwork":false,)"
      R"("weight":1.5e3,"extra":{"any":[1,{"x":null}]},"raw":[null,true]}})";
  Result r = DecodeText(kText);
  EXPECT_THAT(r.report.type_errors, IsEmpty());
  EXPECT_THAT(r.report.unknown_fields, IsEmpty());
  EXPECT_EQ(r.output, kText);
}

TEST(DecodeTest, WrongJsonTypeNamesInnermostStructAndFieldPath) {
  Result r = DecodeText(R"({"spec":{"containers":"x","hostNetwork":"yes"},"metadata":{"name":5}})");
  EXPECT_THAT(r.report.type_errors,
              ElementsAre("json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type "
                          "[]v1.Container",
                          "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool",
                          "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string"));
  EXPECT_EQ(r.output, R"({"spec":{},"metadata":{}})");
}

TEST(DecodeTest, ErrorsInsideListsKeepTheStructOfTheElement) {
  Result r = DecodeText(R"({"spec":{"containers":["x",{"name":"c","ports":[{"containerPort":"80"}]}]}})");
  EXPECT_THAT(r.report.type_errors,
              ElementsAre("json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container",
                          "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports."
                          "containerPort of type int32"));
  EXPECT_EQ(r.output, R"({"spec":{"containers":[{},{"name":"c","ports":[{}]}]}})");
}

TEST(DecodeTest, StructGivenArrayAndTopLevelNonObject) {
  EXPECT_THAT(DecodeText(R"({"spec":[]})").report.type_errors,
              ElementsAre("json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec"));
  EXPECT_THAT(DecodeText(R"([1])").report.type_errors,
              ElementsAre("json: cannot unmarshal array into Go value of type v1.Pod"));
  EXPECT_THAT(DecodeText(R"("x")").report.type_errors,
              ElementsAre("json: cannot unmarshal string into Go value of type v1.Pod"));
}

TEST(DecodeTest, IntegersMustBeIntegerLiteralsInRange) {
  Result r = DecodeText(
      R"({"spec":{"priority":2147483648,"activeDeadlineSeconds":1.5,"containers":[{"ports":[{"containerPort":1e3}]}]},)"
      R"("metadata":{"generation":9223372036854775808}})");
  EXPECT_THAT(r.report.type_errors,
              ElementsAre("json: cannot unmarshal number 2147483648 into Go struct field PodSpec.spec.priority of type int32",
                          "json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64",
                          "json: cannot unmarshal number 1e3 into Go struct field ContainerPort.spec.containers.ports."
                          "containerPort of type int32",
                          "json: cannot unmarshal number 9223372036854775808 into Go struct field "
                          "ObjectMeta.metadata.generation of type int64"));
  EXPECT_THAT(DecodeText(R"({"spec":{"priority":-2147483648}})").report.type_errors, IsEmpty());
  json::Value huge = Json(R"({"spec":{}})");
  huge.Ensure({"spec", "weight"}) = json::Value(json::Number{"1e999"});  // the parser refuses it; a patch may not
  EXPECT_THAT(Decode(TestSchema(), kPod, &huge).type_errors,
              ElementsAre("json: cannot unmarshal number 1e999 into Go struct field PodSpec.spec.weight of type float64"));
  EXPECT_THAT(DecodeText(R"({"spec":{"weight":"1"}})").report.type_errors,
              ElementsAre("json: cannot unmarshal string into Go struct field PodSpec.spec.weight of type float64"));
}

TEST(DecodeTest, MapValuesOfTheWrongTypeNameTheMapField) {
  Result r = DecodeText(R"({"metadata":{"labels":{"a":1,"b":"ok"}}})");
  EXPECT_THAT(r.report.type_errors,
              ElementsAre("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"));
  EXPECT_EQ(r.output, R"({"metadata":{"labels":{"a":"","b":"ok"}}})");
  EXPECT_THAT(DecodeText(R"({"metadata":{"labels":["a"]}})").report.type_errors,
              ElementsAre("json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type "
                          "map[string]string"));
}

TEST(DecodeTest, UnknownFieldsAreReportedWithStrictPathsAndRemoved) {
  Result r = DecodeText(
      R"({"foo":1,"metadata":{"name":"p","bar":{}},"spec":{"containers":[{"name":"a"},{"name":"b","baz":true,)"
      R"("ports":[{"containerPort":1,"qux":2}]}],"templates":{"web":{"name":"w","zap":1}},"extra":{"free":1}},)"
      R"("Metadata":{}})");
  EXPECT_THAT(r.report.type_errors, IsEmpty());
  EXPECT_THAT(r.report.unknown_fields,
              ElementsAre("foo", "metadata.bar", "spec.containers[1].baz", "spec.containers[1].ports[0].qux",
                          "spec.templates.web.zap", "Metadata"));
  EXPECT_EQ(r.output,
            R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b","ports":[{"containerPort":1}]}],)"
            R"("templates":{"web":{"name":"w"}},"extra":{"free":1}}})");
}

TEST(DecodeTest, UnknownFieldsAreCappedAtOneHundred) {
  std::string text = "{";
  for (int i = 0; i < 150; ++i) text += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":1";
  text += "}";
  Result r = DecodeText(text);
  EXPECT_EQ(r.report.unknown_fields.size(), 100u);
  EXPECT_EQ(r.output, "{}");
}

TEST(DecodeTest, NullsOfTypedFieldsAreDroppedAndNullItemsBecomeZeroValues) {
  Result r = DecodeText(
      R"({"metadata":null,"spec":{"containers":[null,{"name":null,"args":["a",null]}],"overhead":{"cpu":null},)"
      R"("nodeSelector":{"k":null},"extra":{"x":null},"raw":null}})");
  EXPECT_THAT(r.report.type_errors, IsEmpty());
  EXPECT_EQ(r.output,
            R"({"spec":{"containers":[{},{"args":["a",""]}],"overhead":{"cpu":"0"},"nodeSelector":{"k":""},)"
            R"("extra":{"x":null}}})");
}

TEST(DecodeTest, QuantitiesAcceptStringsAndNumbers) {
  Result r = DecodeText(R"({"spec":{"overhead":{"cpu":"100m","memory":1.5,"disk":"128Mi","big":1e3}}})");
  EXPECT_THAT(r.report.type_errors, IsEmpty());
  EXPECT_EQ(r.output, R"({"spec":{"overhead":{"cpu":"100m","memory":"1.5","disk":"128Mi","big":"1e3"}}})");
}

TEST(DecodeTest, MalformedQuantitiesGiveParseQuantityErrors) {
  const std::string format_wrong =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  EXPECT_THAT(DecodeText(R"({"spec":{"overhead":{"cpu":"abc"}}})").report.type_errors, ElementsAre(format_wrong));
  EXPECT_THAT(DecodeText(R"({"spec":{"overhead":{"cpu":true}}})").report.type_errors, ElementsAre(format_wrong));
  EXPECT_THAT(DecodeText(R"({"spec":{"overhead":{"cpu":{}}}})").report.type_errors, ElementsAre(format_wrong));
  EXPECT_THAT(DecodeText(R"({"spec":{"overhead":{"cpu":"1K"}}})").report.type_errors,
              ElementsAre("unable to parse quantity's suffix"));
}

TEST(DecodeTest, IntOrStringAcceptsEitherAndRejectsOthersAsInt32) {
  EXPECT_THAT(DecodeText(R"({"spec":{"containers":[{"livenessProbe":{"port":8080}}]}})").report.type_errors, IsEmpty());
  EXPECT_THAT(DecodeText(R"({"spec":{"containers":[{"livenessProbe":{"port":"http"}}]}})").report.type_errors, IsEmpty());
  EXPECT_THAT(DecodeText(R"({"spec":{"containers":[{"livenessProbe":{"port":1.5}}]}})").report.type_errors,
              ElementsAre("json: cannot unmarshal number 1.5 into Go struct field Probe.spec.containers.livenessProbe."
                          "port of type int32"));
  EXPECT_THAT(DecodeText(R"({"spec":{"containers":[{"livenessProbe":{"port":true}}]}})").report.type_errors,
              ElementsAre("json: cannot unmarshal bool into Go struct field Probe.spec.containers.livenessProbe."
                          "port of type int32"));
  EXPECT_THAT(DecodeText(R"({"spec":{"containers":[{"livenessProbe":{"port":4294967296}}]}})").report.type_errors,
              ElementsAre("json: cannot unmarshal number 4294967296 into Go struct field Probe.spec.containers."
                          "livenessProbe.port of type int32"));
}

TEST(DecodeTest, BytesMustBeBase64) {
  constexpr char kSecret[] = "io.k8s.api.core.v1.Secret";
  Result ok = DecodeText(R"({"data":{"a":"aGVsbG8=","b":""},"key":"aGk="})", kSecret);
  EXPECT_THAT(ok.report.type_errors, IsEmpty());
  EXPECT_EQ(ok.output, R"({"data":{"a":"aGVsbG8=","b":""},"key":"aGk="})");
  EXPECT_THAT(DecodeText(R"({"data":{"a":"aGVsbG8"}})", kSecret).report.type_errors,
              ElementsAre("illegal base64 data at input byte 4"));
  EXPECT_THAT(DecodeText(R"({"key":"not base64!"})", kSecret).report.type_errors,
              ElementsAre("illegal base64 data at input byte 3"));
  EXPECT_THAT(DecodeText(R"({"key":5})", kSecret).report.type_errors,
              ElementsAre("json: cannot unmarshal number into Go struct field Secret.key of type []uint8"));
}

TEST(DecodeTest, TimesAreParsedAsRfc3339AndWrittenInUtc) {
  Result r = DecodeText(R"({"metadata":{"creationTimestamp":"2024-05-06T07:08:09.5+02:00"}})");
  EXPECT_THAT(r.report.type_errors, IsEmpty());
  EXPECT_EQ(r.output, R"({"metadata":{"creationTimestamp":"2024-05-06T05:08:09Z"}})");
  EXPECT_THAT(DecodeText(R"({"metadata":{"creationTimestamp":"yesterday"}})").report.type_errors,
              ElementsAre("parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\""));
  EXPECT_THAT(DecodeText(R"({"metadata":{"creationTimestamp":12}})").report.type_errors,
              ElementsAre("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of "
                          "type string"));
  constexpr char kLease[] = "io.k8s.api.core.v1.Lease";
  Result micro = DecodeText(R"({"renewTime":"2024-05-06T07:08:09.123456Z"})", kLease);
  EXPECT_THAT(micro.report.type_errors, IsEmpty());
  EXPECT_EQ(micro.output, R"({"renewTime":"2024-05-06T07:08:09.123456Z"})");
  EXPECT_THAT(DecodeText(R"({"renewTime":"2024-05-06T07:08:09Z"})", kLease).report.type_errors,
              ElementsAre("parsing time \"2024-05-06T07:08:09Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse "
                          "\"Z\" as \".000000\""));
}

TEST(DecodeTest, DeepRecursiveTypeIsBoundedNotACrash) {
  json::Value root = json::Value::EmptyObject();
  json::Value* at = &root;
  for (int i = 0; i < 5000; ++i) at = &((*at)["child"] = json::Value::EmptyObject());
  (*at)["bogus"] = 1;
  DecodeReport report = Decode(TestSchema(), "io.k8s.api.core.v1.Node", &root);
  EXPECT_THAT(report.type_errors, ElementsAre("json: exceeded max depth"));
}

TEST(DecodeTest, UnknownTypeNameIsReported) {
  json::Value v = json::Value::EmptyObject();
  EXPECT_THAT(Decode(TestSchema(), "io.k8s.api.core.v1.Nope", &v).type_errors,
              ElementsAre("no schema for type io.k8s.api.core.v1.Nope"));
}

}  // namespace
}  // namespace cubelet::schema
