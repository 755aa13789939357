// kubectl (through the machine's dispatcher) against a fresh cubelet-server: version,
// discovery, the objects the server creates at start, health endpoints and explain. The
// checks only read, so they share one server.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/write.h"

namespace cubelet::testing {
namespace {

class KubectlDiscoveryTest : public SharedServerTest<> {};

TEST_F(KubectlDiscoveryTest, VersionReportsServer132) {
  CommandResult r = server_->Kubectl({"version"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("Server Version: v1.32."), std::string::npos) << r.out;

  json::Value v = KubectlJson(*server_, {"version"});
  EXPECT_EQ(v.GetString({"serverVersion", "major"}), "1");
  EXPECT_EQ(v.GetString({"serverVersion", "minor"}), "32");
  EXPECT_EQ(v.GetString({"serverVersion", "gitVersion"}).rfind("v1.32.", 0), 0u) << r.out;
  EXPECT_FALSE(v.GetString({"serverVersion", "platform"}).empty());
}

TEST_F(KubectlDiscoveryTest, GetRawVersionAndHealth) {
  for (const char* path : {"/version", "/version/"}) {
    CommandResult r = server_->Kubectl({"get", "--raw", path});
    ASSERT_EQ(r.exit_code, 0) << path << ": " << r.Describe();
    json::Value v = ParseJsonOrFail(r.out);
    EXPECT_EQ(v.GetString({"minor"}), "32") << path;
    EXPECT_EQ(v.GetString({"gitVersion"}).rfind("v1.32.", 0), 0u) << path << ": " << r.out;
  }
  for (const char* path : {"/healthz", "/livez", "/readyz"}) {
    CommandResult r = server_->Kubectl({"get", "--raw", path});
    EXPECT_EQ(r.exit_code, 0) << path << ": " << r.Describe();
    EXPECT_EQ(r.out, "ok") << path;
  }
  // The OpenAPI v3 index lists every served group version.
  CommandResult v3 = server_->Kubectl({"get", "--raw", "/openapi/v3"});
  ASSERT_EQ(v3.exit_code, 0) << v3.Describe();
  json::Value index = ParseJsonOrFail(v3.out);
  for (const char* gv : {"api/v1", "apis/coordination.k8s.io/v1", "apis/events.k8s.io/v1", "apis/scheduling.k8s.io/v1",
                         "apis/storage.k8s.io/v1", "apis/node.k8s.io/v1"}) {
    EXPECT_NE(index.FindPath({"paths", gv}), nullptr) << gv << " missing from /openapi/v3";
  }
}

struct ExpectedResource {
  std::string name, short_names, api_version, namespaced, kind;
};

TEST_F(KubectlDiscoveryTest, ApiResourcesListsEveryServedKind) {
  CommandResult r = server_->Kubectl({"api-resources"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  KubectlTable table = ParseKubectlTable(r.out);
  ASSERT_EQ(table.columns, (std::vector<std::string>{"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"}))
      << r.out;
  const std::vector<ExpectedResource> expected = {
      {"pods", "po", "v1", "true", "Pod"},
      {"nodes", "no", "v1", "false", "Node"},
      {"configmaps", "cm", "v1", "true", "ConfigMap"},
      {"secrets", "", "v1", "true", "Secret"},
      {"serviceaccounts", "sa", "v1", "true", "ServiceAccount"},
      {"services", "svc", "v1", "true", "Service"},
      {"endpoints", "ep", "v1", "true", "Endpoints"},
      {"namespaces", "ns", "v1", "false", "Namespace"},
      {"events", "ev", "v1", "true", "Event"},
      {"events", "ev", "events.k8s.io/v1", "true", "Event"},
      {"leases", "", "coordination.k8s.io/v1", "true", "Lease"},
      {"priorityclasses", "pc", "scheduling.k8s.io/v1", "false", "PriorityClass"},
      {"csinodes", "", "storage.k8s.io/v1", "false", "CSINode"},
      {"csidrivers", "", "storage.k8s.io/v1", "false", "CSIDriver"},
      {"runtimeclasses", "", "node.k8s.io/v1", "false", "RuntimeClass"},
  };
  for (const ExpectedResource& e : expected) {
    const std::map<std::string, std::string>* found = nullptr;
    for (const auto& row : table.rows) {
      if (row.at("NAME") == e.name && row.at("APIVERSION") == e.api_version) found = &row;
    }
    ASSERT_NE(found, nullptr) << e.name << " " << e.api_version << " missing from:\n" << r.out;
    EXPECT_EQ(found->at("SHORTNAMES"), e.short_names) << e.name;
    EXPECT_EQ(found->at("NAMESPACED"), e.namespaced) << e.name;
    EXPECT_EQ(found->at("KIND"), e.kind) << e.name;
  }

  // Short names resolve (discovery carries them to kubectl's RESTMapper).
  for (const char* short_name : {"po", "no", "cm", "sa", "svc", "ep", "ns", "pc"}) {
    CommandResult g = server_->Kubectl({"get", short_name, "-A"});
    EXPECT_EQ(g.exit_code, 0) << short_name << ": " << g.Describe();
  }
  // Verbs: pods support every verb kubectl knows about.
  CommandResult wide = server_->Kubectl({"api-resources", "-o", "wide", "--api-group="});
  ASSERT_EQ(wide.exit_code, 0) << wide.Describe();
  KubectlTable wt = ParseKubectlTable(wide.out);
  const auto* pods = wt.Find("pods");
  ASSERT_NE(pods, nullptr) << wide.out;
  EXPECT_EQ(pods->at("VERBS"), "create,delete,deletecollection,get,list,patch,update,watch");
  EXPECT_EQ(pods->at("CATEGORIES"), "all");
}

TEST_F(KubectlDiscoveryTest, StartupNamespacesAreActive) {
  CommandResult r = server_->Kubectl({"get", "ns"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  KubectlTable t = ParseKubectlTable(r.out);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"NAME", "STATUS", "AGE"})) << r.out;
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    const auto* row = t.Find(ns);
    ASSERT_NE(row, nullptr) << ns << " missing:\n" << r.out;
    EXPECT_EQ(row->at("STATUS"), "Active") << ns;
  }
  EXPECT_EQ(t.rows.size(), 4u) << r.out;
}

TEST_F(KubectlDiscoveryTest, DefaultServiceAccountsAreCreated) {
  // The service-account controller creates them right after start.
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    std::string last;
    bool found = Eventually([&] {
      CommandResult r = server_->Kubectl({"get", "sa", "-n", ns});
      last = r.Describe();
      return r.exit_code == 0 && ParseKubectlTable(r.out).Find("default") != nullptr;
    });
    EXPECT_TRUE(found) << ns << ": " << last;
  }
}

TEST_F(KubectlDiscoveryTest, KubernetesServiceAndEndpoints) {
  CommandResult r = server_->Kubectl({"get", "svc", "kubernetes"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  KubectlTable t = ParseKubectlTable(r.out);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"}))
      << r.out;
  const auto* row = t.Find("kubernetes");
  ASSERT_NE(row, nullptr) << r.out;
  EXPECT_EQ(row->at("TYPE"), "ClusterIP");
  EXPECT_EQ(row->at("CLUSTER-IP"), "10.0.0.1");
  EXPECT_EQ(row->at("PORT(S)"), "443/TCP");

  json::Value ep = KubectlJson(*server_, {"get", "endpoints", "kubernetes"});
  const json::Value* subsets = ep.Find("subsets");
  ASSERT_TRUE(subsets != nullptr && subsets->is_array() && subsets->size() == 1) << json::Write(ep);
  const json::Value& subset = subsets->AsArray()[0];
  ASSERT_TRUE(subset.Find("ports") != nullptr && subset.Find("ports")->size() == 1);
  EXPECT_EQ(subset.Find("ports")->AsArray()[0].Find("port")->AsInt64(), server_->port());
  ASSERT_TRUE(subset.Find("addresses") != nullptr && subset.Find("addresses")->size() >= 1);
  EXPECT_FALSE(subset.Find("addresses")->AsArray()[0].GetString({"ip"}).empty());
}

TEST_F(KubectlDiscoveryTest, SystemPriorityClassesExist) {
  CommandResult r = server_->Kubectl({"get", "priorityclasses"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  KubectlTable t = ParseKubectlTable(r.out);
  const auto* node = t.Find("system-node-critical");
  const auto* cluster = t.Find("system-cluster-critical");
  ASSERT_NE(node, nullptr) << r.out;
  ASSERT_NE(cluster, nullptr) << r.out;
  EXPECT_EQ(node->at("VALUE"), "2000001000");
  EXPECT_EQ(cluster->at("VALUE"), "2000000000");
}

TEST_F(KubectlDiscoveryTest, ExplainUsesTheServedSchemas) {
  CommandResult c = server_->Kubectl({"explain", "pod.spec.containers"});
  ASSERT_EQ(c.exit_code, 0) << c.Describe();
  EXPECT_NE(c.out.find("KIND:       Pod"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("FIELD: containers <[]Container>"), std::string::npos) << c.out;
  for (const char* field : {"image\t<string>", "name\t<string>", "env\t<[]EnvVar>", "ports\t<[]ContainerPort>"}) {
    EXPECT_NE(c.out.find(field), std::string::npos) << field << " missing:\n" << c.out;
  }

  CommandResult l = server_->Kubectl({"explain", "lease.spec"});
  ASSERT_EQ(l.exit_code, 0) << l.Describe();
  EXPECT_NE(l.out.find("GROUP:      coordination.k8s.io"), std::string::npos) << l.out;
  for (const char* field : {"holderIdentity\t<string>", "leaseDurationSeconds\t<integer>", "renewTime"}) {
    EXPECT_NE(l.out.find(field), std::string::npos) << field << " missing:\n" << l.out;
  }

  CommandResult bad = server_->Kubectl({"explain", "pod.spec.nosuchfield"});
  EXPECT_NE(bad.exit_code, 0) << bad.Describe();
}

}  // namespace
}  // namespace cubelet::testing
