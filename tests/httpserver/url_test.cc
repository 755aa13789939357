#include "httpserver/internal/url.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cubelet::httpserver::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(UrlTest, PathEscapesAreDecodedAndPlusIsKept) {
  EXPECT_EQ(UnescapePath("/a%2Fb/c+d%20e"), "/a/b/c+d e");
  EXPECT_EQ(UnescapePath("/%e2%9c%93"), "/\xe2\x9c\x93");
}

TEST(UrlTest, MalformedPathEscapesAreRejected) {
  EXPECT_EQ(UnescapePath("/a%zz"), std::nullopt);
  EXPECT_EQ(UnescapePath("/a%2"), std::nullopt);
  EXPECT_EQ(UnescapePath("/a%"), std::nullopt);
}

TEST(UrlTest, QueryFollowsGoParseQuery) {
  EXPECT_THAT(ParseQuery("a=1&b=x+y&a=2&c&d=%3D%26"),
              ElementsAre(Pair("a", "1"), Pair("b", "x y"), Pair("a", "2"), Pair("c", ""), Pair("d", "=&")));
  // Empty pairs are skipped; pairs with ';' or a bad escape are dropped, the rest kept.
  EXPECT_THAT(ParseQuery("&&a=1&b;c=2&bad=%zz&%gg=1&e==x"), ElementsAre(Pair("a", "1"), Pair("e", "=x")));
  EXPECT_THAT(ParseQuery(""), IsEmpty());
}

TEST(UrlTest, TargetFormsAreAccepted) {
  auto origin = DecodeTarget("/api/v1/pods?limit=500&watch=true");
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->path, "/api/v1/pods");
  EXPECT_THAT(origin->query, ElementsAre(Pair("limit", "500"), Pair("watch", "true")));

  auto absolute = DecodeTarget("HTTPS://example.com:6443/api?x=1");
  ASSERT_TRUE(absolute.has_value());
  EXPECT_EQ(absolute->path, "/api");
  EXPECT_THAT(absolute->query, ElementsAre(Pair("x", "1")));

  auto host_only = DecodeTarget("http://example.com");
  ASSERT_TRUE(host_only.has_value());
  EXPECT_EQ(host_only->path, "/");

  EXPECT_EQ(DecodeTarget("*")->path, "*");
}

TEST(UrlTest, BadTargetsAreRejected) {
  EXPECT_EQ(DecodeTarget("api/v1"), std::nullopt);
  EXPECT_EQ(DecodeTarget(""), std::nullopt);
  EXPECT_EQ(DecodeTarget("/a%x1"), std::nullopt);
}

}  // namespace
}  // namespace cubelet::httpserver::internal
