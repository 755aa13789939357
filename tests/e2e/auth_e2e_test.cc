// Authentication and authorization seen from real clients: anonymous and unknown credentials
// get 401 with a Status body; static tokens (--token-auth-file) in system:masters may do
// anything and others nothing; a node's kubeconfig may do what the Node authorizer and
// NodeRestriction allow (its own Node and Lease, secrets of pods bound to it, events, status
// of its pods, mirror pods) and gets 403 with upstream's messages elsewhere; no token or key
// reaches the server log.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/write.h"

namespace cubelet::testing {
namespace {

constexpr char kAdminToken[] = "e2e-admin-token-31415926535";
constexpr char kPlainToken[] = "e2e-plain-token-27182818284";

std::string TokenFile(const TempDir& dir) {
  return dir.Write("tokens.csv", StrCat(kAdminToken, ",token-admin,uid-1,\"system:masters\"\n", kPlainToken,
                                        ",plain-user,uid-2\n"));
}

std::string NodeManifest(const std::string& name, const std::string& labels = "") {
  return StrCat("apiVersion: v1\nkind: Node\nmetadata:\n  name: ", name, "\n  labels:\n    kubernetes.io/hostname: ", name,
                "\n", labels);
}

// The shared server reads its static tokens from a file in token_dir_.
class AuthTest : public SharedServerTest<> {
 protected:
  static void SetUpTestSuite() {
    token_dir_ = new TempDir();
    server_ = new ServerFixture({"--token-auth-file", TokenFile(*token_dir_)});
  }
  static void TearDownTestSuite() {
    SharedServerTest::TearDownTestSuite();
    delete token_dir_;
    token_dir_ = nullptr;
  }

  CommandResult Admin(const std::vector<std::string>& args, const std::string& input = "") const {
    CommandResult r = server_->Kubectl(args, input);
    EXPECT_EQ(r.exit_code, 0) << "admin kubectl " << args[0] << ": " << r.Describe();
    return r;
  }
  CommandResult As(const std::string& kubeconfig, const std::vector<std::string>& args,
                   const std::string& input = "") const {
    return server_->Kubectl(args, input, kubeconfig);
  }
  static void ExpectForbidden(const CommandResult& r, const std::string& message_part) {
    EXPECT_NE(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.err.find("Error from server (Forbidden)"), std::string::npos) << r.Describe();
    EXPECT_NE(r.err.find(message_part), std::string::npos) << "wanted \"" << message_part << "\" in: " << r.Describe();
  }
  // A kubelet's raw requests, with the node's client certificate.
  HttpsClient NodeClient(const std::string& kubeconfig) {
    return HttpsClient::FromKubeconfig(kubeconfig, scratch_.path());
  }
  static void ExpectRawForbidden(const HttpResponse& r, const std::string& message_part) {
    EXPECT_EQ(r.code, 403) << r.Describe();
    EXPECT_EQ(r.Json().GetString({"reason"}), "Forbidden") << r.body;
    EXPECT_NE(r.Json().GetString({"message"}).find(message_part), std::string::npos)
        << "wanted \"" << message_part << "\" in " << r.body;
  }
  // The node kubeconfig, made once per node name.
  std::string NodeConfig(const std::string& node) {
    std::string k = server_->NodeKubeconfig(node);
    EXPECT_FALSE(k.empty());
    return k;
  }

  static inline TempDir* token_dir_ = nullptr;
  TempDir scratch_;
};

TEST_F(AuthTest, AnonymousIsUnauthorizedWithAStatus) {
  HttpsClient anonymous =
      HttpsClient::FromKubeconfig(server_->admin_kubeconfig(), scratch_.path()).WithoutCredentials();
  for (const char* path : {"/api/v1/namespaces", "/api/v1/namespaces/default/pods", "/apis", "/api"}) {
    HttpResponse r = anonymous.Get(path);
    EXPECT_EQ(r.code, 401) << path << ": " << r.Describe();
    json::Value s = r.Json();
    EXPECT_EQ(s.GetString({"kind"}), "Status") << r.body;
    EXPECT_EQ(s.GetString({"apiVersion"}), "v1") << r.body;
    EXPECT_EQ(s.GetString({"status"}), "Failure") << r.body;
    EXPECT_EQ(s.GetString({"reason"}), "Unauthorized") << r.body;
    ASSERT_NE(s.Find("code"), nullptr) << r.body;
    EXPECT_EQ(s.Find("code")->AsInt64(), 401);
  }
  // A write is refused the same way and changes nothing.
  HttpResponse post = anonymous.Request("POST", "/api/v1/namespaces/default/configmaps",
                                        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"anon"}})");
  EXPECT_EQ(post.code, 401) << post.Describe();
  CommandResult get = server_->Kubectl({"get", "configmap", "anon"});
  EXPECT_NE(get.err.find("NotFound"), std::string::npos) << get.Describe();

  // curl -sk without a CA either: the same 401.
  CommandResult curl = RunCommand({"/usr/bin/curl", "-sk", StrCat(server_->url(), "/api/v1/pods")});
  EXPECT_EQ(curl.exit_code, 0) << curl.Describe();
  EXPECT_NE(curl.out.find("\"reason\":\"Unauthorized\""), std::string::npos) << curl.out;
}

TEST_F(AuthTest, ForeignClientCertificateIsRefused) {
  // A client certificate from a CA the server does not know.
  std::string key = StrCat(scratch_.path(), "/foreign.key"), crt = StrCat(scratch_.path(), "/foreign.crt");
  CommandResult gen = RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                  "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt, "-days", "1",
                                  "-subj", "/O=system:masters/CN=admin"});
  ASSERT_EQ(gen.exit_code, 0) << gen.Describe();
  HttpsClient admin = HttpsClient::FromKubeconfig(server_->admin_kubeconfig(), scratch_.path());
  CommandResult r = RunCommand({"/usr/bin/curl", "-sS", "--cacert", admin.ca_file(), "--cert", crt, "--key", key, "-o",
                                "/dev/null", "-w", "%{http_code}", StrCat(server_->url(), "/api/v1/namespaces")});
  // Either the handshake fails or the request is 401; never a 200.
  EXPECT_TRUE(r.exit_code != 0 || r.out == "401") << r.Describe();
}

TEST_F(AuthTest, StaticTokens) {
  std::string admin = WriteTokenKubeconfig(server_->admin_kubeconfig(), kAdminToken, scratch_, "admin-token");
  std::string plain = WriteTokenKubeconfig(server_->admin_kubeconfig(), kPlainToken, scratch_, "plain-token");
  std::string wrong = WriteTokenKubeconfig(server_->admin_kubeconfig(), "not-a-token", scratch_, "wrong-token");

  CommandResult ok = As(admin, {"get", "ns"});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
  CommandResult created = As(admin, {"create", "-f", "-"},
                             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: by-token\n");
  EXPECT_EQ(created.exit_code, 0) << created.Describe();

  ExpectForbidden(As(plain, {"get", "ns"}),
                  "User \"plain-user\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope");
  ExpectForbidden(As(plain, {"get", "pods", "-n", "kube-system"}),
                  "User \"plain-user\" cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"");
  ExpectForbidden(As(plain, {"delete", "configmap", "by-token"}), "User \"plain-user\" cannot delete resource");

  CommandResult bad = As(wrong, {"get", "ns"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("Unauthorized"), std::string::npos) << bad.Describe();

  HttpsClient raw = HttpsClient::FromKubeconfig(server_->admin_kubeconfig(), scratch_.path());
  EXPECT_EQ(raw.WithToken(kAdminToken).Get("/api/v1/namespaces").code, 200);
  HttpResponse forbidden = raw.WithToken(kPlainToken).Get("/api/v1/namespaces");
  EXPECT_EQ(forbidden.code, 403) << forbidden.Describe();
  EXPECT_EQ(forbidden.Json().GetString({"reason"}), "Forbidden");
  EXPECT_EQ(forbidden.Json().GetString({"details", "kind"}), "namespaces");
  EXPECT_EQ(raw.WithToken("nope").Get("/api/v1/namespaces").code, 401);
}

TEST_F(AuthTest, NodeManagesItsOwnNodeOnly) {
  std::string n1 = NodeConfig("n1");
  ASSERT_FALSE(n1.empty());
  CommandResult own = As(n1, {"create", "-f", "-"}, NodeManifest("n1"));
  ASSERT_EQ(own.exit_code, 0) << own.Describe();
  EXPECT_EQ(own.out, "node/n1 created\n");

  // Another node's object: neither create nor modify.
  ExpectForbidden(As(n1, {"create", "-f", "-"}, NodeManifest("n2")), "n2");
  Admin({"create", "-f", "-"}, NodeManifest("n2"));
  ExpectForbidden(As(n1, {"label", "node", "n2", "hacked=yes"}), "n2");
  // (Status is patched the way a kubelet does it: no GET of the subresource first, which the
  // system:node role does not allow.)
  HttpsClient kubelet = NodeClient(n1);
  ExpectRawForbidden(kubelet.Request("PATCH", "/api/v1/nodes/n2/status",
                                     R"({"status":{"conditions":[{"type":"Ready","status":"False"}]}})",
                                     "application/strategic-merge-patch+json"),
                     "n2");
  ExpectForbidden(As(n1, {"delete", "node", "n2", "--wait=false"}), "n2");
  EXPECT_EQ(Admin({"get", "node", "n2", "-o", "jsonpath={.metadata.labels.hacked}"}).out, "");

  // Its own node: status, and labels except the restricted ones.
  HttpResponse status = kubelet.Request(
      "PATCH", "/api/v1/nodes/n1/status",
      R"({"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}]}})",
      "application/strategic-merge-patch+json");
  EXPECT_EQ(status.code, 200) << status.Describe();
  EXPECT_EQ(Admin({"get", "node", "n1", "-o", "jsonpath={.status.conditions[0].reason}"}).out, "KubeletReady");
  CommandResult label = As(n1, {"label", "node", "n1", "example.com/zone=a"});
  EXPECT_EQ(label.exit_code, 0) << label.Describe();
  CommandResult restricted = As(n1, {"label", "node", "n1", "node-restriction.kubernetes.io/trusted=yes"});
  EXPECT_NE(restricted.exit_code, 0) << restricted.Describe();
  EXPECT_NE(restricted.err.find("Forbidden"), std::string::npos) << restricted.Describe();
  EXPECT_EQ(Admin({"get", "node", "n1", "-o", "jsonpath={.metadata.labels}"}).out.find("node-restriction"),
            std::string::npos);

  // Reads a node may do. With 1.32's selector-aware Node authorizer a node lists only its own
  // Node and the pods bound to it (by field selector).
  for (const std::vector<std::string>& read : std::vector<std::vector<std::string>>{
           {"get", "node", "n1"},
           {"get", "nodes", "--field-selector", "metadata.name=n1"},
           {"get", "pods", "-A", "--field-selector", "spec.nodeName=n1"},
           {"get", "services", "-A"},
           {"get", "endpoints", "-A"},
           {"get", "namespaces"},
           {"get", "csidrivers"},
           {"get", "runtimeclasses"}}) {
    CommandResult r = As(n1, read);
    EXPECT_EQ(r.exit_code, 0) << read[1] << ": " << r.Describe();
  }
  ExpectForbidden(As(n1, {"get", "pods", "-A"}), "spec.nodeName");
  ExpectForbidden(As(n1, {"get", "nodes"}), "User \"system:node:n1\" cannot list resource \"nodes\"");
  // And writes it may not.
  ExpectForbidden(As(n1, {"create", "-f", "-"}, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: by-node\n"),
                  "User \"system:node:n1\" cannot create resource \"namespaces\"");
  ExpectForbidden(As(n1, {"create", "-f", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: by-node\n"),
                  "system:node:n1");
}

TEST_F(AuthTest, NodeReadsOnlySecretsOfItsPods) {
  std::string n1 = NodeConfig("n1");
  ASSERT_FALSE(n1.empty());
  Admin({"create", "-f", "-"}, R"(apiVersion: v1
kind: Secret
metadata: {name: mounted}
stringData: {k: v}
---
apiVersion: v1
kind: Secret
metadata: {name: unrelated}
stringData: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: mounted-cm}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: unrelated-cm}
---
apiVersion: v1
kind: Secret
metadata: {name: other-nodes}
stringData: {k: v}
---
apiVersion: v1
kind: Pod
metadata: {name: on-n1}
spec:
  nodeName: n1
  containers:
  - name: c
    image: busybox
    envFrom:
    - configMapRef: {name: mounted-cm}
  volumes:
  - name: s
    secret: {secretName: mounted}
---
apiVersion: v1
kind: Pod
metadata: {name: on-n2}
spec:
  nodeName: n2
  containers: [{name: c, image: busybox}]
  volumes:
  - name: s
    secret: {secretName: other-nodes}
)");
  // The graph the authorizer follows is updated from watches: allow it a moment.
  CommandResult read;
  EXPECT_TRUE(Eventually([&] {
    read = As(n1, {"get", "secret", "mounted", "-o", "jsonpath={.data.k}"});
    return read.exit_code == 0;
  }, 10)) << read.Describe();
  EXPECT_EQ(read.out, "dg==");
  CommandResult cm = As(n1, {"get", "configmap", "mounted-cm"});
  EXPECT_EQ(cm.exit_code, 0) << cm.Describe();

  ExpectForbidden(As(n1, {"get", "secret", "unrelated"}), "no relationship found between node 'n1' and this object");
  ExpectForbidden(As(n1, {"get", "secret", "other-nodes"}), "no relationship found between node 'n1' and this object");
  ExpectForbidden(As(n1, {"get", "configmap", "unrelated-cm"}),
                  "no relationship found between node 'n1' and this object");
  ExpectForbidden(As(n1, {"get", "secrets"}), "User \"system:node:n1\" cannot list resource \"secrets\"");
  ExpectForbidden(As(n1, {"get", "configmaps", "-A"}), "cannot list resource \"configmaps\"");

  // Status of its own pods, not of others (patched as a kubelet does, with the uid as a
  // precondition).
  HttpsClient kubelet = NodeClient(n1);
  std::string uid = Admin({"get", "pod", "on-n1", "-o", "jsonpath={.metadata.uid}"}).out;
  HttpResponse st = kubelet.Request("PATCH", "/api/v1/namespaces/default/pods/on-n1/status",
                                    StrCat(R"({"metadata":{"uid":")", uid, R"("},"status":{"phase":"Running"}})"),
                                    "application/strategic-merge-patch+json");
  EXPECT_EQ(st.code, 200) << st.Describe();
  EXPECT_EQ(Admin({"get", "pod", "on-n1", "-o", "jsonpath={.status.phase}"}).out, "Running");
  ExpectRawForbidden(kubelet.Request("PATCH", "/api/v1/namespaces/default/pods/on-n2/status",
                                     R"({"status":{"phase":"Running"}})", "application/strategic-merge-patch+json"),
                     "on-n2");
  // A node may not change a pod's spec, nor delete another node's pod.
  ExpectForbidden(As(n1, {"label", "pod", "on-n1", "x=y"}), "system:node:n1");
  ExpectForbidden(As(n1, {"delete", "pod", "on-n2", "--wait=false"}), "on-n2");

  // Once the pod is gone, so is the access (after the graph catches up).
  Admin({"delete", "pod", "on-n1", "--grace-period=0", "--force"});
  CommandResult after;
  EXPECT_TRUE(Eventually([&] {
    after = As(n1, {"get", "secret", "mounted"});
    return after.exit_code != 0;
  }, 10)) << after.Describe();
  EXPECT_NE(after.err.find("Forbidden"), std::string::npos) << after.Describe();
}

TEST_F(AuthTest, NodeLeasesEventsAndMirrorPods) {
  std::string n3 = NodeConfig("n3");
  ASSERT_FALSE(n3.empty());
  std::string lease = "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: n3\n  namespace: "
                      "kube-node-lease\nspec:\n  holderIdentity: n3\n  leaseDurationSeconds: 40\n"
                      "  renewTime: \"2026-11-29T10:00:00.000000Z\"\n";
  CommandResult created = As(n3, {"create", "-f", "-"}, lease);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  // Renew: an update of the last object with a new renewTime, as the kubelet does.
  CommandResult got = As(n3, {"get", "lease", "n3", "-n", "kube-node-lease", "-o", "json"});
  ASSERT_EQ(got.exit_code, 0) << got.Describe();
  std::string renewed = got.out;
  size_t at = renewed.find("2026-11-29T10:00:00.000000Z");
  ASSERT_NE(at, std::string::npos) << renewed;
  renewed.replace(at, 27, "2026-11-29T10:00:10.000000Z");
  CommandResult replaced = As(n3, {"replace", "-f", "-"}, renewed);
  EXPECT_EQ(replaced.exit_code, 0) << replaced.Describe();
  EXPECT_EQ(Admin({"get", "lease", "n3", "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}"}).out,
            "2026-11-29T10:00:10.000000Z");
  // Another node's lease, or a lease elsewhere: no.
  std::string other = lease;
  other.replace(other.find("name: n3"), 8, "name: n4");
  ExpectForbidden(As(n3, {"create", "-f", "-"}, other), "n4");
  ExpectForbidden(As(n3, {"create", "-f", "-"}, "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: n3\n"
                                                "  namespace: default\n"),
                  "kube-node-lease");

  // Events.
  CommandResult ev = As(n3, {"create", "-f", "-"}, R"(apiVersion: v1
kind: Event
metadata: {name: n3.starting, namespace: default}
involvedObject: {kind: Node, name: n3, uid: n3}
reason: Starting
message: Starting kubelet.
type: Normal
source: {component: kubelet, host: n3}
)");
  EXPECT_EQ(ev.exit_code, 0) << ev.Describe();

  // Mirror pods of its own static pods, without secret references; no ordinary pods.
  std::string mirror = R"(apiVersion: v1
kind: Pod
metadata:
  name: static-web-n3
  namespace: default
  annotations:
    kubernetes.io/config.mirror: "abc123"
    kubernetes.io/config.source: file
  ownerReferences:
  - apiVersion: v1
    kind: Node
    name: n3
    uid: UID
    controller: true
spec:
  nodeName: n3
  containers: [{name: c, image: busybox}]
)";
  CommandResult node_obj = As(n3, {"create", "-f", "-"}, NodeManifest("n3"));
  ASSERT_EQ(node_obj.exit_code, 0) << node_obj.Describe();
  std::string node_uid = Admin({"get", "node", "n3", "-o", "jsonpath={.metadata.uid}"}).out;
  mirror.replace(mirror.find("UID"), 3, node_uid);
  CommandResult m = As(n3, {"create", "-f", "-"}, mirror);
  EXPECT_EQ(m.exit_code, 0) << m.Describe();

  std::string with_secret = mirror;
  with_secret.replace(with_secret.find("static-web-n3"), 13, "static-sec-n3");
  with_secret += "  volumes:\n  - name: s\n    secret: {secretName: anything}\n";
  ExpectForbidden(As(n3, {"create", "-f", "-"}, with_secret), "secret");

  std::string plain = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ordinary\nspec:\n  nodeName: n3\n"
                      "  containers: [{name: c, image: busybox}]\n";
  ExpectForbidden(As(n3, {"create", "-f", "-"}, plain), "mirror");
  std::string elsewhere = mirror;
  elsewhere.replace(elsewhere.find("nodeName: n3"), 12, "nodeName: n9");
  elsewhere.replace(elsewhere.find("static-web-n3"), 13, "static-web-n9");
  ExpectForbidden(As(n3, {"create", "-f", "-"}, elsewhere), "spec.nodeName");
}

// A kube-scheduler run against the server (--disable-scheduler) with `cubelet-server kubeconfig
// --user system:kube-scheduler` gets upstream's scheduler roles: it lists what it watches,
// binds and writes pod status, and nothing else.
TEST_F(AuthTest, KubeSchedulerIdentityGetsTheSchedulerRoles) {
  std::string scheduler = server_->UserKubeconfig("system:kube-scheduler");
  ASSERT_FALSE(scheduler.empty());
  for (const char* resource : {"pods", "nodes", "namespaces", "services", "persistentvolumeclaims",
                               "persistentvolumes", "replicasets.apps", "statefulsets.apps",
                               "poddisruptionbudgets.policy", "storageclasses.storage.k8s.io",
                               "csinodes.storage.k8s.io", "csidrivers.storage.k8s.io",
                               "csistoragecapacities.storage.k8s.io", "replicationcontrollers"}) {
    CommandResult listed = As(scheduler, {"get", resource, "-A"});
    EXPECT_EQ(listed.exit_code, 0) << resource << ": " << listed.Describe();
  }
  MustKubectl({"create", "-f", "-"},
              "apiVersion: v1\nkind: Pod\nmetadata:\n  name: sched-auth\nspec:\n  schedulerName: elsewhere\n"
              "  containers:\n  - name: c\n    image: busybox\n");
  CommandResult bound = As(scheduler, {"create", "--raw", "/api/v1/namespaces/default/pods/sched-auth/binding", "-f", "-"},
                           R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"sched-auth"},"target":{"kind":"Node","name":"somewhere"}})");
  EXPECT_EQ(bound.exit_code, 0) << bound.Describe();
  EXPECT_EQ(MustKubectl({"get", "pod", "sched-auth", "-o", "jsonpath={.spec.nodeName}"}), "somewhere");
  ExpectForbidden(As(scheduler, {"get", "secrets", "-A"}), "User \"system:kube-scheduler\" cannot list resource \"secrets\"");
  ExpectForbidden(As(scheduler, {"delete", "node", "somewhere"}), "cannot delete resource \"nodes\"");
  MustKubectl({"delete", "pod", "sched-auth", "--grace-period=0", "--force"});
}

TEST_F(AuthTest, NoSecretsInTheServerLog) {
  // Exercise tokens (good and bad) first, then read the log.
  HttpsClient raw = HttpsClient::FromKubeconfig(server_->admin_kubeconfig(), scratch_.path());
  raw.WithToken(kAdminToken).Get("/api/v1/namespaces");
  raw.WithToken(kPlainToken).Get("/api/v1/namespaces");
  raw.WithToken("bogus-token-value-1234").Get("/api/v1/namespaces");
  std::string log = server_->Log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.find(kAdminToken), std::string::npos);
  EXPECT_EQ(log.find(kPlainToken), std::string::npos);
  EXPECT_EQ(log.find("bogus-token-value-1234"), std::string::npos);
  EXPECT_EQ(log.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(log.find("client-key-data"), std::string::npos);
  // The CA key is the owner's only.
  CommandResult st = RunCommand({"/usr/bin/stat", "-c", "%a", StrCat(server_->data_dir(), "/pki/ca.key")});
  EXPECT_EQ(st.out, "600\n") << st.Describe();
}

}  // namespace
}  // namespace cubelet::testing
