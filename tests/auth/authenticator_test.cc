#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/authenticator.h"

namespace cubelet::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() {
    auto tokens = ParseTokenFile("tokens.csv",
                                 "tok-admin-0123456789,admin-token,uid-a,\"system:masters\"\n"
                                 "tok-dev,dev,uid-d,\"dev,ops\"\n"
                                 "tok-dev-longer,dev2,uid-d2\n");
    EXPECT_TRUE(tokens.ok());
    authenticator_ = std::make_unique<Authenticator>(*tokens);
  }

  static httpserver::Request WithAuthorization(const std::string& value) {
    httpserver::Request request;
    request.headers.Add("Authorization", value);
    return request;
  }

  std::unique_ptr<Authenticator> authenticator_;
};

TEST_F(AuthenticatorTest, VerifiedCertificateGivesCommonNameAndOrganizations) {
  httpserver::Request request;
  request.client_certificate = httpserver::ClientCertificate{"system:node:n1", {"system:nodes"}};
  auto user = authenticator_->Authenticate(request);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->name, "system:node:n1");
  EXPECT_THAT(user->groups, ElementsAre("system:nodes", "system:authenticated"));
  EXPECT_TRUE(user->InGroup("system:nodes"));
  EXPECT_FALSE(user->InGroup("system:masters"));
}

TEST_F(AuthenticatorTest, CertificateIsTriedBeforeTheToken) {
  httpserver::Request request = WithAuthorization("Bearer tok-dev");
  request.client_certificate = httpserver::ClientCertificate{"admin", {"system:masters"}};
  auto user = authenticator_->Authenticate(request);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->name, "admin");
  EXPECT_THAT(user->groups, ElementsAre("system:masters", "system:authenticated"));
}

TEST_F(AuthenticatorTest, CertificateWithoutCommonNameFallsThroughToTheToken) {
  httpserver::Request request = WithAuthorization("Bearer tok-dev");
  request.client_certificate = httpserver::ClientCertificate{"", {"system:masters"}};
  auto user = authenticator_->Authenticate(request);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->name, "dev");
  request.headers = {};
  EXPECT_TRUE(absl::IsUnauthenticated(authenticator_->Authenticate(request).status()));
}

TEST_F(AuthenticatorTest, BearerTokenGivesItsUserWithSchemeInAnyCase) {
  for (const char* header : {"Bearer tok-dev", "bearer tok-dev", "BEARER tok-dev", "  Bearer tok-dev\t"}) {
    auto user = authenticator_->Authenticate(WithAuthorization(header));
    ASSERT_TRUE(user.ok()) << header << ": " << user.status();
    EXPECT_EQ(user->name, "dev");
    EXPECT_EQ(user->uid, "uid-d");
    EXPECT_THAT(user->groups, ElementsAre("dev", "ops", "system:authenticated"));
  }
  auto admin = authenticator_->Authenticate(WithAuthorization("Bearer tok-admin-0123456789"));
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->name, "admin-token");
  EXPECT_TRUE(admin->InGroup("system:masters"));
  // A token that is a prefix or an extension of another is a different token.
  auto longer = authenticator_->Authenticate(WithAuthorization("Bearer tok-dev-longer"));
  ASSERT_TRUE(longer.ok());
  EXPECT_EQ(longer->name, "dev2");
  EXPECT_FALSE(authenticator_->Authenticate(WithAuthorization("Bearer tok-de")).ok());
  EXPECT_FALSE(authenticator_->Authenticate(WithAuthorization("Bearer tok-dev-longer2")).ok());
}

TEST_F(AuthenticatorTest, AnythingElseIsUnauthenticatedWithoutEchoingTheToken) {
  for (const char* header : {"Bearer unknown-secret", "Bearer", "Bearer ", "Bearer  tok-dev", "Basic tok-dev",
                             "tok-dev", "Bearertok-dev", "Token tok-dev", ""}) {
    auto user = authenticator_->Authenticate(WithAuthorization(header));
    EXPECT_TRUE(absl::IsUnauthenticated(user.status())) << "'" << header << "': " << user.status();
    EXPECT_THAT(user.status().ToString(), Not(HasSubstr("unknown-secret")));
    EXPECT_THAT(user.status().ToString(), Not(HasSubstr("tok-dev")));
  }
  auto anonymous = authenticator_->Authenticate(httpserver::Request{});
  EXPECT_TRUE(absl::IsUnauthenticated(anonymous.status()));
  // With no tokens configured, a bearer token proves nothing either.
  Authenticator no_tokens({});
  EXPECT_TRUE(absl::IsUnauthenticated(no_tokens.Authenticate(WithAuthorization("Bearer x")).status()));
}

TEST_F(AuthenticatorTest, GroupSystemAuthenticatedIsNotDuplicated) {
  httpserver::Request request;
  request.client_certificate = httpserver::ClientCertificate{"u", {"system:authenticated", "g"}};
  auto user = authenticator_->Authenticate(request);
  ASSERT_TRUE(user.ok());
  EXPECT_THAT(user->groups, ElementsAre("system:authenticated", "g"));
}

TEST_F(AuthenticatorTest, HeaderNameIsCaseInsensitive) {
  httpserver::Request request;
  request.headers.Add("authorization", "Bearer tok-dev");
  auto user = authenticator_->Authenticate(request);
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->name, "dev");
}

}  // namespace
}  // namespace cubelet::auth
