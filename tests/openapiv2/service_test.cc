// The /openapi/v2 endpoint's negotiation and caching, as kube-openapi's handler answers: the
// protobuf for kubectl's Accept, JSON for JSON, wildcards or no Accept, the legacy
// /swagger-2.0.0.pb-v1 path, one ETag and 304, 406 for anything else.
#include "openapiv2/service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/resources.h"
#include "schema/schema.h"

namespace cubelet::openapiv2 {
namespace {

using ::testing::HasSubstr;

httpserver::Request Get(std::string path, std::string accept = "") {
  httpserver::Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.target = r.path;
  if (!accept.empty()) r.headers.Add("Accept", std::move(accept));
  return r;
}

std::string Header(const httpserver::Response& r, std::string_view name) {
  return std::string(r.headers.Get(name).value_or(""));
}

class OpenApiV2ServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<registry::ResourceInfo> resources;
    for (auto& def : registry::BuiltInResources(absl::Hours(1))) resources.push_back(def.info);
    service_ = new OpenApiV2Service(schema::Schema::BuiltIn(), resources, "v1.32.4");
  }
  static void TearDownTestSuite() { delete service_; }

  static OpenApiV2Service* service_;
};

OpenApiV2Service* OpenApiV2ServiceTest::service_ = nullptr;

TEST_F(OpenApiV2ServiceTest, KubectlsAcceptGetsTheProtobuf) {
  for (std::string path : {"/openapi/v2", "/swagger-2.0.0.pb-v1"}) {
    auto r = service_->Serve(Get(path, "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"));
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(Header(*r, "Content-Type"), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    EXPECT_EQ(r->body, service_->protobuf());
    EXPECT_EQ(Header(*r, "ETag"), "\"" + service_->etag() + "\"");
    EXPECT_EQ(Header(*r, "Vary"), "Accept");
  }
  auto newer = service_->Serve(Get("/openapi/v2", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"));
  ASSERT_TRUE(newer.has_value());
  EXPECT_EQ(newer->body, service_->protobuf());
  EXPECT_EQ(service_->etag().size(), 128u);
}

TEST_F(OpenApiV2ServiceTest, JsonForJsonWildcardsOrNoAccept) {
  for (std::string accept : {"", "application/json", "*/*", "application/json, */*", "application/*",
                             "text/html, application/json;q=0.9"}) {
    auto r = service_->Serve(Get("/openapi/v2", accept));
    ASSERT_TRUE(r.has_value()) << accept;
    EXPECT_EQ(r->status, 200) << accept;
    EXPECT_EQ(Header(*r, "Content-Type"), "application/json") << accept;
    EXPECT_EQ(r->body, service_->json()) << accept;
  }
  // Quality decides before order.
  auto r = service_->Serve(
      Get("/openapi/v2", "application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, service_->protobuf());
}

TEST_F(OpenApiV2ServiceTest, NotAcceptableWhenNothingOfferedIsAccepted) {
  for (std::string accept : {"text/html", "application/yaml", "application/json;q=0"}) {
    auto r = service_->Serve(Get("/openapi/v2", accept));
    ASSERT_TRUE(r.has_value()) << accept;
    EXPECT_EQ(r->status, 406) << accept;
    EXPECT_THAT(r->body, HasSubstr("application/json")) << accept;
  }
}

TEST_F(OpenApiV2ServiceTest, MatchingETagIsNotModifiedAndHeadHasNoBody) {
  httpserver::Request request = Get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  request.headers.Add("If-None-Match", "\"" + service_->etag() + "\"");
  auto r = service_->Serve(request);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 304);
  EXPECT_TRUE(r->body.empty());

  httpserver::Request stale = Get("/openapi/v2");
  stale.headers.Add("If-None-Match", "\"0123\"");
  EXPECT_EQ(service_->Serve(stale)->status, 200);

  httpserver::Request head = Get("/openapi/v2");
  head.method = "HEAD";
  auto h = service_->Serve(head);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->status, 200);
  EXPECT_TRUE(h->body.empty());
  EXPECT_EQ(Header(*h, "Content-Type"), "application/json");
}

TEST_F(OpenApiV2ServiceTest, OtherPathsAndMethodsAreNotItsBusiness) {
  EXPECT_FALSE(service_->Serve(Get("/openapi/v3")).has_value());
  EXPECT_FALSE(service_->Serve(Get("/openapi/v2/x")).has_value());
  httpserver::Request post = Get("/openapi/v2");
  post.method = "POST";
  EXPECT_FALSE(service_->Serve(post).has_value());
}

}  // namespace
}  // namespace cubelet::openapiv2
