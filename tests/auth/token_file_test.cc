#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/authenticator.h"

namespace cubelet::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<StaticToken> ParseOk(std::string_view contents) {
  auto tokens = ParseTokenFile("tokens.csv", contents);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  return tokens.ok() ? *tokens : std::vector<StaticToken>{};
}

absl::Status ParseError(std::string_view contents) {
  auto tokens = ParseTokenFile("tokens.csv", contents);
  EXPECT_FALSE(tokens.ok());
  return tokens.status();
}

TEST(TokenFileTest, ParsesUpstreamFormatWithQuotedGroups) {
  std::vector<StaticToken> tokens = ParseOk(
      "secret-1,alice,uid-1\n"
      "secret-2,bob,uid-2,\"dev,ops\"\n"
      "secret-3,carol,uid-3,single\n");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].token, "secret-1");
  EXPECT_EQ(tokens[0].user.name, "alice");
  EXPECT_EQ(tokens[0].user.uid, "uid-1");
  EXPECT_THAT(tokens[0].user.groups, IsEmpty());
  EXPECT_THAT(tokens[1].user.groups, ElementsAre("dev", "ops"));
  EXPECT_THAT(tokens[2].user.groups, ElementsAre("single"));
}

TEST(TokenFileTest, ReadsCsvAsGoDoes) {
  std::vector<StaticToken> tokens = ParseOk(
      "# a comment line\n"
      "\n"
      "\"quoted,token\",\"the \"\"boss\"\"\",uid,\"a,b\",ignored-fifth\r\n"
      "\r\n"
      "t2,\"multi\nline\",uid2,\n"
      "t3,u3,,\"\"");  // no final newline, empty uid and group list
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].token, "quoted,token");
  EXPECT_EQ(tokens[0].user.name, "the \"boss\"");
  EXPECT_THAT(tokens[0].user.groups, ElementsAre("a", "b"));
  EXPECT_EQ(tokens[1].user.name, "multi\nline");
  EXPECT_THAT(tokens[1].user.groups, IsEmpty());
  EXPECT_EQ(tokens[2].token, "t3");
  EXPECT_EQ(tokens[2].user.uid, "");
  // Leading spaces are part of the field (encoding/csv does not trim).
  EXPECT_EQ(ParseOk("tok, user,uid\n")[0].user.name, " user");
}

TEST(TokenFileTest, ErrorsNameFileAndLineButNeverTheToken) {
  struct Case {
    std::string contents;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"s3cr3t-a,alice,uid\ns3cr3t-b,bob\n", "tokens.csv:2: must have at least 3 columns (token, user name, user uid), found 2"},
      {"s3cr3t-a,alice,uid\n\ns3cr3t-a,alice2,uid2\n", "tokens.csv:3: duplicate token (first given on line 1)"},
      {",alice,uid\n", "tokens.csv:1: empty token"},
      {"s3cr3t-a,,uid\n", "tokens.csv:1: empty user name"},
      {"s3cr3t-a,al\"ice,uid\n", "tokens.csv:1: bare \" in unquoted field"},
      {"x,y,z\n\"s3cr3t-a\"x,alice,uid\n", "tokens.csv:2: extraneous or missing \" in quoted field"},
      {"x,y,z\n\"s3cr3t-a,alice,uid\n", "tokens.csv:3: extraneous or missing \" in quoted field"},
  };
  for (const Case& c : cases) {
    absl::Status status = ParseError(c.contents);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.contents;
    EXPECT_EQ(status.message(), c.want) << c.contents;
    EXPECT_THAT(status.ToString(), Not(HasSubstr("s3cr3t"))) << c.contents;
  }
}

TEST(TokenFileTest, LoadTokenFileNamesTheFile) {
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/cubelet-tokens-" + std::to_string(::getpid()) + ".csv";
  {
    std::ofstream out(path);
    out << "tok,admin,1,system:masters\nbad\n";
  }
  auto tokens = LoadTokenFile(path);
  EXPECT_EQ(tokens.status().message(), path + ":2: must have at least 3 columns (token, user name, user uid), found 1");
  {
    std::ofstream out(path);
    out << "tok,admin,1,system:masters\n";
  }
  tokens = LoadTokenFile(path);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_THAT((*tokens)[0].user.groups, ElementsAre("system:masters"));
  std::filesystem::remove(path);
  auto missing = LoadTokenFile(path);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace cubelet::auth
