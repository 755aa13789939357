// The k8s\0 envelope, and real bodies captured from kubectl 1.32 (`kubectl create ... -v=8`
// prints the protobuf it sends) decoded with the built-in schema.
#include "kproto/envelope.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/write.h"
#include "kproto/transcode.h"
#include "kproto/wire_bytes.h"
#include "schema/decode.h"

namespace cubelet::kproto {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::L;
using testing::V;

json::Value J(const char* text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << " in " << text;
  return v.ok() ? *v : json::Value();
}

std::string Envelope(std::string_view api_version, std::string_view kind, std::string_view raw,
                     std::string_view encoding = "", std::string_view type = "") {
  return std::string("k8s\0", 4) + L(1, L(1, api_version) + L(2, kind)) + L(2, raw) + L(3, encoding) + L(4, type);
}

TEST(EnvelopeTest, ParsesTypeMetaAndRaw) {
  auto envelope = ParseEnvelope(Envelope("v1", "Namespace", "RAW", "", "application/vnd.kubernetes.protobuf"));
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->api_version, "v1");
  EXPECT_EQ(envelope->kind, "Namespace");
  EXPECT_EQ(envelope->raw, "RAW");
  EXPECT_EQ(envelope->content_type, "application/vnd.kubernetes.protobuf");
}

TEST(EnvelopeTest, WritesWhatItParses) {
  EXPECT_EQ(WriteEnvelope("policy/v1", "Eviction", "xyz"), Envelope("policy/v1", "Eviction", "xyz"));
}

TEST(EnvelopeTest, RefusesBodiesWithoutTheMagicOrMalformed) {
  EXPECT_THAT(std::string(ParseEnvelope("{\"kind\":\"Pod\"}").status().message()), HasSubstr("does not start with"));
  EXPECT_THAT(std::string(ParseEnvelope(std::string("k8s\0\x12\x09" "ab", 8)).status().message()),
              HasSubstr("protobuf envelope: length 9"));
  EXPECT_FALSE(ParseEnvelope(std::string("k8s\0\x0a\x01\x08", 7)).ok());
}

TEST(EnvelopeTest, RefusesCompressedOrForeignRaw) {
  const schema::Schema& schema = schema::Schema::BuiltIn();
  EXPECT_THAT(std::string(Decode(schema, "io.k8s.api.core.v1.Namespace", Envelope("v1", "Namespace", "", "gzip"))
                              .status()
                              .message()),
              HasSubstr("content encoding \"gzip\""));
  EXPECT_FALSE(Decode(schema, "io.k8s.api.core.v1.Namespace", Envelope("v1", "Namespace", "", "", "application/cbor")).ok());
}

TEST(EnvelopeTest, DecodePutsTypeMetaFirst) {
  auto v = Decode(schema::Schema::BuiltIn(), "io.k8s.api.core.v1.ConfigMap",
                  Envelope("v1", "ConfigMap", L(1, L(1, "c")) + L(2, L(1, "k") + L(2, "v"))));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(json::Write(*v), R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}})");
}

TEST(EnvelopeTest, EncodeAndListsRoundTrip) {
  const schema::Schema& schema = schema::Schema::BuiltIn();
  const json::Value pod = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d"},
      "spec":{"containers":[{"name":"c","image":"i"}]}})");
  auto body = Encode(schema, "io.k8s.api.core.v1.Pod", pod);
  ASSERT_TRUE(body.ok()) << body.status();
  auto back = Decode(schema, "io.k8s.api.core.v1.Pod", *body);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, pod);

  const json::Value list = J(R"({"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"7"},"items":[]})");
  json::Value full = list;
  full["items"].Append(pod);
  full["items"].Append(pod);
  auto list_body = EncodeList(schema, "io.k8s.api.core.v1.Pod", full);
  ASSERT_TRUE(list_body.ok()) << list_body.status();
  auto envelope = ParseEnvelope(*list_body);
  ASSERT_TRUE(envelope.ok());
  EXPECT_EQ(envelope->kind, "PodList");
  auto pod_raw = EncodeMessage(schema, "io.k8s.api.core.v1.Pod", pod);
  ASSERT_TRUE(pod_raw.ok());
  EXPECT_EQ(envelope->raw, L(1, L(2, "7")) + L(2, *pod_raw) + L(2, *pod_raw));
}

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(CUBELET_KPROTO_TESTDATA_DIR) + "/" + name + ".hex");
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return testing::FromHex(text.str());
}

struct Captured {
  std::string file;
  std::string type;
  std::string json;
};

class KubectlBodyTest : public ::testing::TestWithParam<Captured> {};

TEST_P(KubectlBodyTest, DecodesToWhatKubectlMeant) {
  const schema::Schema& schema = schema::Schema::BuiltIn();
  auto v = Decode(schema, GetParam().type, ReadTestdata(GetParam().file));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, J(GetParam().json.c_str())) << json::Write(*v);
  schema::DecodeReport report = schema::Decode(schema, GetParam().type, &*v);
  EXPECT_THAT(report.type_errors, IsEmpty());
  EXPECT_THAT(report.unknown_fields, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Kubectl132, KubectlBodyTest,
    ::testing::Values(
        Captured{"namespace", "io.k8s.api.core.v1.Namespace",
                 R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"},"spec":{},"status":{}})"},
        Captured{"configmap", "io.k8s.api.core.v1.ConfigMap",
                 R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm1","namespace":"default"},
                     "data":{"a":"1","b":"two"}})"},
        Captured{"secret", "io.k8s.api.core.v1.Secret",
                 R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s1","namespace":"default"},
                     "data":{"password":"aHVudGVyMg=="}})"},
        Captured{"service", "io.k8s.api.core.v1.Service",
                 R"({"apiVersion":"v1","kind":"Service",
                     "metadata":{"name":"svc1","namespace":"default","labels":{"app":"svc1"}},
                     "spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],
                             "selector":{"app":"svc1"},"type":"ClusterIP"},
                     "status":{"loadBalancer":{}}})"},
        Captured{"serviceaccount", "io.k8s.api.core.v1.ServiceAccount",
                 R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa1","namespace":"default"}})"},
        Captured{"priorityclass", "io.k8s.api.scheduling.v1.PriorityClass",
                 R"({"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"high"},
                     "value":1000,"description":"important","preemptionPolicy":"PreemptLowerPriority"})"},
        // value is required: a zero that arrives is kept.
        Captured{"priorityclass0", "io.k8s.api.scheduling.v1.PriorityClass",
                 R"({"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"zero"},
                     "value":0,"preemptionPolicy":"PreemptLowerPriority"})"}),
    [](const auto& info) { return info.param.file; });

}  // namespace
}  // namespace cubelet::kproto
