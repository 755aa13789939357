// The remaining kinds' rows (services, endpoints, config maps, secrets, service accounts,
// namespaces, leases, priority classes, CSI nodes and drivers, runtime classes), the NAME/AGE
// default, and that every printer yields one cell per column whatever the object holds.
#include <string>

#include "gtest/gtest.h"
#include "printers/printer_test_util.h"
#include "printers/printers.h"

namespace cubelet::printers::testing {
namespace {

std::string ColumnNames(std::string_view group, std::string_view resource) {
  std::string out;
  for (const Column& c : PrinterFor(group, resource).Columns()) {
    if (!out.empty()) out += ",";
    out += c.name;
    if (c.priority > 0) out += "*";
  }
  return out;
}

TEST(ServicePrinterTest, PortsTypesAndSelector) {
  EXPECT_EQ(ColumnNames("", "services"), "Name,Type,Cluster-IP,External-IP,Port(s),Age,Selector*");
  EXPECT_EQ(Row("", "services", R"({"metadata": {"name": "web", "creationTimestamp": "2024-05-01T11:00:00Z"},
      "spec": {"type": "NodePort", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
               "ports": [{"port": 80, "protocol": "TCP"}, {"port": 443, "nodePort": 30443, "protocol": "TCP"},
                         {"port": 53, "protocol": "UDP"}],
               "selector": {"tier": "fe", "app": "web"}}})"),
            R"(["web","NodePort","10.96.0.10","<none>","80/TCP,443:30443/TCP,53/UDP","60m","app=web,tier=fe"])");
  EXPECT_EQ(Row("", "services", R"({"metadata": {"name": "h"}, "spec": {"clusterIP": "None"}})"),
            R"(["h","ClusterIP","None","<none>","<none>","<unknown>","<none>"])");
  EXPECT_EQ(Row("", "services", R"({"metadata": {"name": "k"},
      "spec": {"type": "ClusterIP", "clusterIPs": ["10.96.0.1", "fd00::1"], "externalIPs": ["1.2.3.4", "5.6.7.8"],
               "ports": [{"port": 443}]}})"),
            R"(["k","ClusterIP","10.96.0.1","1.2.3.4,5.6.7.8","443/TCP","<unknown>","<none>"])");
}

TEST(ServicePrinterTest, ExternalIPsByType) {
  auto external = [](std::string_view spec, std::string_view status = "{}") {
    json::Value row = Parse(Row("", "services", std::string(R"({"metadata": {"name": "s"}, "spec": )") +
                                                    std::string(spec) + R"(, "status": )" + std::string(status) + "}"));
    return row.AsArray()[3].AsString();
  };
  EXPECT_EQ(external(R"({"type": "LoadBalancer"})"), "<pending>");
  EXPECT_EQ(external(R"({"type": "LoadBalancer"})",
                     R"({"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}, {"hostname": "lb.example.com"},
                                                      {"ip": "1.1.1.1"}]}})"),
            "1.1.1.1,9.9.9.9,lb.example.com");
  EXPECT_EQ(external(R"({"type": "LoadBalancer", "externalIPs": ["5.5.5.5"]})",
                     R"({"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}]}})"),
            "9.9.9.9,5.5.5.5");
  EXPECT_EQ(external(R"({"type": "ExternalName", "externalName": "db.example.com"})"), "db.example.com");
  EXPECT_EQ(external(R"({"type": "Weird"})"), "<unknown>");
}

TEST(EndpointsPrinterTest, FirstThreeThenMore) {
  EXPECT_EQ(ColumnNames("", "endpoints"), "Name,Endpoints,Age");
  EXPECT_EQ(Row("", "endpoints", R"({"metadata": {"name": "web"}, "subsets": [
      {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}, {"ip": "10.0.0.3"}, {"ip": "10.0.0.4"}],
       "ports": [{"port": 80}]},
      {"addresses": [{"ip": "10.0.1.1"}], "ports": [{"port": 8080}]}]})"),
            R"(["web","10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...","<unknown>"])");
  EXPECT_EQ(Row("", "endpoints", R"({"metadata": {"name": "e"}})"), R"(["e","<none>","<unknown>"])");
  EXPECT_EQ(Row("", "endpoints", R"({"metadata": {"name": "v6"}, "subsets": [
      {"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}, {"port": 443}]},
      {"addresses": [{"ip": "10.0.0.9"}]}]})"),
            R"(["v6","[fd00::1]:80,[fd00::1]:443,10.0.0.9","<unknown>"])");
}

TEST(CorePrintersTest, NamespacesConfigMapsSecretsServiceAccounts) {
  EXPECT_EQ(Row("", "namespaces", R"({"metadata": {"name": "default", "creationTimestamp": "2024-05-01T11:59:15Z"},
      "status": {"phase": "Active"}})"),
            R"(["default","Active","45s"])");
  EXPECT_EQ(Row("", "configmaps", R"({"metadata": {"name": "cfg"}, "data": {"a": "1", "b": "2"},
      "binaryData": {"c": "AA=="}})"),
            R"(["cfg",3,"<unknown>"])");
  EXPECT_EQ(Row("", "configmaps", R"({"metadata": {"name": "empty"}})"), R"(["empty",0,"<unknown>"])");
  EXPECT_EQ(Row("", "secrets", R"({"metadata": {"name": "tls"}, "type": "kubernetes.io/tls",
      "data": {"tls.crt": "", "tls.key": ""}, "stringData": {"tls.key": "x", "ca.crt": "y"}})"),
            R"(["tls","kubernetes.io/tls",3,"<unknown>"])");
  EXPECT_EQ(Row("", "secrets", R"({"metadata": {"name": "s"}})"), R"(["s","Opaque",0,"<unknown>"])");
  EXPECT_EQ(Row("", "serviceaccounts", R"({"metadata": {"name": "default"}, "secrets": [{"name": "t"}]})"),
            R"(["default",1,"<unknown>"])");
  EXPECT_EQ(ColumnNames("", "secrets"), "Name,Type,Data,Age");
  EXPECT_EQ(ColumnNames("", "serviceaccounts"), "Name,Secrets,Age");
  EXPECT_EQ(ColumnNames("", "namespaces"), "Name,Status,Age");
  EXPECT_EQ(ColumnNames("", "configmaps"), "Name,Data,Age");
}

TEST(ClusterPrintersTest, LeasesPriorityClassesCsiAndRuntimeClasses) {
  EXPECT_EQ(Row("coordination.k8s.io", "leases", R"({"metadata": {"name": "n1"}, "spec": {"holderIdentity": "n1"}})"),
            R"(["n1","n1","<unknown>"])");
  EXPECT_EQ(Row("coordination.k8s.io", "leases", R"({"metadata": {"name": "free"}, "spec": {}})"),
            R"(["free","","<unknown>"])");
  EXPECT_EQ(ColumnNames("scheduling.k8s.io", "priorityclasses"), "Name,Value,Global-Default,Age,PreemptionPolicy");
  EXPECT_EQ(Row("scheduling.k8s.io", "priorityclasses", R"({"metadata": {"name": "system-node-critical"},
      "value": 2000001000, "preemptionPolicy": "PreemptLowerPriority"})"),
            R"(["system-node-critical",2000001000,false,"<unknown>","PreemptLowerPriority"])");
  EXPECT_EQ(Row("storage.k8s.io", "csinodes", R"({"metadata": {"name": "n1"}, "spec": {"drivers": [{"name": "a"}]}})"),
            R"(["n1",1,"<unknown>"])");
  EXPECT_EQ(ColumnNames("storage.k8s.io", "csidrivers"),
            "Name,AttachRequired,PodInfoOnMount,StorageCapacity,TokenRequests,RequiresRepublish,Modes,Age");
  EXPECT_EQ(Row("storage.k8s.io", "csidrivers", R"({"metadata": {"name": "d"}, "spec": {}})"),
            R"(["d",true,false,false,"<unset>",false,"<none>","<unknown>"])");
  EXPECT_EQ(Row("storage.k8s.io", "csidrivers", R"({"metadata": {"name": "d"}, "spec": {"attachRequired": false,
      "podInfoOnMount": true, "tokenRequests": [{"audience": "a"}, {"audience": "b"}],
      "volumeLifecycleModes": ["Persistent", "Ephemeral"]}})"),
            R"(["d",false,true,false,"a,b",false,"Persistent,Ephemeral","<unknown>"])");
  EXPECT_EQ(Row("node.k8s.io", "runtimeclasses", R"({"metadata": {"name": "gvisor"}, "handler": "runsc"})"),
            R"(["gvisor","runsc","<unknown>"])");
}

TEST(DefaultPrinterTest, NameAndAgeForKindsWithoutTheirOwn) {
  const TablePrinter& printer = PrinterFor("apps", "deployments");
  ASSERT_EQ(printer.Columns().size(), 2u);
  EXPECT_EQ(printer.Columns()[0].name, "Name");
  EXPECT_EQ(printer.Columns()[0].format, "name");
  EXPECT_EQ(printer.Columns()[1].name, "Age");
  EXPECT_FALSE(printer.Columns()[1].description.empty());
  EXPECT_EQ(Row("apps", "deployments", R"({"metadata": {"name": "d", "creationTimestamp": "2024-04-30T12:00:00Z"}})"),
            R"(["d","24h"])");
  // The group matters: a "pods" resource of another group is not a core pod.
  EXPECT_EQ(&PrinterFor("metrics.k8s.io", "pods"), &printer);
  EXPECT_NE(&PrinterFor("", "pods"), &printer);
}

TEST(PrinterForTest, EveryPrinterGivesOneCellPerColumnForAnyObject) {
  const std::pair<std::string_view, std::string_view> kResources[] = {
      {"", "pods"},          {"", "nodes"},           {"", "events"},
      {"events.k8s.io", "events"}, {"", "namespaces"}, {"", "services"},
      {"", "endpoints"},     {"", "configmaps"},      {"", "secrets"},
      {"", "serviceaccounts"}, {"coordination.k8s.io", "leases"}, {"scheduling.k8s.io", "priorityclasses"},
      {"storage.k8s.io", "csinodes"}, {"storage.k8s.io", "csidrivers"}, {"node.k8s.io", "runtimeclasses"},
      {"example.com", "widgets"},
  };
  // Wrong types everywhere must not crash or shorten the row.
  const json::Value kOdd = Parse(R"({"metadata": {"name": 5, "creationTimestamp": "yesterday", "labels": []},
      "spec": [], "status": {"conditions": "no", "containerStatuses": [1, "x", null]}, "subsets": {}, "data": 3})");
  for (const auto& [group, resource] : kResources) {
    const TablePrinter& printer = PrinterFor(group, resource);
    EXPECT_EQ(printer.Columns()[0].name == "Name" || printer.Columns()[0].name == "Last Seen", true) << resource;
    for (const json::Value& object : {json::Value::EmptyObject(), json::Value(), kOdd}) {
      EXPECT_EQ(printer.Cells(object, kNow).size(), printer.Columns().size()) << group << "/" << resource;
    }
  }
}

}  // namespace
}  // namespace cubelet::printers::testing
