// The rules both OpenAPI endpoints answer by, as kube-openapi's handlers do: the ETag is the
// uppercase hex SHA-512 of the served bytes, If-None-Match compares weakly, and the Accept
// header picks among the offers in goautoneg's order.
#include "openapi/serving.h"

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace cubelet::openapi {
namespace {

httpserver::Request WithHeader(std::string_view name, std::string value) {
  httpserver::Request r;
  r.method = "GET";
  r.path = "/openapi/v2";
  r.headers.Add(std::string(name), std::move(value));
  return r;
}

httpserver::Request Accepting(std::string accept) { return WithHeader("Accept", std::move(accept)); }

constexpr std::string_view kV2Offers[] = {"application/json",
                                          "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
                                          "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"};

TEST(ComputeETagTest, IsTheUppercaseHexSha512OfTheBytes) {
  EXPECT_EQ(ComputeETag("abc"),
            "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423"
            "643CE80E2A9AC94FA54CA49F");
  EXPECT_EQ(ComputeETag("").size(), 128u);
  EXPECT_NE(ComputeETag("a"), ComputeETag("b"));
}

TEST(IfNoneMatchTest, MatchesQuotedWeakListedOrAnyTag) {
  EXPECT_TRUE(IfNoneMatchHits(WithHeader("If-None-Match", "\"ABC\""), "ABC"));
  EXPECT_TRUE(IfNoneMatchHits(WithHeader("If-None-Match", "W/\"ABC\""), "ABC"));
  EXPECT_TRUE(IfNoneMatchHits(WithHeader("If-None-Match", "\"X\", \"ABC\""), "ABC"));
  EXPECT_TRUE(IfNoneMatchHits(WithHeader("If-None-Match", "*"), "ABC"));
  httpserver::Request two = WithHeader("If-None-Match", "\"X\"");
  two.headers.Add("If-None-Match", "\"ABC\"");
  EXPECT_TRUE(IfNoneMatchHits(two, "ABC"));
}

TEST(IfNoneMatchTest, MissesOtherUnquotedOrAbsentTags) {
  EXPECT_FALSE(IfNoneMatchHits(WithHeader("If-None-Match", "\"ABD\""), "ABC"));
  EXPECT_FALSE(IfNoneMatchHits(WithHeader("If-None-Match", "ABC"), "ABC"));
  EXPECT_FALSE(IfNoneMatchHits(WithHeader("X-Other", "\"ABC\""), "ABC"));
}

TEST(NegotiateAcceptTest, NoOrEmptyAcceptTakesTheFirstOffer) {
  EXPECT_EQ(NegotiateAccept(WithHeader("X-Other", "1"), kV2Offers), 0u);
  EXPECT_EQ(NegotiateAccept(Accepting("  "), kV2Offers), 0u);
  EXPECT_EQ(NegotiateAccept(Accepting("*/*"), kV2Offers), 0u);
  EXPECT_EQ(NegotiateAccept(Accepting("*"), kV2Offers), 0u);
  EXPECT_EQ(NegotiateAccept(Accepting("application/*"), kV2Offers), 0u);
}

TEST(NegotiateAcceptTest, KubectlsProtobufAcceptGetsTheProtobuf) {
  // What client-go's discovery sends for the v2 document.
  EXPECT_EQ(NegotiateAccept(Accepting("application/com.github.proto-openapi.spec.v2@v1.0+protobuf"), kV2Offers), 1u);
  EXPECT_EQ(NegotiateAccept(Accepting("application/com.github.proto-openapi.spec.v2.v1.0+protobuf"), kV2Offers), 2u);
  EXPECT_EQ(NegotiateAccept(Accepting("Application/COM.github.proto-openapi.spec.v2@v1.0+protobuf"), kV2Offers), 1u);
}

TEST(NegotiateAcceptTest, QualityThenSpecificityThenOrderDecide) {
  EXPECT_EQ(NegotiateAccept(
                Accepting("application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf"),
                kV2Offers),
            1u);
  // A wildcard at the same quality ranks below a full type, wherever it is written.
  EXPECT_EQ(NegotiateAccept(Accepting("*/*, application/com.github.proto-openapi.spec.v2.v1.0+protobuf"), kV2Offers),
            2u);
  EXPECT_EQ(NegotiateAccept(Accepting("application/com.github.proto-openapi.spec.v2.v1.0+protobuf;q=0.9, "
                                      "application/json;q=0.9"),
                            kV2Offers),
            2u);
}

TEST(NegotiateAcceptTest, ZeroQualityRefusesAndNothingAcceptableIsNullopt) {
  EXPECT_EQ(NegotiateAccept(
                Accepting("application/json;q=0, application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.1"),
                kV2Offers),
            1u);
  EXPECT_EQ(NegotiateAccept(Accepting("application/json;q=0"), kV2Offers), std::nullopt);
  EXPECT_EQ(NegotiateAccept(Accepting("text/plain"), kV2Offers), std::nullopt);
  EXPECT_EQ(NegotiateAccept(Accepting("text/*, application/yaml"), kV2Offers), std::nullopt);
  constexpr std::string_view kJsonOnly[] = {"application/json"};
  EXPECT_EQ(NegotiateAccept(Accepting("application/com.github.proto-openapi.spec.v3@v1.0+protobuf"), kJsonOnly),
            std::nullopt);
  EXPECT_EQ(NegotiateAccept(Accepting("application/com.github.proto-openapi.spec.v3@v1.0+protobuf, application/json"),
                            kJsonOnly),
            0u);
}

}  // namespace
}  // namespace cubelet::openapi
