// The Node authorizer through NewAuthorizer: for each kind a node may touch, what it may and may
// not do, and the reason upstream gives for each denial.
#include <string>
#include <vector>

#include "authz/authorizer.h"
#include "authz/authz_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::authz {
namespace {

using testing::FakeNodeGraph;
using testing::NodeUser;
using testing::Resource;
using testing::WithFields;

constexpr char kNoRelationship[] = "no relationship found between node 'n1' and this object";

struct Case {
  std::string name;
  Attributes attributes;
  Decision decision;
  std::string reason;
};

class NodeAuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_.Add("n1", R"({"metadata":{"namespace":"default","name":"web"},
      "spec":{"nodeName":"n1","serviceAccountName":"web-sa","imagePullSecrets":[{"name":"pull-secret"}],
        "volumes":[
          {"name":"s","secret":{"secretName":"web-secret"}},
          {"name":"c","configMap":{"name":"web-cm"}},
          {"name":"p","projected":{"sources":[{"secret":{"name":"proj-secret"}},{"configMap":{"name":"proj-cm"}},
                                              {"serviceAccountToken":{"path":"token"}}]}},
          {"name":"csi","csi":{"driver":"d","nodePublishSecretRef":{"name":"csi-secret"}}},
          {"name":"rbd","rbd":{"monitors":["m"],"image":"i","secretRef":{"name":"rbd-secret"}}},
          {"name":"az","azureFile":{"secretName":"azure-secret","shareName":"x"}},
          {"name":"data","persistentVolumeClaim":{"claimName":"data-claim"}},
          {"name":"scratch","ephemeral":{"volumeClaimTemplate":{"spec":{}}}}],
        "initContainers":[{"name":"init","envFrom":[{"configMapRef":{"name":"init-cm"}}]}],
        "containers":[{"name":"app",
          "envFrom":[{"secretRef":{"name":"env-secret"}},{"configMapRef":{"name":"env-cm"}}],
          "env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"key-secret","key":"k"}}},
                 {"name":"B","valueFrom":{"configMapKeyRef":{"name":"key-cm","key":"k"}}},
                 {"name":"C","value":"plain"}]}],
        "ephemeralContainers":[{"name":"debug","env":[{"name":"D","valueFrom":{"secretKeyRef":{"name":"debug-secret","key":"k"}}}]}]}})");
    graph_.Add("n1", R"({"metadata":{"namespace":"kube-system","name":"static-n1",
                          "annotations":{"kubernetes.io/config.mirror":"abc"}},
                         "spec":{"nodeName":"n1","volumes":[{"name":"s","secret":{"secretName":"mirror-secret"}}]}})");
    graph_.Add("n2", R"({"metadata":{"namespace":"default","name":"other"},
                         "spec":{"nodeName":"n2","serviceAccountName":"other-sa",
                                 "volumes":[{"name":"s","secret":{"secretName":"other-secret"}},
                                            {"name":"c","configMap":{"name":"other-cm"}}]}})");
  }

  void Check(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      AuthorizationResult r = authorizer_->Authorize(c.attributes);
      EXPECT_EQ(r.decision, c.decision) << c.name;
      EXPECT_EQ(r.reason, c.reason) << c.name;
    }
  }

  auth::UserInfo n1_ = NodeUser("n1");
  FakeNodeGraph graph_;
  std::unique_ptr<Authorizer> authorizer_ = NewAuthorizer(&graph_);
};

const Decision kAllow = Decision::kAllow;
const Decision kDeny = Decision::kDeny;

TEST_F(NodeAuthorizerTest, SecretsOnlyWhenABoundPodReferencesThem) {
  const auth::UserInfo& n = n1_;
  Check({
      {"secret volume", Resource(n, "get", "", "secrets", "default", "web-secret"), kAllow, ""},
      {"projected secret", Resource(n, "get", "", "secrets", "default", "proj-secret"), kAllow, ""},
      {"csi nodePublishSecretRef", Resource(n, "get", "", "secrets", "default", "csi-secret"), kAllow, ""},
      {"rbd secretRef", Resource(n, "get", "", "secrets", "default", "rbd-secret"), kAllow, ""},
      {"azureFile secretName", Resource(n, "get", "", "secrets", "default", "azure-secret"), kAllow, ""},
      {"envFrom secretRef", Resource(n, "get", "", "secrets", "default", "env-secret"), kAllow, ""},
      {"env secretKeyRef", Resource(n, "get", "", "secrets", "default", "key-secret"), kAllow, ""},
      {"ephemeral container env", Resource(n, "get", "", "secrets", "default", "debug-secret"), kAllow, ""},
      {"imagePullSecrets", Resource(n, "get", "", "secrets", "default", "pull-secret"), kAllow, ""},
      {"unrelated secret", Resource(n, "get", "", "secrets", "default", "db-password"), kDeny, kNoRelationship},
      {"another node's pod's secret", Resource(n, "get", "", "secrets", "default", "other-secret"), kDeny,
       kNoRelationship},
      {"same name in another namespace", Resource(n, "get", "", "secrets", "team", "web-secret"), kDeny,
       kNoRelationship},
      {"mirror pods grant nothing", Resource(n, "get", "", "secrets", "kube-system", "mirror-secret"), kDeny,
       kNoRelationship},
  });
}

TEST_F(NodeAuthorizerTest, SecretListAndWatchOnlyForOneNamedObject) {
  const auth::UserInfo& n = n1_;
  Check({
      {"watch by metadata.name", Resource(n, "watch", "", "secrets", "default", "web-secret"), kAllow, ""},
      {"list by metadata.name", Resource(n, "list", "", "secrets", "default", "env-secret"), kAllow, ""},
      {"list unrelated by name", Resource(n, "list", "", "secrets", "default", "other-secret"), kDeny, kNoRelationship},
      {"list the namespace", Resource(n, "list", "", "secrets", "default"), kDeny, "No Object name found"},
      {"watch everything", Resource(n, "watch", "", "secrets"), kDeny, "can only read namespaced object of this type"},
      {"create", Resource(n, "create", "", "secrets", "default"), kDeny, "can only read resources of this type"},
      {"update referenced", Resource(n, "update", "", "secrets", "default", "web-secret"), kDeny,
       "can only read resources of this type"},
      {"delete referenced", Resource(n, "delete", "", "secrets", "default", "web-secret"), kDeny,
       "can only read resources of this type"},
  });
}

TEST_F(NodeAuthorizerTest, ConfigMapsThroughVolumesProjectionsAndEnv) {
  const auth::UserInfo& n = n1_;
  Check({
      {"configMap volume", Resource(n, "get", "", "configmaps", "default", "web-cm"), kAllow, ""},
      {"projected configMap", Resource(n, "get", "", "configmaps", "default", "proj-cm"), kAllow, ""},
      {"envFrom configMapRef", Resource(n, "watch", "", "configmaps", "default", "env-cm"), kAllow, ""},
      {"env configMapKeyRef", Resource(n, "list", "", "configmaps", "default", "key-cm"), kAllow, ""},
      {"init container envFrom", Resource(n, "get", "", "configmaps", "default", "init-cm"), kAllow, ""},
      {"another node's", Resource(n, "get", "", "configmaps", "default", "other-cm"), kDeny, kNoRelationship},
      {"a secret's name is not a configmap", Resource(n, "get", "", "configmaps", "default", "web-secret"), kDeny,
       kNoRelationship},
      {"subresource", Resource(n, "get", "", "configmaps", "default", "web-cm", "status"), kDeny,
       "cannot read subresource"},
      {"patch", Resource(n, "patch", "", "configmaps", "default", "web-cm"), kDeny,
       "can only read resources of this type"},
  });
}

TEST_F(NodeAuthorizerTest, ServiceAccountsAndClaimsOfBoundPods) {
  const auth::UserInfo& n = n1_;
  Check({
      {"pod's service account", Resource(n, "get", "", "serviceaccounts", "default", "web-sa"), kAllow, ""},
      {"other service account", Resource(n, "get", "", "serviceaccounts", "default", "other-sa"), kDeny,
       kNoRelationship},
      {"token for pod's account", Resource(n, "create", "", "serviceaccounts", "default", "web-sa", "token"), kAllow,
       ""},
      {"token for another account", Resource(n, "create", "", "serviceaccounts", "default", "other-sa", "token"), kDeny,
       kNoRelationship},
      {"token without a name", Resource(n, "create", "", "serviceaccounts", "default", "", "token"), kDeny,
       "can only create tokens for individual service accounts"},
      {"claim volume", Resource(n, "get", "", "persistentvolumeclaims", "default", "data-claim"), kAllow, ""},
      {"ephemeral volume claim", Resource(n, "get", "", "persistentvolumeclaims", "default", "web-scratch"), kAllow,
       ""},
      {"unrelated claim", Resource(n, "get", "", "persistentvolumeclaims", "default", "x"), kDeny, kNoRelationship},
      {"list claims", Resource(n, "list", "", "persistentvolumeclaims", "default", "data-claim"), kDeny,
       "can only get individual resources of this type"},
      {"claim status", Resource(n, "patch", "", "persistentvolumeclaims", "default", "data-claim", "status"), kAllow,
       ""},
      {"get claim status", Resource(n, "get", "", "persistentvolumeclaims", "default", "data-claim", "status"), kDeny,
       "can only get/update/patch this type"},
      {"persistent volumes are never related", Resource(n, "get", "", "persistentvolumes", "", "pv1"), kDeny,
       kNoRelationship},
  });
}

TEST_F(NodeAuthorizerTest, PodsReadBoundWriteThroughNodeRestriction) {
  const auth::UserInfo& n = n1_;
  Check({
      {"get bound pod", Resource(n, "get", "", "pods", "default", "web"), kAllow, ""},
      {"get mirror pod", Resource(n, "get", "", "pods", "kube-system", "static-n1"), kAllow, ""},
      {"get another node's pod", Resource(n, "get", "", "pods", "default", "other"), kDeny, kNoRelationship},
      {"list all pods", Resource(n, "list", "", "pods"), kDeny, "can only list/watch pods with spec.nodeName field selector"},
      {"watch pods", Resource(n, "watch", "", "pods"), kDeny, "can only list/watch pods with spec.nodeName field selector"},
      {"list its own pods", WithFields(Resource(n, "list", "", "pods"), "spec.nodeName=n1"), kAllow, ""},
      {"watch its own pods", WithFields(Resource(n, "watch", "", "pods"), "spec.nodeName=n1"), kAllow, ""},
      {"watch another node's pods", WithFields(Resource(n, "watch", "", "pods"), "spec.nodeName=n2"), kDeny,
       "can only list/watch pods with spec.nodeName field selector"},
      {"watch one other pod by name", Resource(n, "watch", "", "pods", "default", "other"), kDeny, kNoRelationship},
      {"create (mirror pods)", Resource(n, "create", "", "pods", "kube-system"), kAllow, ""},
      {"delete", Resource(n, "delete", "", "pods", "default", "web"), kAllow, ""},
      {"update", Resource(n, "update", "", "pods", "default", "web"), kDeny, ""},
      {"patch status", Resource(n, "patch", "", "pods", "default", "web", "status"), kAllow, ""},
      {"update status", Resource(n, "update", "", "pods", "default", "web", "status"), kAllow, ""},
      {"get status", Resource(n, "get", "", "pods", "default", "web", "status"), kDeny, ""},
      {"evict", Resource(n, "create", "", "pods", "default", "web", "eviction"), kAllow, ""},
      {"bind", Resource(n, "create", "", "pods", "default", "web", "binding"), kDeny, ""},
      {"logs", Resource(n, "get", "", "pods", "default", "web", "log"), kDeny, ""},
      {"deletecollection", Resource(n, "deletecollection", "", "pods", "default"), kDeny, ""},
  });
}

TEST_F(NodeAuthorizerTest, NodesReadOnlyTheirOwnAndWriteThroughNodeRestriction) {
  const auth::UserInfo& n = n1_;
  Check({
      {"get own", Resource(n, "get", "", "nodes", "", "n1"), kAllow, ""},
      {"watch own by metadata.name", Resource(n, "watch", "", "nodes", "", "n1"), kAllow, ""},
      {"list own by metadata.name", Resource(n, "list", "", "nodes", "", "n1"), kAllow, ""},
      {"get other", Resource(n, "get", "", "nodes", "", "n2"), kDeny,
       "node 'n1' cannot read 'n2', only its own Node object"},
      {"list all", Resource(n, "list", "", "nodes"), kDeny,
       "node 'n1' cannot read all nodes, only its own Node object"},
      {"create", Resource(n, "create", "", "nodes"), kAllow, ""},
      {"update", Resource(n, "update", "", "nodes", "", "n1"), kAllow, ""},
      {"patch status", Resource(n, "patch", "", "nodes", "", "n1", "status"), kAllow, ""},
      {"update status", Resource(n, "update", "", "nodes", "", "n1", "status"), kAllow, ""},
      {"delete self", Resource(n, "delete", "", "nodes", "", "n1"), kDeny, ""},
      {"get status", Resource(n, "get", "", "nodes", "", "n1", "status"), kDeny, ""},
  });
}

TEST_F(NodeAuthorizerTest, LeasesOnlyItsOwnInKubeNodeLease) {
  const auth::UserInfo& n = n1_;
  const std::string g = "coordination.k8s.io";
  Check({
      {"get own", Resource(n, "get", g, "leases", "kube-node-lease", "n1"), kAllow, ""},
      {"update own", Resource(n, "update", g, "leases", "kube-node-lease", "n1"), kAllow, ""},
      {"delete own", Resource(n, "delete", g, "leases", "kube-node-lease", "n1"), kAllow, ""},
      {"create (name checked in admission)", Resource(n, "create", g, "leases", "kube-node-lease"), kAllow, ""},
      {"another node's", Resource(n, "update", g, "leases", "kube-node-lease", "n2"), kDeny,
       "can only access node lease with the same name as the requesting node"},
      {"other namespace", Resource(n, "get", g, "leases", "kube-system", "n1"), kDeny,
       "can only access leases in the \"kube-node-lease\" system namespace"},
      {"list", Resource(n, "list", g, "leases", "kube-node-lease"), kDeny,
       "can only get, create, update, patch, or delete a node lease"},
  });
}

TEST_F(NodeAuthorizerTest, CSINodesOnlyItsOwn) {
  const auth::UserInfo& n = n1_;
  const std::string g = "storage.k8s.io";
  Check({
      {"get own", Resource(n, "get", g, "csinodes", "", "n1"), kAllow, ""},
      {"create", Resource(n, "create", g, "csinodes"), kAllow, ""},
      {"patch own", Resource(n, "patch", g, "csinodes", "", "n1"), kAllow, ""},
      {"another node's", Resource(n, "get", g, "csinodes", "", "n2"), kDeny,
       "can only access CSINode with the same name as the requesting node"},
      {"list", Resource(n, "list", g, "csinodes"), kDeny, "can only get, create, update, patch, or delete a CSINode"},
      {"subresource", Resource(n, "get", g, "csinodes", "", "n1", "status"), kDeny,
       "cannot authorize CSINode subresources"},
  });
}

TEST_F(NodeAuthorizerTest, StaticRulesOfTheSystemNodeRole) {
  const auth::UserInfo& n = n1_;
  Check({
      {"list services", Resource(n, "list", "", "services"), kAllow, ""},
      {"watch services", Resource(n, "watch", "", "services"), kAllow, ""},
      {"get endpoints", Resource(n, "get", "", "endpoints", "default", "kubernetes"), kAllow, ""},
      {"get namespace", Resource(n, "get", "", "namespaces", "", "default"), kAllow, ""},
      {"watch csidrivers", Resource(n, "watch", "storage.k8s.io", "csidrivers"), kAllow, ""},
      {"list runtimeclasses", Resource(n, "list", "node.k8s.io", "runtimeclasses"), kAllow, ""},
      {"create events", Resource(n, "create", "", "events", "default"), kAllow, ""},
      {"patch events", Resource(n, "patch", "", "events", "default", "e"), kAllow, ""},
      {"create events.k8s.io events", Resource(n, "create", "events.k8s.io", "events", "default"), kAllow, ""},
      {"read events", Resource(n, "list", "", "events", "default"), kDeny, ""},
      {"delete services", Resource(n, "delete", "", "services", "default", "kubernetes"), kDeny, ""},
      {"create namespaces", Resource(n, "create", "", "namespaces"), kDeny, ""},
      {"read priorityclasses", Resource(n, "get", "scheduling.k8s.io", "priorityclasses", "", "x"), kDeny, ""},
      {"services in the wrong group", Resource(n, "list", "apps", "services"), kDeny, ""},
  });
}

TEST_F(NodeAuthorizerTest, GraphIsReadOnlyForReferenceChecks) {
  for (const Attributes& a :
       {Resource(n1_, "list", "", "services"), Resource(n1_, "list", "", "pods"),
        Resource(n1_, "get", "", "nodes", "", "n1"),
        Resource(n1_, "update", "coordination.k8s.io", "leases", "kube-node-lease", "n1"),
        Resource(n1_, "patch", "", "pods", "default", "web", "status"), Resource(n1_, "list", "", "secrets", "default"),
        Resource(n1_, "create", "", "secrets", "default")}) {
    authorizer_->Authorize(a);
  }
  EXPECT_EQ(graph_.calls(), 0);
  authorizer_->Authorize(Resource(n1_, "get", "", "secrets", "default", "web-secret"));
  EXPECT_EQ(graph_.calls(), 1);
}

TEST_F(NodeAuthorizerTest, SecondNodeSeesOnlyItsOwnPods) {
  auth::UserInfo n2 = NodeUser("n2");
  EXPECT_EQ(authorizer_->Authorize(Resource(n2, "get", "", "secrets", "default", "other-secret")).decision, kAllow);
  AuthorizationResult r = authorizer_->Authorize(Resource(n2, "get", "", "secrets", "default", "web-secret"));
  EXPECT_EQ(r.decision, kDeny);
  EXPECT_EQ(r.reason, "no relationship found between node 'n2' and this object");
}

}  // namespace
}  // namespace cubelet::authz
