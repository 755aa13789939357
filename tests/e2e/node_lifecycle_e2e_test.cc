// Node lifecycle in a running cubelet-server, with kubectl: a fake node that reported Ready
// and renewed its Lease once, then went silent, becomes Ready=Unknown with the unreachable
// taints after the 40 s grace period; its pod tolerating that for 5 s (tolerationSeconds) is
// then deleted gracefully, while a pod tolerating it for ever stays. Takes about a minute.
#include <string>

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"

namespace cubelet::testing {
namespace {

std::string Now() { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone()); }
std::string NowMicro() { return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()); }

std::string Pod(const std::string& name, const std::string& toleration_seconds) {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", name,
                "\nspec:\n  nodeName: silent\n  tolerations:\n"
                "  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute",
                toleration_seconds.empty() ? "" : StrCat(", tolerationSeconds: ", toleration_seconds),
                "}\n  containers:\n  - name: c\n    image: busybox\n");
}

class NodeLifecycleE2eTest : public SharedServerTest<> {};

TEST_F(NodeLifecycleE2eTest, ASilentNodeIsTaintedAndItsPodsEvictedAfterTheirTolerations) {
  MustKubectl({"create", "-f", "-"},
              StrCat("apiVersion: v1\nkind: Node\nmetadata:\n  name: silent\nstatus:\n  conditions:\n"
                     "  - {type: Ready, status: \"True\", reason: KubeletReady, lastHeartbeatTime: \"",
                     Now(), "\", lastTransitionTime: \"", Now(), "\"}\n"));
  MustKubectl({"create", "-f", "-"},
              StrCat("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: silent\n"
                     "  namespace: kube-node-lease\nspec:\n  holderIdentity: silent\n  leaseDurationSeconds: 40\n"
                     "  renewTime: \"",
                     NowMicro(), "\"\n"));
  MustKubectl({"create", "-f", "-"}, Pod("five-seconds", "5"));
  MustKubectl({"create", "-f", "-"}, Pod("forever", ""));
  const absl::Time silent_since = absl::Now();

  // Ready for the whole grace period...
  absl::SleepFor(absl::Seconds(30));
  EXPECT_EQ(Kubectl({"get", "node", "silent", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"}).out,
            "True");
  // ...then Unknown, with both unreachable taints.
  ASSERT_TRUE(Eventually(
      [&] {
        return Kubectl({"get", "node", "silent", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"})
                   .out == "Unknown";
      },
      60));
  EXPECT_GE(absl::Now() - silent_since, absl::Seconds(40));
  const std::string taints = Kubectl({"get", "node", "silent", "-o", "jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}"}).out;
  EXPECT_NE(taints.find("node.kubernetes.io/unreachable:NoSchedule"), std::string::npos) << taints;
  EXPECT_NE(taints.find("node.kubernetes.io/unreachable:NoExecute"), std::string::npos) << taints;

  // The pod tolerating it for 5 s is deleted gracefully (no kubelet confirms, so it stays
  // Terminating); the one tolerating it for ever is not.
  EXPECT_TRUE(Eventually(
      [&] { return !Kubectl({"get", "pod", "five-seconds", "-o", "jsonpath={.metadata.deletionTimestamp}"}).out.empty(); },
      30));
  EXPECT_TRUE(Kubectl({"get", "pod", "forever", "-o", "jsonpath={.metadata.deletionTimestamp}"}).out.empty());
  EXPECT_NE(MustKubectl({"get", "events", "--field-selector", "involvedObject.name=five-seconds"})
                .find("TaintManagerEviction"),
            std::string::npos);
}

}  // namespace
}  // namespace cubelet::testing
