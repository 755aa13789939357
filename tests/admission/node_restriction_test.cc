#include "admission/node_restriction.h"

#include "admission/admission_test_util.h"
#include "common/strings.h"
#include "gmock/gmock.h"

namespace cubelet::admission::testing {
namespace {

constexpr char kOwner[] =
    R"("ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n1","uid":"uid-n1","controller":true}])";

// A mirror pod of n1 with `spec` extra members and `meta` extra metadata members.
json::Value MirrorPod(std::string_view spec = "", std::string_view meta = kOwner) {
  return Json(StrCat(R"({"metadata":{"name":"static-n1","annotations":{"kubernetes.io/config.mirror":"hash"})",
                     meta.empty() ? "" : ",", meta,
                     R"(},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"i"}])", spec.empty() ? "" : ",",
                     spec, "}}"));
}

class NodeRestrictionTest : public AdmissionTest {
 protected:
  void SetUp() override {
    AdmissionTest::SetUp();
    lookup_.Put("", "nodes", "", "n1", R"({"metadata":{"name":"n1","uid":"uid-n1"}})");
    lookup_.Put("", "pods", "default", "web",
                R"({"metadata":{"name":"web","namespace":"default"},"spec":{"nodeName":"n1"}})");
    lookup_.Put("", "pods", "default", "other",
                R"({"metadata":{"name":"other","namespace":"default"},"spec":{"nodeName":"n2"}})");
  }

  Request As(Operation op, std::string_view group, std::string_view resource, std::string ns, std::string name,
             std::string sub = "") {
    return MakeRequest(n1_, op, group, resource, std::move(ns), std::move(name), std::move(sub));
  }
  // The message of a refusal ("" when allowed).
  std::string Refusal(const absl::Status& s) {
    if (s.ok()) return "";
    EXPECT_EQ(StatusOf(s).code, 403) << s;
    return StatusOf(s).message;
  }

  auth::UserInfo n1_ = NodeUser("n1");
};

TEST_F(NodeRestrictionTest, NodeCreatesItsOwnMirrorPod) {
  json::Value pod = MirrorPod();
  absl::Status s = Write(As(Operation::kCreate, "", "pods", "kube-system", "static-n1"), &pod);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(pod.FindPath({"spec", "serviceAccountName"}), nullptr);
}

TEST_F(NodeRestrictionTest, MirrorPodRulesAreEnforcedWithUpstreamMessages) {
  const std::string p = "pods \"static-n1\" is forbidden: ";
  struct Case {
    json::Value pod;
    std::string message;
  } cases[] = {
      {Json(R"({"metadata":{"name":"static-n1"},"spec":{"nodeName":"n1"}})"),
       p + "pod does not have \"kubernetes.io/config.mirror\" annotation, node \"n1\" can only create mirror pods"},
      {Json(StrCat(R"({"metadata":{"name":"static-n1","annotations":{"kubernetes.io/config.mirror":"h"},)", kOwner,
                   R"(},"spec":{"nodeName":"n2"}})")),
       p + "node \"n1\" can only create pods with spec.nodeName set to itself"},
      {MirrorPod("", ""), p + "node \"n1\" can only create pods with an owner reference set to itself"},
      {MirrorPod("",
                 R"("ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n1","uid":"uid-n1","controller":true},
                                           {"apiVersion":"v1","kind":"Node","name":"n1","uid":"uid-n1"}])"),
       p + "node \"n1\" can only create pods with a single owner reference set to itself"},
      {MirrorPod(
           "", R"("ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n2","uid":"uid-n1","controller":true}])"),
       p + "node \"n1\" can only create pods with an owner reference set to itself"},
      {MirrorPod(
           "",
           R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"Node","name":"n1","uid":"uid-n1","controller":true}])"),
       p + "node \"n1\" can only create pods with an owner reference set to itself"},
      {MirrorPod("", R"("ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n1","uid":"uid-n1"}])"),
       p + "node \"n1\" can only create pods with a controller owner reference set to itself"},
      {MirrorPod("",
                 R"("ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n1","uid":"uid-n1","controller":true,
                                            "blockOwnerDeletion":true}])"),
       p + "node \"n1\" must not set blockOwnerDeletion on an owner reference"},
      {MirrorPod(
           "", R"("ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n1","uid":"bogus","controller":true}])"),
       p + "node n1 UID mismatch: expected bogus got uid-n1"},
      {MirrorPod(R"("volumes":[{"name":"c","configMap":{"name":"cm"}}])"),
       p + "node \"n1\" can not create pods that reference configmaps"},
      {MirrorPod(R"("containers":[{"name":"c","envFrom":[{"configMapRef":{"name":"cm"}}]}])"),
       p + "node \"n1\" can not create pods that reference configmaps"},
      {MirrorPod(R"("volumes":[{"name":"d","persistentVolumeClaim":{"claimName":"data"}}])"),
       p + "node \"n1\" can not create pods that reference persistentvolumeclaims"},
      {MirrorPod(
           R"("volumes":[{"name":"b","projected":{"sources":[{"clusterTrustBundle":{"name":"b","path":"p"}}]}}])"),
       p + "node \"n1\" can not create pods that reference clustertrustbundles"},
      // The ServiceAccount plugin sees these first, as upstream's order has it.
      {MirrorPod(R"("volumes":[{"name":"s","secret":{"secretName":"s"}}])"),
       p + "a mirror pod may not reference secrets"},
      {MirrorPod(R"("serviceAccountName":"default")"), p + "a mirror pod may not reference service accounts"},
  };
  for (Case& c : cases) {
    EXPECT_EQ(Refusal(Write(As(Operation::kCreate, "", "pods", "kube-system", "static-n1"), &c.pod)), c.message);
  }
}

TEST_F(NodeRestrictionTest, NodeRestrictionAloneRefusesSecretsAndServiceAccounts) {
  const std::string p = "pods \"static-n1\" is forbidden: ";
  json::Value secret = MirrorPod(R"("imagePullSecrets":[{"name":"pull"}])");
  EXPECT_EQ(Refusal(chain_->Validate(As(Operation::kCreate, "", "pods", "kube-system", "static-n1"), &secret, nullptr)),
            p + "node \"n1\" can not create pods that reference secrets");
  json::Value account = MirrorPod(R"("serviceAccountName":"default")");
  EXPECT_EQ(
      Refusal(chain_->Validate(As(Operation::kCreate, "", "pods", "kube-system", "static-n1"), &account, nullptr)),
      p + "node \"n1\" can not create pods that reference a service account");
}

TEST_F(NodeRestrictionTest, MirrorPodOfUnregisteredNodeIsNotFound) {
  lookup_.Remove("", "nodes", "", "n1");
  json::Value pod = MirrorPod();
  apierrors::ApiStatus st = StatusOf(Write(As(Operation::kCreate, "", "pods", "kube-system", "static-n1"), &pod));
  EXPECT_EQ(st.code, 404);
  EXPECT_EQ(st.message, "nodes \"n1\" not found");
}

TEST_F(NodeRestrictionTest, NodeDeletesOnlyPodsBoundToIt) {
  auto web = lookup_.Get("", "pods", "default", "web");
  auto other = lookup_.Get("", "pods", "default", "other");
  EXPECT_TRUE(chain_->Validate(As(Operation::kDelete, "", "pods", "default", "web"), nullptr, web.get()).ok());
  EXPECT_EQ(Refusal(chain_->Validate(As(Operation::kDelete, "", "pods", "default", "other"), nullptr, other.get())),
            "pods \"other\" is forbidden: node \"n1\" can only delete pods with spec.nodeName set to itself");
}

TEST_F(NodeRestrictionTest, NodeUpdatesStatusOnlyOfItsPodsAndNotTheirLabels) {
  json::Value old = Json(R"({"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"nodeName":"n1"}})");
  json::Value next = old;
  next.Ensure({"status"}).Set("phase", "Running");
  EXPECT_TRUE(Write(As(Operation::kUpdate, "", "pods", "default", "web", "status"), &next, &old).ok());

  json::Value relabeled = next;
  relabeled.Ensure({"metadata", "labels"}).Set("app", "db");
  EXPECT_EQ(Refusal(Write(As(Operation::kUpdate, "", "pods", "default", "web", "status"), &relabeled, &old)),
            "pods \"web\" is forbidden: node \"n1\" cannot update labels through pod status");

  json::Value foreign = Json(R"({"metadata":{"name":"other"},"spec":{"nodeName":"n2"}})");
  EXPECT_EQ(
      Refusal(Write(As(Operation::kUpdate, "", "pods", "default", "other", "status"), &foreign, &foreign)),
      "pods \"other\" is forbidden: node \"n1\" can only update pod status for pods with spec.nodeName set to itself");
}

TEST_F(NodeRestrictionTest, NodeEvictsOnlyPodsBoundToIt) {
  // The API server runs an eviction as a delete whose validation sees the stored pod.
  auto web = lookup_.Get("", "pods", "default", "web");
  auto other = lookup_.Get("", "pods", "default", "other");
  EXPECT_TRUE(
      chain_->Validate(As(Operation::kUpdate, "", "pods", "default", "web", "eviction"), web.get(), web.get()).ok());
  EXPECT_EQ(Refusal(chain_->Validate(As(Operation::kUpdate, "", "pods", "default", "other", "eviction"), other.get(),
                                     other.get())),
            "pods \"other\" is forbidden: node n1 can only evict pods with spec.nodeName set to itself");
  // Without the stored pod it is looked up by name.
  json::Value eviction = Json(R"({"metadata":{"name":"other"}})");
  EXPECT_EQ(
      StatusOf(chain_->Validate(As(Operation::kCreate, "", "pods", "default", "other", "eviction"), &eviction, nullptr))
          .code,
      403);
  EXPECT_EQ(
      StatusOf(chain_->Validate(As(Operation::kCreate, "", "pods", "default", "ghost", "eviction"), &eviction, nullptr))
          .code,
      404);
}

TEST_F(NodeRestrictionTest, NodeMayNotBindOrUpdatePods) {
  json::Value binding = Json(R"({"target":{"name":"n1"}})");
  EXPECT_EQ(
      Refusal(chain_->Validate(As(Operation::kCreate, "", "pods", "default", "web", "binding"), &binding, nullptr)),
      "pods \"web\" is forbidden: unexpected pod subresource \"binding\", only 'status' and 'eviction' are allowed");
  auto web = lookup_.Get("", "pods", "default", "web");
  EXPECT_EQ(
      Refusal(chain_->Validate(As(Operation::kUpdate, "", "pods", "default", "web"), web.get(), web.get())),
      "pods \"web\" is forbidden: unexpected operation \"UPDATE\", node \"n1\" can only create and delete mirror pods");
}

TEST_F(NodeRestrictionTest, NodeRegistersItselfWithKubeletLabels) {
  json::Value node = Json(R"({"metadata":{"name":"n1","labels":{
      "kubernetes.io/hostname":"n1","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64",
      "beta.kubernetes.io/os":"linux","beta.kubernetes.io/arch":"amd64","node.kubernetes.io/instance-type":"big",
      "beta.kubernetes.io/instance-type":"big","topology.kubernetes.io/zone":"z","topology.kubernetes.io/region":"r",
      "failure-domain.beta.kubernetes.io/zone":"z","failure-domain.beta.kubernetes.io/region":"r",
      "kubelet.kubernetes.io/anything":"x","feature.node.kubernetes.io/gpu":"true","example.com/team":"a"}}})");
  absl::Status s = Write(As(Operation::kCreate, "", "nodes", "", "n1"), &node);
  EXPECT_TRUE(s.ok()) << s;
}

TEST_F(NodeRestrictionTest, NodeMayNotRegisterWithRestrictedLabels) {
  json::Value node = Json(R"({"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":"",
      "node-restriction.kubernetes.io/secure":"yes","k8s.io/x":"y","kubernetes.io/hostname":"n1"}}})");
  EXPECT_EQ(Refusal(Write(As(Operation::kCreate, "", "nodes", "", "n1"), &node)),
            "nodes \"n1\" is forbidden: node \"n1\" is not allowed to set the following labels: k8s.io/x, "
            "node-restriction.kubernetes.io/secure, node-role.kubernetes.io/control-plane");
}

TEST_F(NodeRestrictionTest, NodeWritesOnlyItsOwnNode) {
  json::Value node = Json(R"({"metadata":{"name":"n2"}})");
  EXPECT_EQ(Refusal(Write(As(Operation::kCreate, "", "nodes", "", "n2"), &node)),
            "nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");
  EXPECT_EQ(Refusal(Write(As(Operation::kUpdate, "", "nodes", "", "n2", "status"), &node, &node)),
            "nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\"");
  json::Value configured = Json(R"({"metadata":{"name":"n1"},"spec":{"configSource":{"configMap":{"name":"c"}}}})");
  EXPECT_EQ(Refusal(Write(As(Operation::kCreate, "", "nodes", "", "n1"), &configured)),
            "nodes \"n1\" is forbidden: node \"n1\" is not allowed to create pods with a non-nil configSource");
}

TEST_F(NodeRestrictionTest, NodeMayNotChangeItsTaintsOrRestrictedLabels) {
  json::Value old = Json(R"({"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/worker":""}},
                             "spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}})");
  json::Value same = old;
  same.Ensure({"metadata", "labels"}).Set("example.com/free", "yes");
  EXPECT_TRUE(Write(As(Operation::kUpdate, "", "nodes", "", "n1"), &same, &old).ok());

  json::Value untainted = old;
  untainted.Ensure({"spec"}).Set("taints", json::Value::EmptyArray());
  EXPECT_EQ(Refusal(Write(As(Operation::kUpdate, "", "nodes", "", "n1"), &untainted, &old)),
            "nodes \"n1\" is forbidden: node \"n1\" is not allowed to modify taints");

  json::Value relabeled = old;
  relabeled.Ensure({"metadata", "labels"}).Erase("node-role.kubernetes.io/worker");
  relabeled.Ensure({"metadata", "labels"}).Set("node-role.kubernetes.io/master", "");
  EXPECT_EQ(Refusal(Write(As(Operation::kUpdate, "", "nodes", "", "n1", "status"), &relabeled, &old)),
            "nodes \"n1\" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/master, "
            "node-role.kubernetes.io/worker");
}

TEST_F(NodeRestrictionTest, AbsentNullAndEmptyTaintsAreTheSame) {
  json::Value old = Json(R"({"metadata":{"name":"n1"},"spec":{}})");
  json::Value next = Json(R"({"metadata":{"name":"n1"},"spec":{"taints":null}})");
  EXPECT_TRUE(Write(As(Operation::kUpdate, "", "nodes", "", "n1"), &next, &old).ok());
  next = Json(R"({"metadata":{"name":"n1"},"spec":{"taints":[]}})");
  EXPECT_TRUE(Write(As(Operation::kUpdate, "", "nodes", "", "n1"), &next, &old).ok());
}

TEST_F(NodeRestrictionTest, LeasesOnlyItsOwnInKubeNodeLease) {
  const std::string g = "coordination.k8s.io";
  json::Value own = Json(R"({"metadata":{"name":"n1"}})");
  EXPECT_TRUE(Write(As(Operation::kCreate, g, "leases", "kube-node-lease", ""), &own).ok());
  EXPECT_TRUE(Write(As(Operation::kUpdate, g, "leases", "kube-node-lease", "n1"), &own, &own).ok());
  json::Value other = Json(R"({"metadata":{"name":"n2"}})");
  EXPECT_EQ(Refusal(Write(As(Operation::kCreate, g, "leases", "kube-node-lease", ""), &other)),
            "leases.coordination.k8s.io \"n2\" is forbidden: can only access node lease with the same name as the "
            "requesting node");
  EXPECT_EQ(Refusal(Write(As(Operation::kUpdate, g, "leases", "kube-node-lease", "n2"), &other, &other)),
            "leases.coordination.k8s.io \"n2\" is forbidden: can only access node lease with the same name as the "
            "requesting node");
  EXPECT_EQ(Refusal(Write(As(Operation::kCreate, g, "leases", "default", ""), &own)),
            "leases.coordination.k8s.io \"n1\" is forbidden: can only access leases in the \"kube-node-lease\" system "
            "namespace");
}

TEST_F(NodeRestrictionTest, CSINodesOnlyItsOwn) {
  const std::string g = "storage.k8s.io";
  json::Value own = Json(R"({"metadata":{"name":"n1"}})");
  EXPECT_TRUE(Write(As(Operation::kCreate, g, "csinodes", "", ""), &own).ok());
  json::Value other = Json(R"({"metadata":{"name":"n2"}})");
  EXPECT_EQ(Refusal(Write(As(Operation::kCreate, g, "csinodes", "", ""), &other)),
            "csinodes.storage.k8s.io \"n2\" is forbidden: can only access CSINode with the same name as the requesting "
            "node");
  EXPECT_EQ(Refusal(Write(As(Operation::kUpdate, g, "csinodes", "", "n2"), &other, &other)),
            "csinodes.storage.k8s.io \"n2\" is forbidden: can only access CSINode with the same name as the requesting "
            "node");
}

TEST_F(NodeRestrictionTest, EventsAndOtherUsersAreNotRestricted) {
  json::Value ev = Json(R"({"metadata":{"name":"e"}})");
  EXPECT_TRUE(Write(As(Operation::kCreate, "", "events", "default", "e"), &ev).ok());
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"nodeName":"n2"}})");
  EXPECT_TRUE(Write(MakeRequest(Admin(), Operation::kCreate, "", "pods", "default", "p"), &pod).ok());
  json::Value node = Json(R"({"metadata":{"name":"n2","labels":{"node-role.kubernetes.io/master":""}}})");
  EXPECT_TRUE(Write(MakeRequest(Admin(), Operation::kCreate, "", "nodes", "", "n2"), &node).ok());
}

TEST_F(NodeRestrictionTest, NodeUserWithoutANameIsRefused) {
  auth::UserInfo nameless = NodeUser("");
  json::Value ev = Json(R"({"metadata":{"name":"e"}})");
  EXPECT_EQ(Refusal(Write(MakeRequest(nameless, Operation::kCreate, "", "pods", "default", "e"), &ev)),
            "pods \"e\" is forbidden: could not determine node from user \"system:node:\"");
}

TEST(ForbiddenNodeLabelsTest, KubeletLabelsAndForeignDomainsAreAllowed) {
  EXPECT_TRUE(ForbiddenNodeLabels({"kubernetes.io/hostname", "example.com/x", "plain", "kubelet.kubernetes.io/a",
                                   "x.node.kubernetes.io/b"})
                  .empty());
  EXPECT_EQ(ForbiddenNodeLabels({"sub.k8s.io/x", "kubernetes.io/role", "xkubernetes.io/ok"}),
            (std::set<std::string>{"kubernetes.io/role", "sub.k8s.io/x"}));
}

}  // namespace
}  // namespace cubelet::admission::testing
