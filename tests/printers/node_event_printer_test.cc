// Node STATUS/ROLES and the event columns (core/v1 and events.k8s.io/v1 objects, series,
// eventTime-only events) as upstream printNode and printEvent show them.
#include <string>

#include "gtest/gtest.h"
#include "printers/printer_test_util.h"
#include "printers/printers.h"

namespace cubelet::printers::testing {
namespace {

std::string NodeRow(std::string_view object) { return Row("", "nodes", object); }

TEST(NodePrinterTest, ReadyNodeWithRolesAndWideColumns) {
  EXPECT_EQ(NodeRow(R"j({"metadata": {"name": "n1", "creationTimestamp": "2024-04-29T09:00:00Z",
        "labels": {"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/control-plane": "",
                   "kubernetes.io/hostname": "n1"}},
      "status": {"conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
        "addresses": [{"type": "Hostname", "address": "n1"}, {"type": "InternalIP", "address": "10.0.0.4"}],
        "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                     "kernelVersion": "6.1.0-18-amd64", "containerRuntimeVersion": "containerd://1.6.20"}}})j"),
            R"j(["n1","Ready","control-plane,worker","2d3h","v1.32.0","10.0.0.4","<none>",)j"
            R"j("Debian GNU/Linux 12 (bookworm)","6.1.0-18-amd64","containerd://1.6.20"])j");
}

TEST(NodePrinterTest, StatusFromTheReadyCondition) {
  auto status = [](std::string_view conditions, std::string_view spec = "{}") {
    json::Value row = Parse(NodeRow(std::string(R"({"metadata": {"name": "n"}, "spec": )") + std::string(spec) +
                                    R"(, "status": {"conditions": )" + std::string(conditions) + "}}"));
    return row.AsArray()[1].AsString();
  };
  EXPECT_EQ(status(R"([{"type": "Ready", "status": "True"}])"), "Ready");
  EXPECT_EQ(status(R"([{"type": "Ready", "status": "False"}])"), "NotReady");
  EXPECT_EQ(status(R"([{"type": "Ready", "status": "Unknown"}])"), "NotReady");
  EXPECT_EQ(status("[]"), "Unknown");
  EXPECT_EQ(status(R"([{"type": "Ready", "status": "True"}])", R"({"unschedulable": true})"),
            "Ready,SchedulingDisabled");
  EXPECT_EQ(status("[]", R"({"unschedulable": true})"), "Unknown,SchedulingDisabled");
  // The last Ready condition listed wins, as upstream's condition map keeps it.
  EXPECT_EQ(status(R"([{"type": "Ready", "status": "True"}, {"type": "Ready", "status": "False"}])"), "NotReady");
}

TEST(NodePrinterTest, RolesFromBothLabelStyles) {
  auto roles = [](std::string_view labels) {
    json::Value row = Parse(NodeRow(std::string(R"({"metadata": {"name": "n", "labels": )") + std::string(labels) +
                                    "}}"));
    return row.AsArray()[2].AsString();
  };
  EXPECT_EQ(roles("{}"), "<none>");
  EXPECT_EQ(roles(R"({"kubernetes.io/role": "master"})"), "master");
  EXPECT_EQ(roles(R"({"kubernetes.io/role": ""})"), "<none>");
  EXPECT_EQ(roles(R"({"node-role.kubernetes.io/": "x"})"), "<none>");
  EXPECT_EQ(roles(R"({"node-role.kubernetes.io/master": "", "kubernetes.io/role": "master"})"), "master");
  EXPECT_EQ(roles(R"({"node-role.kubernetes.io/b": "", "node-role.kubernetes.io/a": "ignored-value"})"), "a,b");
}

TEST(NodePrinterTest, MissingSystemInfoIsUnknown) {
  EXPECT_EQ(NodeRow(R"({"metadata": {"name": "n"}})"),
            R"(["n","Unknown","<none>","<unknown>","","<none>","<none>","<unknown>","<unknown>","<unknown>"])");
}

TEST(EventPrinterTest, ColumnsMatchUpstream) {
  std::vector<std::string> names;
  for (const Column& c : PrinterFor("", "events").Columns()) names.push_back(c.name + "/" + std::to_string(c.priority));
  EXPECT_EQ(names, (std::vector<std::string>{"Last Seen/0", "Type/0", "Reason/0", "Object/0", "Subobject/1", "Source/1",
                                             "Message/0", "First Seen/1", "Count/1", "Name/1"}));
  EXPECT_EQ(PrinterFor("", "events").Columns()[9].format, "name");
  EXPECT_EQ(&PrinterFor("events.k8s.io", "events"), &PrinterFor("", "events"));
}

TEST(EventPrinterTest, CoreEventRow) {
  EXPECT_EQ(Row("", "events", R"({"metadata": {"name": "web.17c"},
      "involvedObject": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{app}"},
      "reason": "Pulled", "message": "  Container image \"nginx\" already present on machine\n", "type": "Normal",
      "source": {"component": "kubelet", "host": "n1"},
      "firstTimestamp": "2024-05-01T11:00:00Z", "lastTimestamp": "2024-05-01T11:58:00Z", "count": 4})"),
            R"(["2m","Normal","Pulled","pod/web","spec.containers{app}","kubelet, n1",)"
            R"("Container image \"nginx\" already present on machine","60m",4,"web.17c"])");
}

TEST(EventPrinterTest, TimesFromEventTimeAndSeries) {
  // Only eventTime (as the new API writes): first and last seen both come from it; count 1.
  EXPECT_EQ(Row("", "events", R"({"metadata": {"name": "e"}, "involvedObject": {"kind": "Node", "name": "n1"},
      "eventTime": "2024-05-01T11:59:29.500000Z", "reportingComponent": "kubelet", "reportingInstance": "n1"})"),
            R"(["30s","","","node/n1","","kubelet, n1","","30s",1,"e"])");
  // A series: LAST SEEN and COUNT from it.
  EXPECT_EQ(Row("", "events", R"({"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod"},
      "eventTime": "2024-05-01T11:00:00.000000Z", "count": 9,
      "series": {"count": 7, "lastObservedTime": "2024-05-01T11:59:00.000000Z"}})"),
            R"(["60s","","","pod","","","","60m",7,"e"])");
  // Nothing at all.
  EXPECT_EQ(Row("", "events", R"({"metadata": {"name": "e"}})"),
            R"(["<unknown>","","","","","","","<unknown>",1,"e"])");
}

TEST(EventPrinterTest, EventsV1ObjectsReadThroughConvertedFields) {
  EXPECT_EQ(Row("events.k8s.io", "events", R"({"apiVersion": "events.k8s.io/v1", "kind": "Event",
      "metadata": {"name": "web.1"}, "regarding": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{app}"},
      "reason": "BackOff", "note": "Back-off restarting failed container", "type": "Warning", "action": "Restart",
      "reportingController": "kubelet", "reportingInstance": "n1",
      "eventTime": "2024-05-01T11:50:00.000000Z",
      "series": {"count": 12, "lastObservedTime": "2024-05-01T11:59:50.000000Z"}})"),
            R"(["10s","Warning","BackOff","pod/web","spec.containers{app}","kubelet, n1",)"
            R"("Back-off restarting failed container","10m",12,"web.1"])");
  EXPECT_EQ(Row("events.k8s.io", "events", R"({"metadata": {"name": "e"}, "regarding": {"kind": "Node", "name": "n"},
      "note": "x", "deprecatedSource": {"component": "kubelet"}, "deprecatedCount": 3,
      "deprecatedFirstTimestamp": "2024-05-01T11:00:00Z", "deprecatedLastTimestamp": "2024-05-01T11:30:00Z"})"),
            R"(["30m","","","node/n","","kubelet","x","60m",3,"e"])");
}

}  // namespace
}  // namespace cubelet::printers::testing
