// Every other served kind through kubectl 1.32 (dispatcher): ConfigMap, Secret, Service
// (cluster IP and node port allocation), Lease, Event in both APIs, PriorityClass,
// RuntimeClass, CSIDriver, CSINode, ServiceAccount, Namespace: create -f, get, apply, delete.
// One shared server; every test uses its own names.
#include <arpa/inet.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/write.h"

namespace cubelet::testing {
namespace {

class KubectlKindsTest : public SharedServerTest<> {
 protected:
  json::Value Get(const std::vector<std::string>& args) const { return KubectlJson(*server_, args); }
  // Deletes and checks that a get is NotFound afterwards.
  void DeleteAndExpectGone(const std::vector<std::string>& what) const {
    std::vector<std::string> del = {"delete"};
    del.insert(del.end(), what.begin(), what.end());
    del.push_back("--timeout=60s");
    MustKubectl(del);
    std::vector<std::string> get = {"get"};
    get.insert(get.end(), what.begin(), what.end());
    CommandResult r = Kubectl(get);
    EXPECT_NE(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.err.find("NotFound"), std::string::npos) << r.Describe();
  }
};

TEST_F(KubectlKindsTest, ConfigMapRoundTrip) {
  std::string manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: \"1\"\n  b: two\n";
  EXPECT_EQ(MustKubectl({"create", "-f", "-"}, manifest), "configmap/settings created\n");
  json::Value cm = Get({"get", "configmap", "settings"});
  EXPECT_EQ(cm.GetString({"data", "a"}), "1");
  EXPECT_EQ(cm.GetString({"data", "b"}), "two");
  KubectlTable t = ParseKubectlTable(MustKubectl({"get", "cm"}));
  ASSERT_NE(t.Find("settings"), nullptr);
  EXPECT_EQ(t.Find("settings")->at("DATA"), "2");
  std::string describe = MustKubectl({"describe", "configmap", "settings"});
  EXPECT_NE(describe.find("two"), std::string::npos) << describe;

  // apply of a changed manifest over an object created without apply (warns, then patches).
  CommandResult applied = Kubectl({"apply", "-f", "-"}, manifest + "  c: three\n");
  ASSERT_EQ(applied.exit_code, 0) << applied.Describe();
  EXPECT_EQ(applied.out, "configmap/settings configured\n");
  EXPECT_EQ(Get({"get", "configmap", "settings"}).GetString({"data", "c"}), "three");
  DeleteAndExpectGone({"configmap", "settings"});
}

TEST_F(KubectlKindsTest, SecretFoldsStringDataIntoBase64Data) {
  std::string manifest = R"(apiVersion: v1
kind: Secret
metadata:
  name: creds
type: Opaque
data:
  user: YWRtaW4=
stringData:
  password: hunter2
)";
  EXPECT_EQ(MustKubectl({"create", "-f", "-"}, manifest), "secret/creds created\n");
  json::Value s = Get({"get", "secret", "creds"});
  EXPECT_EQ(s.GetString({"data", "user"}), "YWRtaW4=");
  EXPECT_EQ(s.GetString({"data", "password"}), absl::Base64Escape("hunter2")) << json::Write(s);
  EXPECT_EQ(s.Find("stringData"), nullptr) << "stringData must be folded into data: " << json::Write(s);
  EXPECT_EQ(s.GetString({"type"}), "Opaque");
  KubectlTable t = ParseKubectlTable(MustKubectl({"get", "secrets"}));
  ASSERT_NE(t.Find("creds"), nullptr);
  EXPECT_EQ(t.Find("creds")->at("TYPE"), "Opaque");
  EXPECT_EQ(t.Find("creds")->at("DATA"), "2");

  // data must be base64.
  CommandResult bad = Kubectl({"create", "-f", "-"},
                              "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bad\ndata:\n  k: \"not base64!\"\n");
  EXPECT_NE(bad.exit_code, 0) << bad.Describe();
  DeleteAndExpectGone({"secret", "creds"});
}

bool InCidr(const std::string& ip, const std::string& network, int bits) {
  in_addr a{}, n{};
  if (inet_pton(AF_INET, ip.c_str(), &a) != 1 || inet_pton(AF_INET, network.c_str(), &n) != 1) return false;
  uint32_t mask = bits == 0 ? 0 : htonl(~0u << (32 - bits));
  return (a.s_addr & mask) == (n.s_addr & mask);
}

TEST_F(KubectlKindsTest, ServicesGetClusterIpsAndNodePorts) {
  std::string manifest = R"(apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-np
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 443
    targetPort: 8443
)";
  CommandResult created = Kubectl({"create", "-f", "-"}, manifest);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  EXPECT_EQ(created.out, "service/web created\nservice/web-np created\n");

  json::Value web = Get({"get", "svc", "web"});
  std::string ip = web.GetString({"spec", "clusterIP"});
  EXPECT_TRUE(InCidr(ip, "10.0.0.0", 24)) << ip;
  EXPECT_NE(ip, "10.0.0.1") << "the kubernetes service owns 10.0.0.1";
  EXPECT_EQ(web.GetString({"spec", "type"}), "ClusterIP");
  EXPECT_EQ(web.FindPath({"spec", "ports"})->AsArray()[0].GetString({"protocol"}), "TCP");

  json::Value np = Get({"get", "svc", "web-np"});
  std::string np_ip = np.GetString({"spec", "clusterIP"});
  EXPECT_TRUE(InCidr(np_ip, "10.0.0.0", 24)) << np_ip;
  EXPECT_NE(np_ip, ip);
  const json::Value* node_port = np.FindPath({"spec", "ports"})->AsArray()[0].Find("nodePort");
  ASSERT_NE(node_port, nullptr) << json::Write(np);
  int64_t port = node_port->AsInt64().value_or(0);
  EXPECT_GE(port, 30000);
  EXPECT_LE(port, 32767);

  KubectlTable t = ParseKubectlTable(MustKubectl({"get", "svc"}));
  ASSERT_NE(t.Find("web-np"), nullptr);
  EXPECT_EQ(t.Find("web-np")->at("TYPE"), "NodePort");
  EXPECT_EQ(t.Find("web-np")->at("PORT(S)"), StrCat("443:", port, "/TCP"));
  EXPECT_EQ(t.Find("web")->at("CLUSTER-IP"), ip);

  // A requested cluster IP that is taken is refused.
  CommandResult dup = Kubectl({"create", "-f", "-"}, StrCat("apiVersion: v1\nkind: Service\nmetadata:\n  name: dup\n",
                                                            "spec:\n  clusterIP: ", ip, "\n  ports:\n  - port: 80\n"));
  EXPECT_NE(dup.exit_code, 0) << dup.Describe();
  EXPECT_NE(dup.err.find("Invalid"), std::string::npos) << dup.Describe();
  // Outside the range too.
  CommandResult outside = Kubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: Service\nmetadata:\n  name: out\n"
                                                         "spec:\n  clusterIP: 10.9.9.9\n  ports:\n  - port: 80\n");
  EXPECT_NE(outside.exit_code, 0) << outside.Describe();

  // A deleted Service's cluster IP can be requested again (upstream frees it in the delete;
  // a short delay is tolerated).
  DeleteAndExpectGone({"svc", "web"});
  CommandResult reuse;
  Eventually(
      [&] {
        reuse = Kubectl({"create", "-f", "-"}, StrCat("apiVersion: v1\nkind: Service\nmetadata:\n  name: reuse\n",
                                                      "spec:\n  clusterIP: ", ip, "\n  ports:\n  - port: 80\n"));
        return reuse.exit_code == 0;
      },
      10);
  EXPECT_EQ(reuse.exit_code, 0) << reuse.Describe();
  DeleteAndExpectGone({"svc", "web-np"});
}

TEST_F(KubectlKindsTest, LeaseRoundTrip) {
  std::string manifest = R"(apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: holder-lease
  namespace: kube-node-lease
spec:
  holderIdentity: node-1
  leaseDurationSeconds: 40
  renewTime: "2026-11-29T10:00:00.123456Z"
)";
  EXPECT_EQ(MustKubectl({"create", "-f", "-"}, manifest), "lease.coordination.k8s.io/holder-lease created\n");
  json::Value l = Get({"get", "lease", "holder-lease", "-n", "kube-node-lease"});
  EXPECT_EQ(l.GetString({"spec", "holderIdentity"}), "node-1");
  EXPECT_EQ(l.FindPath({"spec", "leaseDurationSeconds"})->AsInt64(), 40);
  EXPECT_EQ(l.GetString({"spec", "renewTime"}), "2026-11-29T10:00:00.123456Z");
  KubectlTable t = ParseKubectlTable(MustKubectl({"get", "leases", "-A"}));
  ASSERT_NE(t.Find("holder-lease"), nullptr);
  EXPECT_EQ(t.Find("holder-lease")->at("NAMESPACE"), "kube-node-lease");

  // Renewal the way a kubelet does it: an update of the last object with a new renewTime.
  MustKubectl({"patch", "lease", "holder-lease", "-n", "kube-node-lease", "--type=merge", "-p",
               R"({"spec":{"renewTime":"2026-11-29T10:00:10.000000Z"}})"});
  EXPECT_EQ(Get({"get", "lease", "holder-lease", "-n", "kube-node-lease"}).GetString({"spec", "renewTime"}),
            "2026-11-29T10:00:10.000000Z");
  DeleteAndExpectGone({"lease", "holder-lease", "-n", "kube-node-lease"});
}

TEST_F(KubectlKindsTest, EventsAreServedByBothApis) {
  ASSERT_EQ(MustKubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: evented\n"
                                              "spec:\n  containers:\n  - name: c\n    image: busybox\n"),
            "pod/evented created\n");
  // kubectl describe selects events by the involved object's uid too.
  std::string uid = Get({"get", "pod", "evented"}).GetString({"metadata", "uid"});
  ASSERT_FALSE(uid.empty());
  std::string manifest = StrCat(R"(apiVersion: events.k8s.io/v1
kind: Event
metadata:
  name: new-api
  namespace: default
eventTime: "2026-11-29T15:00:00.000000Z"
reportingController: e2e.example/controller
reportingInstance: e2e-1
action: Testing
reason: NewApiReason
note: written through events.k8s.io
type: Normal
regarding:
  kind: Pod
  name: evented
  namespace: default
  uid: )", uid, R"(
---
apiVersion: v1
kind: Event
metadata:
  name: old-api
  namespace: default
involvedObject:
  kind: Pod
  name: evented
  namespace: default
  uid: )", uid, R"(
reason: OldApiReason
message: written through core v1
type: Warning
firstTimestamp: "2026-11-29T15:00:00Z"
lastTimestamp: "2026-11-29T15:00:01Z"
count: 2
source:
  component: e2e
)");
  CommandResult created = Kubectl({"create", "-f", "-"}, manifest);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  EXPECT_EQ(created.out, "event.events.k8s.io/new-api created\nevent/old-api created\n");

  // core/v1 sees both, with the new API's note as message and regarding as involvedObject.
  json::Value core_new = Get({"get", "events.v1.", "new-api"});
  EXPECT_EQ(core_new.GetString({"message"}), "written through events.k8s.io") << json::Write(core_new);
  EXPECT_EQ(core_new.GetString({"involvedObject", "name"}), "evented");
  EXPECT_EQ(core_new.GetString({"reportingComponent"}), "e2e.example/controller");
  // events.k8s.io/v1 sees both, with the old API's message as note.
  json::Value new_old = Get({"get", "events.v1.events.k8s.io", "old-api"});
  EXPECT_EQ(new_old.GetString({"apiVersion"}), "events.k8s.io/v1");
  EXPECT_EQ(new_old.GetString({"note"}), "written through core v1") << json::Write(new_old);
  EXPECT_EQ(new_old.GetString({"regarding", "name"}), "evented");
  EXPECT_EQ(new_old.FindPath({"deprecatedCount"})->AsInt64(), 2);

  KubectlTable core = ParseKubectlTable(MustKubectl({"get", "events.v1."}));
  ASSERT_NE(core.Find("OldApiReason", "REASON"), nullptr) << core.rows.size();
  ASSERT_NE(core.Find("NewApiReason", "REASON"), nullptr);
  EXPECT_EQ(core.Find("OldApiReason", "REASON")->at("OBJECT"), "pod/evented");
  EXPECT_EQ(core.Find("OldApiReason", "REASON")->at("TYPE"), "Warning");

  // describe finds events by involvedObject field selectors.
  std::string describe = MustKubectl({"describe", "pod", "evented"});
  EXPECT_NE(describe.find("OldApiReason"), std::string::npos) << describe;
  EXPECT_NE(describe.find("NewApiReason"), std::string::npos) << describe;

  CommandResult selected = Kubectl({"get", "events.v1.", "--field-selector", "reason=OldApiReason,type=Warning",
                                    "-o", "name"});
  ASSERT_EQ(selected.exit_code, 0) << selected.Describe();
  EXPECT_EQ(selected.out, "event/old-api\n");

  DeleteAndExpectGone({"events.v1.events.k8s.io", "new-api"});
  DeleteAndExpectGone({"events.v1.", "old-api"});
}

TEST_F(KubectlKindsTest, ClusterScopedKindsRoundTrip) {
  std::string manifest = R"(apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: e2e-high
value: 1000
description: e2e priority
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: e2e-runc
handler: runc
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: e2e.csi.example.com
spec:
  attachRequired: false
  podInfoOnMount: true
---
apiVersion: storage.k8s.io/v1
kind: CSINode
metadata:
  name: e2e-node
spec:
  drivers: []
)";
  CommandResult created = Kubectl({"create", "-f", "-"}, manifest);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  EXPECT_EQ(created.out,
            "priorityclass.scheduling.k8s.io/e2e-high created\nruntimeclass.node.k8s.io/e2e-runc created\n"
            "csidriver.storage.k8s.io/e2e.csi.example.com created\ncsinode.storage.k8s.io/e2e-node created\n");

  json::Value pc = Get({"get", "priorityclass", "e2e-high"});
  EXPECT_EQ(pc.Find("value")->AsInt64(), 1000);
  EXPECT_EQ(pc.GetString({"preemptionPolicy"}), "PreemptLowerPriority");
  EXPECT_EQ(pc.GetString({"metadata", "namespace"}), "") << "cluster-scoped";
  KubectlTable pcs = ParseKubectlTable(MustKubectl({"get", "pc"}));
  ASSERT_NE(pcs.Find("e2e-high"), nullptr);
  EXPECT_EQ(pcs.Find("e2e-high")->at("VALUE"), "1000");
  // A priority class's value is immutable.
  CommandResult changed = Kubectl({"patch", "pc", "e2e-high", "--type=merge", "-p", R"({"value":5})"});
  EXPECT_NE(changed.exit_code, 0) << changed.Describe();

  EXPECT_EQ(Get({"get", "runtimeclass", "e2e-runc"}).GetString({"handler"}), "runc");
  KubectlTable rcs = ParseKubectlTable(MustKubectl({"get", "runtimeclasses"}));
  ASSERT_NE(rcs.Find("e2e-runc"), nullptr);
  EXPECT_EQ(rcs.Find("e2e-runc")->at("HANDLER"), "runc");

  json::Value driver = Get({"get", "csidriver", "e2e.csi.example.com"});
  EXPECT_FALSE(driver.FindPath({"spec", "attachRequired"})->AsBool());
  EXPECT_TRUE(driver.FindPath({"spec", "podInfoOnMount"})->AsBool());
  EXPECT_NE(ParseKubectlTable(MustKubectl({"get", "csidrivers"})).Find("e2e.csi.example.com"), nullptr);
  EXPECT_NE(ParseKubectlTable(MustKubectl({"get", "csinodes"})).Find("e2e-node"), nullptr);

  // A namespace flag on a cluster-scoped kind does not matter.
  EXPECT_EQ(MustKubectl({"get", "pc", "e2e-high", "-n", "kube-system", "-o", "name"}),
            "priorityclass.scheduling.k8s.io/e2e-high\n");

  DeleteAndExpectGone({"priorityclass", "e2e-high"});
  DeleteAndExpectGone({"runtimeclass", "e2e-runc"});
  DeleteAndExpectGone({"csidriver", "e2e.csi.example.com"});
  DeleteAndExpectGone({"csinode", "e2e-node"});
}

TEST_F(KubectlKindsTest, NamespacesAndServiceAccountsFromManifests) {
  std::string manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n---\n"
                         "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n  namespace: team-a\n";
  CommandResult created = Kubectl({"create", "-f", "-"}, manifest);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  EXPECT_EQ(created.out, "namespace/team-a created\nserviceaccount/builder created\n");
  // The server creates the namespace's default service account.
  EXPECT_TRUE(Eventually([&] {
    return ParseKubectlTable(Kubectl({"get", "sa", "-n", "team-a"}).out).Find("default") != nullptr;
  }));
  EXPECT_NE(ParseKubectlTable(MustKubectl({"get", "sa", "-n", "team-a"})).Find("builder"), nullptr);
  KubectlTable ns = ParseKubectlTable(MustKubectl({"get", "ns", "team-a"}));
  ASSERT_EQ(ns.rows.size(), 1u);
  EXPECT_EQ(ns.rows[0].at("STATUS"), "Active");
}

// kubectl's imperative create subcommands use the typed clientset, which sends its bodies as
// protobuf (Content-Type application/vnd.kubernetes.protobuf), as upstream servers accept.
TEST_F(KubectlKindsTest, ImperativeCreateSubcommands) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"create", "namespace", "imperative"}, "namespace/imperative created\n"},
      {{"create", "configmap", "imp-cm", "--from-literal=k=v"}, "configmap/imp-cm created\n"},
      {{"create", "secret", "generic", "imp-secret", "--from-literal=k=v"}, "secret/imp-secret created\n"},
      {{"create", "serviceaccount", "imp-sa"}, "serviceaccount/imp-sa created\n"},
      {{"create", "service", "clusterip", "imp-svc", "--tcp=80:8080"}, "service/imp-svc created\n"},
      {{"create", "priorityclass", "imp-pc", "--value=10"}, "priorityclass.scheduling.k8s.io/imp-pc created\n"},
      {{"run", "imp-pod", "--image=busybox"}, "pod/imp-pod created\n"},
  };
  for (const Case& c : cases) {
    CommandResult r = Kubectl(c.args);
    EXPECT_EQ(r.exit_code, 0) << c.args[1] << ": " << r.Describe();
    EXPECT_EQ(r.out, c.expected) << c.args[1];
  }
  EXPECT_EQ(Get({"get", "configmap", "imp-cm"}).GetString({"data", "k"}), "v");
}

}  // namespace
}  // namespace cubelet::testing
