// What the store promises, seen from clients: optimistic concurrency (a stale replace is 409),
// a restart keeps every object with its uid and resourceVersion, a watch resumes from an old
// resourceVersion (also across a restart), a namespaced object in a missing namespace is 404,
// and deleting a namespace removes its content and then the namespace.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/parse.h"
#include "json/write.h"

namespace cubelet::testing {
namespace {

class ConsistencyTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()) << server_.Log(); }

  std::string MustKubectl(const std::vector<std::string>& args, const std::string& input = "") {
    return server_.MustKubectl(args, input);
  }
  json::Value Get(const std::vector<std::string>& args) { return KubectlJson(server_, args); }
  HttpsClient Admin() { return HttpsClient::FromKubeconfig(server_.admin_kubeconfig(), scratch_.path()); }
  // A list's resourceVersion (kubectl get -o json prints a client-side List without one).
  std::string ListRv(const std::string& path) {
    HttpResponse r = Admin().Get(path);
    EXPECT_EQ(r.code, 200) << r.Describe();
    std::string rv = r.Json().GetString({"metadata", "resourceVersion"});
    EXPECT_FALSE(rv.empty()) << r.body;
    return rv;
  }

  // (type, name) of each event of a watch that the server ends after `timeout` seconds.
  std::vector<std::pair<std::string, std::string>> WatchEvents(const std::string& collection_path,
                                                               const std::string& rv, int timeout = 2) {
    HttpResponse r = Admin().Get(StrCat(collection_path, "?watch=true&resourceVersion=", rv, "&timeoutSeconds=", timeout));
    EXPECT_EQ(r.code, 200) << r.Describe();
    std::vector<std::pair<std::string, std::string>> events;
    for (const std::string& text : SplitJsonStream(r.body)) {
      json::Value e = ParseJsonOrFail(text);
      events.emplace_back(e.GetString({"type"}), e.GetString({"object", "metadata", "name"}));
    }
    return events;
  }

  ServerFixture server_;
  TempDir scratch_;
};

TEST_F(ConsistencyTest, StaleReplaceIsAConflict) {
  MustKubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cas\ndata:\n  v: \"1\"\n");
  std::string old = MustKubectl({"get", "configmap", "cas", "-o", "json"});
  MustKubectl({"patch", "configmap", "cas", "--type=merge", "-p", R"({"data":{"v":"2"}})"});
  std::string rv = Get({"get", "configmap", "cas"}).GetString({"metadata", "resourceVersion"});

  // replace sends the object with its (now old) resourceVersion.
  std::string stale = old;
  size_t at = stale.find("\"v\": \"1\"");
  ASSERT_NE(at, std::string::npos) << stale;
  stale.replace(at, 8, "\"v\": \"3\"");
  CommandResult r = server_.Kubectl({"replace", "-f", "-"}, stale);
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("Error from server (Conflict)"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("Operation cannot be fulfilled on configmaps \"cas\": the object has been modified; please "
                       "apply your changes to the latest version and try again"),
            std::string::npos)
      << r.Describe();
  json::Value after = Get({"get", "configmap", "cas"});
  EXPECT_EQ(after.GetString({"data", "v"}), "2");
  EXPECT_EQ(after.GetString({"metadata", "resourceVersion"}), rv);

  // The raw answer is a 409 Status with reason Conflict.
  HttpResponse put = Admin().Request("PUT", "/api/v1/namespaces/default/configmaps/cas", json::Write(ParseJsonOrFail(stale)));
  EXPECT_EQ(put.code, 409) << put.Describe();
  json::Value status = put.Json();
  EXPECT_EQ(status.GetString({"kind"}), "Status");
  EXPECT_EQ(status.GetString({"reason"}), "Conflict");
  EXPECT_EQ(status.GetString({"details", "name"}), "cas");
  EXPECT_EQ(status.GetString({"details", "kind"}), "configmaps");

  // With the current resourceVersion the same replace works.
  std::string fresh = MustKubectl({"get", "configmap", "cas", "-o", "json"});
  size_t v2 = fresh.find("\"v\": \"2\"");
  ASSERT_NE(v2, std::string::npos);
  fresh.replace(v2, 8, "\"v\": \"3\"");
  EXPECT_EQ(MustKubectl({"replace", "-f", "-"}, fresh), "configmap/cas replaced\n");
  EXPECT_EQ(Get({"get", "configmap", "cas"}).GetString({"data", "v"}), "3");
}

TEST_F(ConsistencyTest, RestartKeepsEverything) {
  MustKubectl({"create", "-f", "-"}, R"(apiVersion: v1
kind: Namespace
metadata:
  name: keep
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kept
  namespace: keep
data:
  k: v
---
apiVersion: v1
kind: Secret
metadata:
  name: kept
  namespace: keep
stringData:
  k: v
---
apiVersion: v1
kind: Pod
metadata:
  name: kept
  namespace: keep
  labels: {app: kept}
spec:
  nodeName: node-1
  containers:
  - name: c
    image: busybox
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: node-1
  namespace: kube-node-lease
spec:
  holderIdentity: node-1
  leaseDurationSeconds: 40
---
apiVersion: v1
kind: Service
metadata:
  name: kept
  namespace: keep
spec:
  type: NodePort
  ports:
  - port: 80
)");
  const std::vector<std::vector<std::string>> objects = {
      {"namespace", "keep"},
      {"configmap", "kept", "-n", "keep"},
      {"secret", "kept", "-n", "keep"},
      {"pod", "kept", "-n", "keep"},
      {"lease", "node-1", "-n", "kube-node-lease"},
      {"service", "kept", "-n", "keep"},
      {"service", "kubernetes", "-n", "default"},
      {"serviceaccount", "default", "-n", "default"},
      {"priorityclass", "system-node-critical"},
  };
  std::vector<json::Value> before;
  for (const auto& o : objects) {
    std::vector<std::string> args = {"get"};
    args.insert(args.end(), o.begin(), o.end());
    before.push_back(Get(args));
  }
  // A few writes after the objects, to resume a watch from.
  std::string list_rv = ListRv("/api/v1/namespaces/keep/configmaps");
  MustKubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: later\n  namespace: keep\n");
  MustKubectl({"label", "configmap", "later", "-n", "keep", "x=y"});
  MustKubectl({"delete", "configmap", "later", "-n", "keep"});
  std::string last_rv = ListRv("/api/v1/namespaces/keep/configmaps");

  // Within the same server first: the watch replays the later changes only.
  auto live = WatchEvents("/api/v1/namespaces/keep/configmaps", list_rv);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"ADDED", "later"}, {"MODIFIED", "later"}, {"DELETED", "later"}};
  EXPECT_EQ(live, expected);

  server_.Restart();
  ASSERT_TRUE(server_.started()) << server_.Log();

  for (size_t i = 0; i < objects.size(); ++i) {
    std::vector<std::string> args = {"get"};
    args.insert(args.end(), objects[i].begin(), objects[i].end());
    json::Value after = Get(args);
    EXPECT_EQ(after.GetString({"metadata", "uid"}), before[i].GetString({"metadata", "uid"})) << objects[i][1];
    EXPECT_EQ(after.GetString({"metadata", "resourceVersion"}), before[i].GetString({"metadata", "resourceVersion"}))
        << objects[i][0] << " " << objects[i][1] << " was rewritten by the restart";
    EXPECT_EQ(json::Write(after), json::Write(before[i])) << objects[i][0];
  }
  // Start-up objects are not duplicated.
  KubectlTable ns = ParseKubectlTable(MustKubectl({"get", "ns"}));
  EXPECT_EQ(ns.rows.size(), 5u);
  EXPECT_EQ(ParseKubectlTable(MustKubectl({"get", "pc"})).rows.size(), 2u);

  // The watch resumes from before the restart, from the store's event log.
  EXPECT_EQ(WatchEvents("/api/v1/namespaces/keep/configmaps", list_rv), expected);
  EXPECT_TRUE(WatchEvents("/api/v1/namespaces/keep/configmaps", last_rv).empty());

  // New writes continue above the old revisions.
  MustKubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: newer\n  namespace: keep\n");
  std::string new_rv = Get({"get", "configmap", "newer", "-n", "keep"}).GetString({"metadata", "resourceVersion"});
  EXPECT_GT(std::atoll(new_rv.c_str()), std::atoll(last_rv.c_str()));
  // The restarted server still allocates around the kept Service.
  std::string kept_ip = before[5].GetString({"spec", "clusterIP"});
  MustKubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: Service\nmetadata:\n  name: other\n  namespace: keep\n"
                                     "spec:\n  ports:\n  - port: 80\n");
  std::string other_ip = Get({"get", "service", "other", "-n", "keep"}).GetString({"spec", "clusterIP"});
  EXPECT_NE(other_ip, kept_ip);
  EXPECT_NE(other_ip, "10.0.0.1");
}

TEST_F(ConsistencyTest, WatchFromAnOldResourceVersionGetsExactlyTheLaterEvents) {
  std::string rv0 = ListRv("/api/v1/namespaces/default/configmaps");
  for (const char* name : {"w1", "w2"}) {
    MustKubectl({"create", "-f", "-"}, StrCat("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ", name, "\n"));
  }
  std::string rv1 = Get({"get", "configmap", "w1"}).GetString({"metadata", "resourceVersion"});
  MustKubectl({"delete", "configmap", "w1"});
  std::vector<std::pair<std::string, std::string>> all = {{"ADDED", "w1"}, {"ADDED", "w2"}, {"DELETED", "w1"}};
  EXPECT_EQ(WatchEvents("/api/v1/namespaces/default/configmaps", rv0), all);
  std::vector<std::pair<std::string, std::string>> after_w1 = {{"ADDED", "w2"}, {"DELETED", "w1"}};
  EXPECT_EQ(WatchEvents("/api/v1/namespaces/default/configmaps", rv1), after_w1);
  // resourceVersion 0: the current state as ADDED events, then changes.
  std::vector<std::pair<std::string, std::string>> now = {{"ADDED", "w2"}};
  EXPECT_EQ(WatchEvents("/api/v1/namespaces/default/configmaps", "0", 1), now);
}

TEST_F(ConsistencyTest, MissingNamespaceIsNotFound) {
  CommandResult r = server_.Kubectl({"create", "-f", "-"},
                                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nowhere\n");
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("Error from server (NotFound)"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("namespaces \"nowhere\" not found"), std::string::npos) << r.Describe();

  HttpResponse raw = Admin().Request("POST", "/api/v1/namespaces/nowhere/pods",
                                     R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},)"
                                     R"("spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  EXPECT_EQ(raw.code, 404) << raw.Describe();
  EXPECT_EQ(raw.Json().GetString({"reason"}), "NotFound");
  EXPECT_EQ(raw.Json().GetString({"details", "kind"}), "namespaces");
  EXPECT_EQ(raw.Json().GetString({"details", "name"}), "nowhere");
  // Reads in a missing namespace: a get is NotFound, a list is empty.
  CommandResult get = server_.Kubectl({"get", "configmap", "x", "-n", "nowhere"});
  EXPECT_NE(get.err.find("NotFound"), std::string::npos) << get.Describe();
  HttpResponse list = Admin().Get("/api/v1/namespaces/nowhere/configmaps");
  EXPECT_EQ(list.code, 200) << list.Describe();
  EXPECT_EQ(list.Json().Find("items") == nullptr ? 0 : list.Json().Find("items")->size(), 0u);
}

TEST_F(ConsistencyTest, DeletingANamespaceRemovesItsContentThenItself) {
  MustKubectl({"create", "-f", "-"}, R"(apiVersion: v1
kind: Namespace
metadata:
  name: doomed
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c1, namespace: doomed}
---
apiVersion: v1
kind: Secret
metadata: {name: s1, namespace: doomed}
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: doomed}
spec:
  containers: [{name: c, image: busybox}]
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: l1, namespace: doomed}
---
apiVersion: v1
kind: Service
metadata: {name: svc1, namespace: doomed}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Namespace
metadata:
  name: bystander
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c1, namespace: bystander}
)");
  ASSERT_TRUE(Eventually([&] {
    return ParseKubectlTable(server_.Kubectl({"get", "sa", "-n", "doomed"}).out).Find("default") != nullptr;
  })) << "the namespace's default service account was never created";

  CommandResult d = server_.Kubectl({"delete", "namespace", "doomed", "--wait=false"});
  ASSERT_EQ(d.exit_code, 0) << d.Describe();
  // Terminating namespaces refuse new content.
  // (It may be gone already.)
  CommandResult phase = server_.Kubectl({"get", "namespace", "doomed", "-o", "jsonpath={.status.phase}"});
  if (phase.exit_code == 0 && phase.out == "Terminating") {
    CommandResult late = server_.Kubectl(
        {"create", "-f", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  namespace: doomed\n");
    EXPECT_NE(late.exit_code, 0) << late.Describe();
  }
  std::string last;
  bool gone = Eventually(
      [&] {
        CommandResult r = server_.Kubectl({"get", "namespace", "doomed"});
        last = r.Describe();
        return r.exit_code != 0 && r.err.find("NotFound") != std::string::npos;
      },
      60);
  ASSERT_TRUE(gone) << "namespace still there after 60 s: " << last;
  for (const char* kind : {"configmaps", "secrets", "pods", "leases", "services", "serviceaccounts", "endpoints"}) {
    HttpResponse list = Admin().Get(
        StrCat(std::string(kind) == "leases" ? "/apis/coordination.k8s.io/v1" : "/api/v1", "/namespaces/doomed/", kind));
    EXPECT_EQ(list.code, 200) << kind << ": " << list.Describe();
    const json::Value* items = list.Json().Find("items");
    EXPECT_TRUE(items == nullptr || items->size() == 0) << kind << " left behind: " << list.body;
  }
  // The other namespace is untouched.
  EXPECT_EQ(Get({"get", "configmap", "c1", "-n", "bystander"}).GetString({"metadata", "name"}), "c1");
  // And a namespace of the same name can be made again.
  EXPECT_EQ(MustKubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: doomed\n"),
            "namespace/doomed created\n");
}

TEST_F(ConsistencyTest, SystemNamespacesCannotBeDeleted) {
  for (const char* ns : {"default", "kube-system", "kube-public"}) {
    CommandResult r = server_.Kubectl({"delete", "namespace", ns, "--wait=false"});
    EXPECT_NE(r.exit_code, 0) << ns << ": " << r.Describe();
    EXPECT_NE(r.err.find("Forbidden"), std::string::npos) << r.Describe();
  }
  EXPECT_EQ(ParseKubectlTable(MustKubectl({"get", "ns"})).rows.size(), 4u);
}

}  // namespace
}  // namespace cubelet::testing
