// Content negotiation with the exact Accept and Content-Type headers kubectl, client-go and the
// Python client send (/work/shared/reference/apiserver.md §1.1-1.2), checked against upstream's
// handlers/negotiation and rest.go AllowsConversion/asTable.
#include "apiserver/negotiation.h"

#include "apiserver_test_util.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cubelet::apiserver::testing {
namespace {

constexpr char kKubectlTableAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
constexpr char kAggregatedDiscoveryAccept[] =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/"
    "json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

OutputFormat Negotiate(const std::string& accept, const std::string& target = "/api/v1/pods") {
  auto out = NegotiateOutput(accept.empty() ? Get(target) : Get(target, {{"Accept", accept}}));
  EXPECT_TRUE(out.ok()) << "Accept: " << accept << ": " << out.status();
  return out.ok() ? *out : OutputFormat{};
}

TEST(NegotiateOutputTest, NoAcceptHeaderIsJson) {
  OutputFormat f = Negotiate("");
  EXPECT_EQ(f.kind, OutputKind::kJson);
  EXPECT_EQ(f.include_object, "Metadata");
}

TEST(NegotiateOutputTest, PlainJsonAccepts) {
  for (const char* accept : {"application/json", "application/json, */*", "*/*", "application/*",
                             "application/json;charset=utf-8", "application/json;stream=watch",
                             "application/json;pretty=1", "  application/json  "}) {
    EXPECT_EQ(Negotiate(accept).kind, OutputKind::kJson) << accept;
  }
}

TEST(NegotiateOutputTest, KubectlGetAsksForAV1Table) {
  OutputFormat f = Negotiate(kKubectlTableAccept);
  EXPECT_EQ(f.kind, OutputKind::kTable);
  EXPECT_EQ(f.table_version, "v1");
  EXPECT_EQ(f.include_object, "Metadata");
}

TEST(NegotiateOutputTest, V1beta1TableWhenAskedFirst) {
  OutputFormat f = Negotiate("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
  EXPECT_EQ(f.kind, OutputKind::kTable);
  EXPECT_EQ(f.table_version, "v1beta1");
}

TEST(NegotiateOutputTest, MediaTypeParametersInAnyOrderWithSpaces) {
  OutputFormat f = Negotiate("application/json; g=meta.k8s.io; v=v1; as=Table");
  EXPECT_EQ(f.kind, OutputKind::kTable);
  EXPECT_EQ(f.table_version, "v1");
}

TEST(NegotiateOutputTest, TableOfAnotherGroupOrVersionIsSkipped) {
  EXPECT_EQ(Negotiate("application/json;as=Table;v=v1;g=apps,application/json").kind, OutputKind::kJson);
  EXPECT_EQ(Negotiate("application/json;as=Table;v=v2;g=meta.k8s.io,application/json").kind, OutputKind::kJson);
  EXPECT_EQ(Negotiate("application/json;as=Unknown;v=v1;g=meta.k8s.io,application/json").kind, OutputKind::kJson);
  auto only = NegotiateOutput(Get("/api/v1/pods", {{"Accept", "application/json;as=Table;v=v1;g=apps"}}));
  EXPECT_THAT(only.status(), IsApiError(406, "NotAcceptable"));
}

TEST(NegotiateOutputTest, AggregatedDiscoveryAcceptOnAResourceFallsBackToJson) {
  EXPECT_EQ(Negotiate(kAggregatedDiscoveryAccept).kind, OutputKind::kJson);
}

// kubectl describe's second GET and client-go's typed clients ask for protobuf first; JSON in
// the list is acceptable.
TEST(NegotiateOutputTest, ProtobufFirstListsFallBackToJson) {
  EXPECT_EQ(Negotiate("application/vnd.kubernetes.protobuf,application/json").kind, OutputKind::kJson);
  EXPECT_EQ(Negotiate("application/vnd.kubernetes.protobuf, */*").kind, OutputKind::kJson);
  OutputFormat table = Negotiate(
      "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,"
      "application/json");
  EXPECT_EQ(table.kind, OutputKind::kTable);
}

TEST(NegotiateOutputTest, NothingProducibleIsNotAcceptable) {
  for (const char* accept : {"application/vnd.kubernetes.protobuf", "text/html", "application/cbor",
                             "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io"}) {
    auto out = NegotiateOutput(Get("/api/v1/pods", {{"Accept", accept}}));
    EXPECT_THAT(out.status(), IsApiError(406, "NotAcceptable")) << accept;
  }
}

TEST(NegotiateOutputTest, PartialObjectMetadata) {
  EXPECT_EQ(Negotiate("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json").kind,
            OutputKind::kPartialObjectMetadata);
  EXPECT_EQ(Negotiate("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1").kind,
            OutputKind::kPartialObjectMetadata);
  EXPECT_EQ(Negotiate("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1").kind,
            OutputKind::kPartialObjectMetadata);
}

// TODO(bug): goautoneg (used by upstream's negotiateMediaTypeOptions) orders clauses by q
// first; NegotiateOutput takes them in the order written. No client cubelet-server serves sends
// q-values, so this only matters to hand-written Accept headers.
TEST(NegotiateOutputTest, QualityValuesOrderTheClauses) {
  GTEST_SKIP() << "bug: q-values are ignored: \"application/json;q=0.5, <Table>\" gives JSON (upstream: a Table)";
  OutputFormat f = Negotiate("application/json;q=0.5, application/json;as=Table;v=v1;g=meta.k8s.io");
  EXPECT_EQ(f.kind, OutputKind::kTable);
}

TEST(NegotiateOutputTest, IncludeObject) {
  for (const char* policy : {"None", "Metadata", "Object"}) {
    auto out = NegotiateOutput(
        Get(StrCat("/api/v1/pods?includeObject=", policy), {{"Accept", kKubectlTableAccept}}));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->include_object, policy);
    EXPECT_EQ(out->kind, OutputKind::kTable);
  }
}

// TODO(bug): upstream's asTable takes `case metav1.IncludeMetadata, "":`, so an empty value is
// the default; NegotiateOutput answers 400.
TEST(NegotiateOutputTest, EmptyIncludeObjectIsMetadata) {
  GTEST_SKIP() << "bug: includeObject= (empty) is a 400 (upstream: Metadata)";
  auto out = NegotiateOutput(Get("/api/v1/pods?includeObject=", {{"Accept", kKubectlTableAccept}}));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->include_object, "Metadata");
}

TEST(NegotiateOutputTest, UnknownIncludeObjectIsABadRequest) {
  auto out = NegotiateOutput(Get("/api/v1/pods?includeObject=Everything", {{"Accept", kKubectlTableAccept}}));
  EXPECT_THAT(out.status(), IsApiError(400, "BadRequest"));
  EXPECT_THAT(StatusOf(out.status()).message, ::testing::HasSubstr("Everything"));
}

absl::StatusOr<BodyFormat> Body(const std::string& content_type) {
  return NegotiateBody(WithBody("POST", "/api/v1/namespaces/default/pods", content_type, "{}"));
}

TEST(NegotiateBodyTest, JsonYamlAndProtobuf) {
  EXPECT_EQ(*Body(""), BodyFormat::kJson);
  EXPECT_EQ(*Body("application/json"), BodyFormat::kJson);
  EXPECT_EQ(*Body("application/json; charset=utf-8"), BodyFormat::kJson);
  EXPECT_EQ(*Body("application/json;charset=UTF-8"), BodyFormat::kJson);
  EXPECT_EQ(*Body("Application/JSON"), BodyFormat::kJson);
  EXPECT_EQ(*Body("application/yaml"), BodyFormat::kYaml);
  EXPECT_EQ(*Body("application/yaml; charset=utf-8"), BodyFormat::kYaml);
  EXPECT_EQ(*Body("application/vnd.kubernetes.protobuf"), BodyFormat::kProtobuf);
}

TEST(NegotiateBodyTest, CborAndEverythingElseIsUnsupportedMediaType) {
  for (const char* type : {"application/cbor", "application/vnd.kubernetes.cbor", "text/plain",
                           "application/x-www-form-urlencoded", "application/merge-patch+json", "multipart/form-data"}) {
    auto format = Body(type);
    EXPECT_THAT(format.status(), IsApiError(415, "UnsupportedMediaType")) << type;
    EXPECT_THAT(StatusOf(format.status()).message,
                ::testing::StartsWith("the body of the request was in an unknown format - accepted media types "
                                      "include: application/json"));
  }
}

TEST(MediaTypeOfTest, StripsParametersAndLowercases) {
  EXPECT_EQ(MediaTypeOf("application/json; charset=utf-8"), "application/json");
  EXPECT_EQ(MediaTypeOf("  Application/Apply-Patch+YAML ;x=y"), "application/apply-patch+yaml");
  EXPECT_EQ(MediaTypeOf(""), "");
  EXPECT_EQ(MediaTypeOf("text/plain"), "text/plain");
}

}  // namespace
}  // namespace cubelet::apiserver::testing
