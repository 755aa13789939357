// The pod row as `kubectl get pods` shows it: STATUS for each state upstream printPod
// distinguishes, READY with sidecars, RESTARTS with "(5m ago)", wide columns and row conditions.
#include <string>

#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/write.h"
#include "printers/printer_test_util.h"
#include "printers/printers.h"

namespace cubelet::printers::testing {
namespace {

json::Value Pod(std::string_view status_json, std::string_view spec_json = R"({"containers": [{"name": "app"}]})",
                std::string_view extra_metadata = "") {
  std::string text = std::string(R"({"metadata": {"name": "web", "creationTimestamp": "2024-05-01T11:55:00Z")") +
                     std::string(extra_metadata) + "}, \"spec\": " + std::string(spec_json) +
                     ", \"status\": " + std::string(status_json) + "}";
  return Parse(text);
}

std::vector<json::Value> Cells(const json::Value& pod) {
  std::vector<json::Value> cells = PrinterFor("", "pods").Cells(pod, kNow);
  EXPECT_EQ(cells.size(), PrinterFor("", "pods").Columns().size());
  return cells;
}

std::string Cell(const json::Value& pod, size_t index) {
  std::vector<json::Value> cells = Cells(pod);
  if (index >= cells.size() || !cells[index].is_string()) return "<not a string>";
  return cells[index].AsString();
}

std::string Status(const json::Value& pod) { return Cell(pod, 2); }
std::string Ready(const json::Value& pod) { return Cell(pod, 1); }
std::string Restarts(const json::Value& pod) { return Cell(pod, 3); }

TEST(PodPrinterTest, ColumnsMatchUpstream) {
  const std::vector<Column>& columns = PrinterFor("", "pods").Columns();
  std::vector<std::string> names;
  for (const Column& c : columns) names.push_back(c.name + "/" + c.type + "/" + std::to_string(c.priority));
  EXPECT_EQ(names, (std::vector<std::string>{"Name/string/0", "Ready/string/0", "Status/string/0", "Restarts/string/0",
                                             "Age/string/0", "IP/string/1", "Node/string/1", "Nominated Node/string/1",
                                             "Readiness Gates/string/1"}));
  EXPECT_EQ(columns[0].format, "name");
  EXPECT_FALSE(columns[4].description.empty());
}

TEST(PodPrinterTest, RunningPodRow) {
  json::Value pod = Pod(R"({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
      "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
                             "state": {"running": {"startedAt": "2024-05-01T11:56:00Z"}}}]})");
  std::vector<json::Value> cells = Cells(pod);
  EXPECT_EQ(json::Write(json::Value(json::Array(cells.begin(), cells.begin() + 5))),
            R"(["web","1/1","Running","0","5m"])");
  EXPECT_TRUE(PrinterFor("", "pods").Conditions(pod).empty());
}

TEST(PodPrinterTest, PhaseAndReasonWithoutContainerStatuses) {
  EXPECT_EQ(Status(Pod(R"({"phase": "Pending"})")), "Pending");
  EXPECT_EQ(Ready(Pod(R"({"phase": "Pending"})")), "0/1");
  EXPECT_EQ(Status(Pod(R"({"phase": "Failed", "reason": "Evicted"})")), "Evicted");
  EXPECT_EQ(Status(Pod(R"({"phase": "Pending", "conditions": [
      {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]})")),
            "SchedulingGated");
  EXPECT_EQ(Status(Pod("{}")), "");
}

TEST(PodPrinterTest, WaitingAndTerminatedContainerReasons) {
  auto with_state = [](std::string_view state) {
    return Pod(std::string(R"({"phase": "Running", "containerStatuses": [{"name": "app", "state": )") +
               std::string(state) + "}]}");
  };
  EXPECT_EQ(Status(with_state(R"({"waiting": {"reason": "ContainerCreating"}})")), "ContainerCreating");
  EXPECT_EQ(Status(with_state(R"({"waiting": {"reason": "CrashLoopBackOff"}})")), "CrashLoopBackOff");
  EXPECT_EQ(Status(with_state(R"({"waiting": {"reason": "ImagePullBackOff"}})")), "ImagePullBackOff");
  EXPECT_EQ(Status(with_state(R"({"waiting": {"reason": "ErrImagePull"}})")), "ErrImagePull");
  EXPECT_EQ(Status(with_state(R"({"waiting": {}})")), "Running");  // no reason: the phase stays
  EXPECT_EQ(Status(with_state(R"({"terminated": {"reason": "OOMKilled", "exitCode": 137}})")), "OOMKilled");
  EXPECT_EQ(Status(with_state(R"({"terminated": {"reason": "Error", "exitCode": 1}})")), "Error");
  EXPECT_EQ(Status(with_state(R"({"terminated": {"exitCode": 2}})")), "ExitCode:2");
  EXPECT_EQ(Status(with_state(R"({"terminated": {"exitCode": 137, "signal": 9}})")), "Signal:9");
  // Running but not ready: counted in neither READY nor as a running container.
  json::Value not_ready = with_state(R"({"running": {}})");
  EXPECT_EQ(Status(not_ready), "Running");
  EXPECT_EQ(Ready(not_ready), "0/1");
}

TEST(PodPrinterTest, FirstContainerStateWins) {
  json::Value pod = Pod(R"({"phase": "Running", "containerStatuses": [
      {"name": "a", "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
      {"name": "b", "state": {"waiting": {"reason": "ContainerCreating"}}}]})",
                        R"({"containers": [{"name": "a"}, {"name": "b"}]})");
  EXPECT_EQ(Status(pod), "CrashLoopBackOff");
}

TEST(PodPrinterTest, CompletedPodsCarryTheCompletedRowCondition) {
  json::Value succeeded = Pod(R"({"phase": "Succeeded", "containerStatuses": [
      {"name": "app", "state": {"terminated": {"reason": "Completed", "exitCode": 0}}}]})");
  EXPECT_EQ(Status(succeeded), "Completed");
  std::vector<json::Value> conditions = PrinterFor("", "pods").Conditions(succeeded);
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(json::Write(conditions[0]),
            R"({"type":"Completed","status":"True","reason":"Succeeded","message":"The pod has completed successfully."})");

  json::Value failed = Pod(R"({"phase": "Failed", "containerStatuses": [
      {"name": "app", "state": {"terminated": {"reason": "Error", "exitCode": 1}}}]})");
  EXPECT_EQ(Status(failed), "Error");
  conditions = PrinterFor("", "pods").Conditions(failed);
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(json::Write(conditions[0]),
            R"({"type":"Completed","status":"True","reason":"Failed","message":"The pod failed."})");
}

TEST(PodPrinterTest, CompletedWithARunningContainerIsRunningOrNotReady) {
  const std::string statuses = R"("containerStatuses": [
      {"name": "a", "state": {"terminated": {"reason": "Completed", "exitCode": 0}}},
      {"name": "b", "ready": true, "state": {"running": {}}}])";
  const std::string spec = R"({"containers": [{"name": "a"}, {"name": "b"}]})";
  json::Value not_ready = Pod(R"({"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}], )" +
                                  statuses + "}",
                              spec);
  EXPECT_EQ(Status(not_ready), "NotReady");
  EXPECT_EQ(Ready(not_ready), "1/2");
  json::Value ready = Pod(R"({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}], )" + statuses +
                              "}",
                          spec);
  EXPECT_EQ(Status(ready), "Running");
}

TEST(PodPrinterTest, InitContainerProgressAndFailures) {
  const std::string spec = R"({"initContainers": [{"name": "i0"}, {"name": "i1"}], "containers": [{"name": "app"}]})";
  auto with_init = [&](std::string_view init_statuses) {
    return Pod(std::string(R"({"phase": "Pending", "initContainerStatuses": )") + std::string(init_statuses) +
                   R"(, "containerStatuses": [{"name": "app", "state": {"waiting": {"reason": "PodInitializing"}}}]})",
               spec);
  };
  EXPECT_EQ(Status(with_init(R"([{"name": "i0", "state": {"running": {}}}, {"name": "i1", "state": {"waiting": {}}}])")),
            "Init:0/2");
  EXPECT_EQ(Status(with_init(R"([{"name": "i0", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                                 {"name": "i1", "state": {"waiting": {"reason": "PodInitializing"}}}])")),
            "Init:1/2");
  EXPECT_EQ(Status(with_init(R"([{"name": "i0", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}])")),
            "Init:CrashLoopBackOff");
  EXPECT_EQ(Status(with_init(R"([{"name": "i0", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}])")),
            "Init:Error");
  EXPECT_EQ(Status(with_init(R"([{"name": "i0", "state": {"terminated": {"exitCode": 3}}}])")), "Init:ExitCode:3");
  EXPECT_EQ(Status(with_init(R"([{"name": "i0", "state": {"terminated": {"exitCode": 137, "signal": 9}}}])")),
            "Init:Signal:9");
  // All init containers done: the app container's state shows.
  EXPECT_EQ(Status(with_init(R"([{"name": "i0", "state": {"terminated": {"exitCode": 0}}},
                                 {"name": "i1", "state": {"terminated": {"exitCode": 0}}}])")),
            "PodInitializing");
}

TEST(PodPrinterTest, InitRestartsCountWhileInitializing) {
  json::Value pod = Pod(R"({"phase": "Pending", "initContainerStatuses": [{"name": "i0", "restartCount": 4,
      "state": {"waiting": {"reason": "CrashLoopBackOff"}},
      "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:59:30Z"}}}]})",
                        R"({"initContainers": [{"name": "i0"}], "containers": [{"name": "app"}]})");
  EXPECT_EQ(Status(pod), "Init:CrashLoopBackOff");
  EXPECT_EQ(Restarts(pod), "4 (30s ago)");
}

TEST(PodPrinterTest, SidecarsCountTowardReadyAndRestarts) {
  const std::string spec = R"({"initContainers": [{"name": "proxy", "restartPolicy": "Always"}, {"name": "setup"}],
                               "containers": [{"name": "app"}]})";
  json::Value pod = Pod(R"({"phase": "Running", "conditions": [{"type": "Initialized", "status": "True"},
                                                               {"type": "Ready", "status": "True"}],
      "initContainerStatuses": [
        {"name": "proxy", "started": true, "ready": true, "restartCount": 2, "state": {"running": {}},
         "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:50:00Z"}}},
        {"name": "setup", "restartCount": 5, "state": {"terminated": {"exitCode": 0}},
         "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:59:00Z"}}}],
      "containerStatuses": [{"name": "app", "ready": true, "restartCount": 1, "state": {"running": {}},
         "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:58:00Z"}}}]})",
                        spec);
  EXPECT_EQ(Ready(pod), "2/2");
  EXPECT_EQ(Status(pod), "Running");
  // Once initialized, only sidecar restarts count from the init containers (2 + 1), and the
  // finished one-shot init container's restart time no longer shows.
  EXPECT_EQ(Restarts(pod), "3 (2m ago)");

  json::Value not_started = Pod(R"({"phase": "Pending", "initContainerStatuses": [
        {"name": "proxy", "started": false, "state": {"running": {}}}]})",
                                spec);
  EXPECT_EQ(Status(not_started), "Init:0/2");
  EXPECT_EQ(Ready(not_started), "0/2");
}

TEST(PodPrinterTest, RestartsWithoutATerminationTimeHaveNoSuffix) {
  EXPECT_EQ(Restarts(Pod(R"({"phase": "Running", "containerStatuses": [{"name": "app", "restartCount": 2}]})")), "2");
  EXPECT_EQ(Restarts(Pod(R"({"phase": "Running", "containerStatuses": [{"name": "app", "restartCount": 3,
      "state": {"waiting": {"reason": "CrashLoopBackOff"}},
      "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T10:00:00Z"}}}]})")),
            "3 (120m ago)");
}

TEST(PodPrinterTest, DeletionShowsTerminatingOrUnknown) {
  const std::string running = R"({"phase": "Running", "containerStatuses": [{"name": "app", "ready": true,
      "state": {"running": {}}}]})";
  const std::string deleting = R"(, "deletionTimestamp": "2024-05-01T11:59:00Z")";
  EXPECT_EQ(Status(Pod(running, R"({"containers": [{"name": "app"}]})", deleting)), "Terminating");
  EXPECT_EQ(Status(Pod(R"({"phase": "Running", "reason": "NodeLost"})", R"({"containers": [{"name": "app"}]})",
                       deleting)),
            "Unknown");
  EXPECT_EQ(Status(Pod(R"({"phase": "Succeeded", "containerStatuses": [{"name": "app",
      "state": {"terminated": {"reason": "Completed"}}}]})",
                       R"({"containers": [{"name": "app"}]})", deleting)),
            "Completed");
}

TEST(PodPrinterTest, WideColumns) {
  json::Value pod = Pod(R"({"phase": "Running", "podIP": "10.1.0.5", "podIPs": [{"ip": "10.1.0.5"}, {"ip": "fd00::5"}],
      "nominatedNodeName": "n2", "conditions": [{"type": "example.com/gate-a", "status": "True"},
                                                {"type": "example.com/gate-b", "status": "False"}]})",
                        R"({"nodeName": "n1", "containers": [{"name": "app"}],
      "readinessGates": [{"conditionType": "example.com/gate-a"}, {"conditionType": "example.com/gate-b"}]})");
  EXPECT_EQ(Cell(pod, 5), "10.1.0.5");
  EXPECT_EQ(Cell(pod, 6), "n1");
  EXPECT_EQ(Cell(pod, 7), "n2");
  EXPECT_EQ(Cell(pod, 8), "1/2");

  json::Value bare = Pod(R"({"phase": "Pending"})");
  EXPECT_EQ(Cell(bare, 5), "<none>");
  EXPECT_EQ(Cell(bare, 6), "<none>");
  EXPECT_EQ(Cell(bare, 7), "<none>");
  EXPECT_EQ(Cell(bare, 8), "<none>");
  EXPECT_EQ(Cell(Pod(R"({"podIPs": [{"ip": "fd00::7"}]})"), 5), "fd00::7");
}

TEST(PodPrinterTest, MissingCreationTimestampIsUnknownAge) {
  absl::StatusOr<json::Value> pod = json::Parse(R"({"metadata": {"name": "x"}})");
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ(Cell(*pod, 4), "<unknown>");
  EXPECT_EQ(Cell(*pod, 1), "0/0");
}

}  // namespace
}  // namespace cubelet::printers::testing
