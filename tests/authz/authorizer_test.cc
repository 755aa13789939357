#include "authz/authorizer.h"

#include "authz/authz_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::authz {
namespace {

using testing::Bob;
using testing::FakeNodeGraph;
using testing::Master;
using testing::NodeUser;
using testing::Path;
using testing::Resource;

class AuthorizerTest : public ::testing::Test {
 protected:
  FakeNodeGraph graph_;
  std::unique_ptr<Authorizer> authorizer_ = NewAuthorizer(&graph_);

  Decision DecisionOf(const Attributes& a) { return authorizer_->Authorize(a).decision; }
};

TEST_F(AuthorizerTest, MastersMayDoAnything) {
  auth::UserInfo admin = Master();
  EXPECT_EQ(DecisionOf(Resource(admin, "delete", "", "secrets", "kube-system", "token")), Decision::kAllow);
  EXPECT_EQ(DecisionOf(Resource(admin, "deletecollection", "", "pods", "default")), Decision::kAllow);
  EXPECT_EQ(DecisionOf(Resource(admin, "create", "", "pods", "default", "p", "binding")), Decision::kAllow);
  EXPECT_EQ(DecisionOf(Resource(admin, "update", "scheduling.k8s.io", "priorityclasses")), Decision::kAllow);
  EXPECT_EQ(DecisionOf(Path(admin, "get", "/metrics")), Decision::kAllow);
  EXPECT_EQ(DecisionOf(Path(admin, "post", "/anything")), Decision::kAllow);
}

TEST_F(AuthorizerTest, EveryAuthenticatedUserMayReadDiscoveryVersionHealthAndOpenApi) {
  auth::UserInfo bob = Bob();
  for (const char* path :
       {"/api", "/api/v1", "/apis", "/apis/coordination.k8s.io/v1", "/version", "/version/", "/healthz", "/livez",
        "/readyz", "/readyz/ping", "/openapi/v2", "/openapi/v3", "/openapi/v3/api/v1"}) {
    EXPECT_EQ(DecisionOf(Path(bob, "get", path)), Decision::kAllow) << path;
  }
}

TEST_F(AuthorizerTest, PlainUserIsDeniedEverythingElse) {
  auth::UserInfo bob = Bob();
  for (const char* path : {"/metrics", "/apisx", "/debug/pprof", "/", "/logs"}) {
    EXPECT_EQ(DecisionOf(Path(bob, "get", path)), Decision::kDeny) << path;
  }
  EXPECT_EQ(DecisionOf(Path(bob, "post", "/api")), Decision::kDeny);
  EXPECT_EQ(DecisionOf(Path(bob, "put", "/version")), Decision::kDeny);
  AuthorizationResult r = authorizer_->Authorize(Resource(bob, "list", "", "pods", "default"));
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(DecisionOf(Resource(bob, "get", "", "namespaces", "", "default")), Decision::kDeny);
  EXPECT_EQ(graph_.calls(), 0);
}

TEST_F(AuthorizerTest, EveryoneMayAskWhatTheyMayDo) {
  auth::UserInfo bob = Bob();
  EXPECT_EQ(DecisionOf(Resource(bob, "create", "authorization.k8s.io", "selfsubjectaccessreviews")), Decision::kAllow);
  EXPECT_EQ(DecisionOf(Resource(bob, "create", "authorization.k8s.io", "selfsubjectrulesreviews")), Decision::kAllow);
  EXPECT_EQ(DecisionOf(Resource(bob, "create", "authentication.k8s.io", "selfsubjectreviews")), Decision::kAllow);
  EXPECT_EQ(DecisionOf(Resource(bob, "create", "authorization.k8s.io", "subjectaccessreviews")), Decision::kDeny);
}

TEST_F(AuthorizerTest, UserOutsideSystemAuthenticatedGetsNoDiscovery) {
  auth::UserInfo odd{"odd", "", {}};
  EXPECT_EQ(DecisionOf(Path(odd, "get", "/version")), Decision::kDeny);
}

TEST_F(AuthorizerTest, RequestWithoutUserIsDenied) {
  Attributes a;
  a.verb = "get";
  a.path = "/version";
  EXPECT_EQ(DecisionOf(a), Decision::kDeny);
}

TEST_F(AuthorizerTest, NodeNameNeedsBothPrefixAndGroup) {
  EXPECT_EQ(NodeNameOf(NodeUser("n1")), "n1");
  EXPECT_EQ(NodeNameOf(auth::UserInfo{"system:node:n1", "", {"system:authenticated"}}), "");
  EXPECT_EQ(NodeNameOf(auth::UserInfo{"n1", "", {"system:nodes"}}), "");
  EXPECT_EQ(NodeNameOf(Bob()), "");
}

TEST_F(AuthorizerTest, UserNamedLikeANodeOutsideSystemNodesIsNotANode) {
  auth::UserInfo fake{"system:node:n1", "", {"system:authenticated"}};
  EXPECT_EQ(DecisionOf(Resource(fake, "get", "", "nodes", "", "n1")), Decision::kDeny);
  EXPECT_EQ(DecisionOf(Resource(fake, "list", "", "services")), Decision::kDeny);
}

TEST_F(AuthorizerTest, NodeWithoutANameIsDeniedWithUpstreamReason) {
  auth::UserInfo nameless = NodeUser("");
  AuthorizationResult r = authorizer_->Authorize(Resource(nameless, "list", "", "services"));
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(r.reason, "unknown node for user \"system:node:\"");
  // Discovery is not a node's privilege but every user's.
  EXPECT_EQ(DecisionOf(Path(nameless, "get", "/api")), Decision::kAllow);
}

TEST(ForbiddenMessageTest, NamespacedResource) {
  auth::UserInfo node = NodeUser("n1");
  EXPECT_EQ(ForbiddenMessage(Resource(node, "get", "", "secrets", "default", "s"), ""),
            "User \"system:node:n1\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\"");
}

TEST(ForbiddenMessageTest, ReasonIsAppended) {
  auth::UserInfo node = NodeUser("n1");
  EXPECT_EQ(ForbiddenMessage(Resource(node, "get", "", "secrets", "default", "s"),
                             "no relationship found between node 'n1' and this object"),
            "User \"system:node:n1\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": "
            "no relationship found between node 'n1' and this object");
}

TEST(ForbiddenMessageTest, ClusterScope) {
  auth::UserInfo bob = Bob();
  EXPECT_EQ(ForbiddenMessage(Resource(bob, "list", "storage.k8s.io", "csinodes"), ""),
            "User \"bob\" cannot list resource \"csinodes\" in API group \"storage.k8s.io\" at the cluster scope");
}

TEST(ForbiddenMessageTest, SubresourceIsJoinedToTheResource) {
  auth::UserInfo bob = Bob();
  EXPECT_EQ(ForbiddenMessage(Resource(bob, "patch", "", "pods", "ns1", "p", "status"), ""),
            "User \"bob\" cannot patch resource \"pods/status\" in API group \"\" in the namespace \"ns1\"");
}

TEST(ForbiddenMessageTest, NonResourcePath) {
  auth::UserInfo bob = Bob();
  EXPECT_EQ(ForbiddenMessage(Path(bob, "get", "/foo"), ""), "User \"bob\" cannot get path \"/foo\"");
}

TEST(ForbiddenMessageTest, HostileTextIsQuotedAndSanitized) {
  auth::UserInfo evil{"a\"b<script>", "", {"system:authenticated"}};
  EXPECT_EQ(ForbiddenMessage(Path(evil, "get", "/x\n&"), ""),
            "User \"a\\\"b&lt;script&gt;\" cannot get path \"/x\\n&amp;\"");
}

}  // namespace
}  // namespace cubelet::authz
