// A pod's life through kubectl 1.32 (dispatcher): create, the table columns of get, describe,
// client-side and server-side apply, label/annotate, the three patch types, edit, output
// formats, delete; and Nodes with a Ready condition. Each test uses its own object names, so
// the tests share one server.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/write.h"

namespace cubelet::testing {
namespace {

std::string PodManifest(const std::string& name, const std::string& labels = "app: web",
                        const std::string& image = "busybox:1") {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", name, "\n  labels:\n    ", labels,
                "\nspec:\n  containers:\n  - name: c\n    image: ", image,
                "\n    command: [\"sleep\", \"3600\"]\n");
}

class KubectlPodTest : public SharedServerTest<> {
 protected:
  std::string Jsonpath(const std::string& kind_name, const std::string& path) const {
    return KubectlJsonpath(*server_, {"get", kind_name}, path);
  }
};

TEST_F(KubectlPodTest, CreateGetDescribeDelete) {
  CommandResult created = Kubectl({"create", "-f", "-"}, PodManifest("web"));
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  EXPECT_EQ(created.out, "pod/web created\n");

  // Creating it again is AlreadyExists, in kubectl's words.
  CommandResult again = Kubectl({"create", "-f", "-"}, PodManifest("web"));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("Error from server (AlreadyExists)"), std::string::npos) << again.Describe();
  EXPECT_NE(again.err.find("pods \"web\" already exists"), std::string::npos) << again.Describe();

  // Plain get: the server's Table.
  KubectlTable t = ParseKubectlTable(MustKubectl({"get", "pods"}));
  EXPECT_EQ(t.columns, (std::vector<std::string>{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}));
  const auto* row = t.Find("web");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->at("READY"), "0/1");
  EXPECT_EQ(row->at("STATUS"), "Pending");
  EXPECT_EQ(row->at("RESTARTS"), "0");

  // Wide adds the priority-1 columns.
  KubectlTable wide = ParseKubectlTable(MustKubectl({"get", "pods", "-o", "wide"}));
  EXPECT_EQ(wide.columns, (std::vector<std::string>{"NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                                                    "NOMINATED NODE", "READINESS GATES"}));
  ASSERT_NE(wide.Find("web"), nullptr);
  EXPECT_EQ(wide.Find("web")->at("NODE"), "<none>");

  // -A: the NAMESPACE column comes from the rows' object metadata.
  KubectlTable all = ParseKubectlTable(MustKubectl({"get", "pods", "-A"}));
  ASSERT_FALSE(all.columns.empty());
  EXPECT_EQ(all.columns.front(), "NAMESPACE");
  ASSERT_NE(all.Find("web"), nullptr);
  EXPECT_EQ(all.Find("web")->at("NAMESPACE"), "default");

  KubectlTable labels = ParseKubectlTable(MustKubectl({"get", "pods", "--show-labels"}));
  ASSERT_NE(labels.Find("web"), nullptr);
  EXPECT_EQ(labels.Find("web")->at("LABELS"), "app=web");

  // A single get is a one-row Table too.
  KubectlTable one = ParseKubectlTable(MustKubectl({"get", "pod", "web"}));
  ASSERT_EQ(one.rows.size(), 1u);
  EXPECT_EQ(one.rows[0].at("NAME"), "web");

  // -o json / yaml / jsonpath / name.
  json::Value pod = KubectlJson(*server_, {"get", "pod", "web"});
  std::string uid = pod.GetString({"metadata", "uid"});
  EXPECT_EQ(uid.size(), 36u) << json::Write(pod);
  EXPECT_FALSE(pod.GetString({"metadata", "creationTimestamp"}).empty());
  EXPECT_FALSE(pod.GetString({"metadata", "resourceVersion"}).empty());
  EXPECT_EQ(pod.GetString({"status", "phase"}), "Pending");
  // Upstream's pod defaults.
  EXPECT_EQ(pod.GetString({"spec", "restartPolicy"}), "Always");
  EXPECT_EQ(pod.GetString({"spec", "dnsPolicy"}), "ClusterFirst");
  EXPECT_EQ(pod.GetString({"spec", "schedulerName"}), "default-scheduler");
  EXPECT_EQ(pod.FindPath({"spec", "terminationGracePeriodSeconds"})->AsInt64(), 30);
  std::string yaml = MustKubectl({"get", "pod", "web", "-o", "yaml"});
  EXPECT_NE(yaml.find(StrCat("uid: ", uid)), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("kind: Pod"), std::string::npos) << yaml;
  EXPECT_EQ(Jsonpath("pod/web", "{.metadata.uid}"), uid);
  EXPECT_EQ(Jsonpath("pod/web", "{.spec.containers[0].image}"), "busybox:1");
  EXPECT_EQ(MustKubectl({"get", "pods", "-o", "name"}), "pod/web\n");
  KubectlTable custom =
      ParseKubectlTable(MustKubectl({"get", "pods", "-o", "custom-columns=N:.metadata.name,IMG:.spec.containers[0].image"}));
  ASSERT_NE(custom.Find("web", "N"), nullptr);
  EXPECT_EQ(custom.Find("web", "N")->at("IMG"), "busybox:1");

  // The "all" category covers pods and services.
  std::string all_kinds = MustKubectl({"get", "all", "-o", "name"});
  EXPECT_NE(all_kinds.find("pod/web\n"), std::string::npos) << all_kinds;
  EXPECT_NE(all_kinds.find("service/kubernetes\n"), std::string::npos) << all_kinds;

  std::string describe = MustKubectl({"describe", "pod", "web"});
  for (const char* line : {"Name:", "Namespace:        default", "Labels:           app=web", "Status:           Pending",
                           "Command:", "Events:"}) {
    EXPECT_NE(describe.find(line), std::string::npos) << line << " missing:\n" << describe;
  }
  EXPECT_NE(describe.find("busybox:1\n"), std::string::npos) << describe;

  // An unscheduled pod is deleted at once; kubectl's wait for it (a watch by
  // metadata.name) ends.
  CommandResult deleted = Kubectl({"delete", "pod", "web", "--timeout=60s"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.Describe();
  EXPECT_EQ(deleted.out, "pod \"web\" deleted\n");
  CommandResult gone = Kubectl({"get", "pod", "web"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("Error from server (NotFound): pods \"web\" not found"), std::string::npos)
      << gone.Describe();
  CommandResult gone_again = Kubectl({"delete", "pod", "web"});
  EXPECT_NE(gone_again.exit_code, 0);
  EXPECT_NE(gone_again.err.find("NotFound"), std::string::npos) << gone_again.Describe();
}

TEST_F(KubectlPodTest, ScheduledPodDeletesGracefullyUntilConfirmed) {
  std::string manifest = StrCat(PodManifest("bound"), "  nodeName: node-x\n");
  ASSERT_EQ(Kubectl({"create", "-f", "-"}, manifest).exit_code, 0);
  // No kubelet confirms: the pod stays, Terminating, with a deletion timestamp.
  CommandResult d = Kubectl({"delete", "pod", "bound", "--wait=false"});
  ASSERT_EQ(d.exit_code, 0) << d.Describe();
  json::Value pod = KubectlJson(*server_, {"get", "pod", "bound"});
  EXPECT_FALSE(pod.GetString({"metadata", "deletionTimestamp"}).empty()) << json::Write(pod);
  ASSERT_NE(pod.FindPath({"metadata", "deletionGracePeriodSeconds"}), nullptr);
  EXPECT_EQ(pod.FindPath({"metadata", "deletionGracePeriodSeconds"})->AsInt64(), 30);
  KubectlTable t = ParseKubectlTable(MustKubectl({"get", "pod", "bound"}));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].at("STATUS"), "Terminating");
  // Grace 0 (what a kubelet sends once the containers are gone) removes it.
  CommandResult now = Kubectl({"delete", "pod", "bound", "--grace-period=0", "--force"});
  ASSERT_EQ(now.exit_code, 0) << now.Describe();
  EXPECT_NE(Kubectl({"get", "pod", "bound"}).exit_code, 0);
}

TEST_F(KubectlPodTest, WaitSeesAConditionAndADeletion) {
  ASSERT_EQ(Kubectl({"create", "-f", "-"}, StrCat(PodManifest("waited"), "  nodeName: node-w\n")).exit_code, 0);
  TempDir dir;
  BackgroundCommand wait({"/usr/bin/kubectl", "wait", "--for=condition=Ready", "pod/waited", "--timeout=60s"},
                         {{"KUBECONFIG", server_->admin_kubeconfig()}, {"HOME", dir.path()}}, dir.path());
  // What a kubelet reports once the containers run.
  MustKubectl({"patch", "pod", "waited", "--subresource=status", "--type=merge", "-p",
               R"({"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})"});
  ASSERT_TRUE(wait.Exited(60)) << wait.Output() << wait.Errors();
  EXPECT_EQ(wait.exit_code(), 0) << wait.Errors();
  EXPECT_EQ(wait.Output(), "pod/waited condition met\n");
  KubectlTable t = ParseKubectlTable(MustKubectl({"get", "pod", "waited"}));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].at("STATUS"), "Running");

  BackgroundCommand gone({"/usr/bin/kubectl", "wait", "--for=delete", "pod/waited", "--timeout=60s"},
                         {{"KUBECONFIG", server_->admin_kubeconfig()}, {"HOME", dir.path()}}, dir.path());
  MustKubectl({"delete", "pod", "waited", "--grace-period=0", "--force"});
  ASSERT_TRUE(gone.Exited(60)) << gone.Output() << gone.Errors();
  EXPECT_EQ(gone.exit_code(), 0) << gone.Output() << gone.Errors();
}

TEST_F(KubectlPodTest, ClientSideApplyTwiceIsUnchanged) {
  CommandResult first = Kubectl({"apply", "-f", "-"}, PodManifest("csa"));
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_EQ(first.out, "pod/csa created\n");
  std::string rv = Jsonpath("pod/csa", "{.metadata.resourceVersion}");
  EXPECT_NE(Jsonpath("pod/csa", "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}"), "");

  CommandResult second = Kubectl({"apply", "-f", "-"}, PodManifest("csa"));
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  EXPECT_EQ(second.out, "pod/csa unchanged\n");
  EXPECT_EQ(Jsonpath("pod/csa", "{.metadata.resourceVersion}"), rv);

  // A changed manifest is a strategic merge patch: the label changes, the container stays one.
  CommandResult third = Kubectl({"apply", "-f", "-"}, PodManifest("csa", "app: web2", "busybox:2"));
  ASSERT_EQ(third.exit_code, 0) << third.Describe();
  EXPECT_EQ(third.out, "pod/csa configured\n");
  EXPECT_EQ(Jsonpath("pod/csa", "{.metadata.labels.app}"), "web2");
  EXPECT_EQ(Jsonpath("pod/csa", "{.spec.containers[*].image}"), "busybox:2");
  CommandResult fourth = Kubectl({"apply", "-f", "-"}, PodManifest("csa", "app: web2", "busybox:2"));
  EXPECT_EQ(fourth.out, "pod/csa unchanged\n") << fourth.Describe();
}

TEST_F(KubectlPodTest, ServerSideApplyConvergesAndReportsConflicts) {
  CommandResult first = Kubectl({"apply", "--server-side", "-f", "-"}, PodManifest("ssa", "app: one"));
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_EQ(first.out, "pod/ssa serverside-applied\n");
  std::string rv = Jsonpath("pod/ssa", "{.metadata.resourceVersion}");
  ASSERT_FALSE(rv.empty());

  // The same configuration again changes nothing.
  CommandResult second = Kubectl({"apply", "--server-side", "-f", "-"}, PodManifest("ssa", "app: one"));
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  EXPECT_EQ(second.out, "pod/ssa serverside-applied\n");
  EXPECT_EQ(Jsonpath("pod/ssa", "{.metadata.resourceVersion}"), rv) << "a no-op apply wrote the object";

  json::Value pod = KubectlJson(*server_, {"get", "pod", "ssa", "--show-managed-fields"});
  const json::Value* managed = pod.FindPath({"metadata", "managedFields"});
  ASSERT_TRUE(managed != nullptr && managed->is_array()) << json::Write(pod);
  bool kubectl_applies = false;
  for (const json::Value& m : managed->AsArray()) {
    if (m.GetString({"manager"}) == "kubectl" && m.GetString({"operation"}) == "Apply") {
      kubectl_applies = true;
      EXPECT_EQ(m.GetString({"fieldsType"}), "FieldsV1");
      EXPECT_NE(json::Write(m).find("f:app"), std::string::npos) << json::Write(m);
    }
  }
  EXPECT_TRUE(kubectl_applies) << json::Write(*managed);

  // Another manager changing a field "kubectl" owns is a conflict naming the owner and field.
  CommandResult conflict = Kubectl({"apply", "--server-side", "--field-manager=other", "-f", "-"},
                                   PodManifest("ssa", "app: two"));
  EXPECT_NE(conflict.exit_code, 0) << conflict.Describe();
  EXPECT_NE(conflict.err.find("conflict"), std::string::npos) << conflict.Describe();
  EXPECT_NE(conflict.err.find("\"kubectl\""), std::string::npos) << conflict.Describe();
  EXPECT_NE(conflict.err.find(".metadata.labels.app"), std::string::npos) << conflict.Describe();
  EXPECT_EQ(Jsonpath("pod/ssa", "{.metadata.labels.app}"), "one");

  // --force-conflicts takes the field over.
  CommandResult forced = Kubectl({"apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"},
                                 PodManifest("ssa", "app: two"));
  ASSERT_EQ(forced.exit_code, 0) << forced.Describe();
  EXPECT_EQ(Jsonpath("pod/ssa", "{.metadata.labels.app}"), "two");
  json::Value after = KubectlJson(*server_, {"get", "pod", "ssa", "--show-managed-fields"});
  bool other_owns_app = false;
  for (const json::Value& m : after.FindPath({"metadata", "managedFields"})->AsArray()) {
    std::string text = json::Write(m);
    if (m.GetString({"manager"}) == "other") other_owns_app = text.find("f:app") != std::string::npos;
    if (m.GetString({"manager"}) == "kubectl") {
      EXPECT_EQ(text.find("f:app"), std::string::npos) << "kubectl still owns app: " << text;
    }
  }
  EXPECT_TRUE(other_owns_app) << json::Write(after);

  // Server-side apply of a missing object creates it.
  CommandResult fresh = Kubectl({"apply", "--server-side", "-f", "-"}, PodManifest("ssa-new"));
  ASSERT_EQ(fresh.exit_code, 0) << fresh.Describe();
  EXPECT_EQ(Jsonpath("pod/ssa-new", "{.metadata.name}"), "ssa-new");
}

TEST_F(KubectlPodTest, LabelAnnotateAndPatchTypes) {
  ASSERT_EQ(Kubectl({"create", "-f", "-"}, PodManifest("patched")).exit_code, 0);

  EXPECT_EQ(MustKubectl({"label", "pod", "patched", "tier=front"}), "pod/patched labeled\n");
  EXPECT_EQ(Jsonpath("pod/patched", "{.metadata.labels.tier}"), "front");
  CommandResult relabel = Kubectl({"label", "pod", "patched", "tier=back"});
  EXPECT_NE(relabel.exit_code, 0) << "overwriting without --overwrite must fail";
  MustKubectl({"label", "pod", "patched", "tier=back", "--overwrite"});
  EXPECT_EQ(Jsonpath("pod/patched", "{.metadata.labels.tier}"), "back");
  MustKubectl({"label", "pod", "patched", "tier-"});
  EXPECT_EQ(Jsonpath("pod/patched", "{.metadata.labels}"), "{\"app\":\"web\"}");

  EXPECT_EQ(MustKubectl({"annotate", "pod", "patched", "note=hello world"}), "pod/patched annotated\n");
  EXPECT_EQ(Jsonpath("pod/patched", "{.metadata.annotations.note}"), "hello world");

  // Strategic merge (the default): containers merge by name.
  MustKubectl({"patch", "pod", "patched", "-p", R"({"spec":{"containers":[{"name":"c","image":"busybox:2"}]}})"});
  EXPECT_EQ(Jsonpath("pod/patched", "{.spec.containers[*].name}"), "c");
  EXPECT_EQ(Jsonpath("pod/patched", "{.spec.containers[0].image}"), "busybox:2");
  EXPECT_EQ(Jsonpath("pod/patched", "{.spec.containers[0].command[0]}"), "sleep") << "strategic merge lost a field";

  // JSON merge patch: null deletes.
  MustKubectl({"patch", "pod", "patched", "--type=merge", "-p", R"({"metadata":{"annotations":{"note":null,"m":"2"}}})"});
  EXPECT_EQ(Jsonpath("pod/patched", "{.metadata.annotations}"), "{\"m\":\"2\"}");

  // JSON patch, with a test that holds and one that does not.
  MustKubectl({"patch", "pod", "patched", "--type=json", "-p",
               R"([{"op":"test","path":"/spec/containers/0/image","value":"busybox:2"},)"
               R"({"op":"replace","path":"/spec/containers/0/image","value":"busybox:3"}])"});
  EXPECT_EQ(Jsonpath("pod/patched", "{.spec.containers[0].image}"), "busybox:3");
  std::string rv = Jsonpath("pod/patched", "{.metadata.resourceVersion}");
  CommandResult failed = Kubectl({"patch", "pod", "patched", "--type=json", "-p",
                                  R"([{"op":"test","path":"/spec/containers/0/image","value":"nope"},)"
                                  R"({"op":"replace","path":"/spec/containers/0/image","value":"busybox:4"}])"});
  EXPECT_NE(failed.exit_code, 0) << failed.Describe();
  EXPECT_EQ(Jsonpath("pod/patched", "{.spec.containers[0].image}"), "busybox:3");
  EXPECT_EQ(Jsonpath("pod/patched", "{.metadata.resourceVersion}"), rv);

  // A patch that changes an immutable pod field is Invalid and changes nothing.
  CommandResult immutable =
      Kubectl({"patch", "pod", "patched", "--type=merge", "-p", R"({"spec":{"restartPolicy":"Never"}})"});
  EXPECT_NE(immutable.exit_code, 0) << immutable.Describe();
  EXPECT_NE(immutable.err.find("The Pod \"patched\" is invalid"), std::string::npos) << immutable.Describe();
  EXPECT_EQ(Jsonpath("pod/patched", "{.metadata.resourceVersion}"), rv);
}

TEST_F(KubectlPodTest, EditSendsAPatch) {
  ASSERT_EQ(Kubectl({"create", "-f", "-"}, PodManifest("edited")).exit_code, 0);
  TempDir home;
  CommandResult r = RunCommand({"/usr/bin/kubectl", "edit", "pod", "edited"},
                               {{"KUBECONFIG", server_->admin_kubeconfig()},
                                {"HOME", home.path()},
                                {"KUBE_EDITOR", "sed -i -e s/busybox:1/busybox:edited/"}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "pod/edited edited\n");
  EXPECT_EQ(Jsonpath("pod/edited", "{.spec.containers[0].image}"), "busybox:edited");
  EXPECT_EQ(Jsonpath("pod/edited", "{.metadata.labels.app}"), "web");
}

TEST_F(KubectlPodTest, NodesShowTheirReadyCondition) {
  // Created with a status (nodes keep it on create, as upstream).
  std::string ready_node = R"(apiVersion: v1
kind: Node
metadata:
  name: node-a
  labels: {kubernetes.io/hostname: node-a}
status:
  conditions:
  - type: Ready
    status: "True"
    reason: KubeletReady
    message: kubelet is posting ready status
  addresses:
  - type: InternalIP
    address: 192.0.2.10
  nodeInfo:
    kubeletVersion: v1.32.0
    osImage: Debian GNU/Linux 12
    kernelVersion: 6.1.0
    containerRuntimeVersion: containerd://1.7.0
)";
  CommandResult a = Kubectl({"create", "-f", "-"}, ready_node);
  ASSERT_EQ(a.exit_code, 0) << a.Describe();
  // Created without one, then made Ready through the status subresource.
  ASSERT_EQ(Kubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: Node\nmetadata:\n  name: node-b\n").exit_code, 0);

  KubectlTable before = ParseKubectlTable(MustKubectl({"get", "nodes"}));
  EXPECT_EQ(before.columns, (std::vector<std::string>{"NAME", "STATUS", "ROLES", "AGE", "VERSION"}));
  ASSERT_NE(before.Find("node-a"), nullptr);
  ASSERT_NE(before.Find("node-b"), nullptr);
  EXPECT_EQ(before.Find("node-a")->at("STATUS"), "Ready");
  EXPECT_EQ(before.Find("node-a")->at("VERSION"), "v1.32.0");
  EXPECT_EQ(before.Find("node-a")->at("ROLES"), "<none>");
  EXPECT_EQ(before.Find("node-b")->at("STATUS"), "Unknown");

  CommandResult p = Kubectl({"patch", "node", "node-b", "--subresource=status", "--type=merge", "-p",
                             R"({"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}]}})"});
  ASSERT_EQ(p.exit_code, 0) << p.Describe();
  // A spec change through the status subresource is dropped.
  MustKubectl({"patch", "node", "node-b", "--subresource=status", "--type=merge", "-p",
               R"({"spec":{"unschedulable":true}})"});
  EXPECT_EQ(Jsonpath("node/node-b", "{.spec.unschedulable}"), "");

  KubectlTable after = ParseKubectlTable(MustKubectl({"get", "nodes"}));
  ASSERT_NE(after.Find("node-b"), nullptr);
  EXPECT_EQ(after.Find("node-b")->at("STATUS"), "Ready");

  // cordon is a strategic merge patch of spec.unschedulable.
  MustKubectl({"cordon", "node-a"});
  KubectlTable cordoned = ParseKubectlTable(MustKubectl({"get", "nodes"}));
  EXPECT_EQ(cordoned.Find("node-a")->at("STATUS"), "Ready,SchedulingDisabled");

  KubectlTable wide = ParseKubectlTable(MustKubectl({"get", "nodes", "-o", "wide"}));
  ASSERT_NE(wide.Find("node-a"), nullptr);
  EXPECT_EQ(wide.Find("node-a")->at("INTERNAL-IP"), "192.0.2.10");
  EXPECT_EQ(wide.Find("node-a")->at("OS-IMAGE"), "Debian GNU/Linux 12");
  EXPECT_EQ(wide.Find("node-a")->at("CONTAINER-RUNTIME"), "containerd://1.7.0");

  std::string describe = MustKubectl({"describe", "node", "node-a"});
  EXPECT_NE(describe.find("Name:               node-a"), std::string::npos) << describe;
  EXPECT_NE(describe.find("KubeletReady"), std::string::npos) << describe;
}

}  // namespace
}  // namespace cubelet::testing
