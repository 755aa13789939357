// Every kubectl bundled on this machine (1.27 .. 1.33, called directly rather than through the
// dispatcher) against one cubelet-server: get, create -f, client-side apply (twice) and
// server-side apply (twice). Older clients use other discovery content types (1.27 asks for
// aggregated discovery v2beta1 only) and other OpenAPI paths.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"

namespace cubelet::testing {
namespace {

class KubectlCompatTest : public PerMinorServerTest {};

TEST_P(KubectlCompatTest, ClientVersionIsTheBundledMinor) {
  CommandResult r = Kubectl({"version", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json::Value v = ParseJsonOrFail(r.out);
  EXPECT_EQ(v.GetString({"clientVersion", "gitVersion"}).rfind(StrCat("v", GetParam(), "."), 0), 0u) << r.out;
  EXPECT_EQ(v.GetString({"serverVersion", "minor"}), "32");
}

TEST_P(KubectlCompatTest, GetCreateApplyServerSideApply) {
  const std::string pod = StrCat("compat-", Tag());
  const std::string manifest = StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", pod,
                                      "\n  labels:\n    app: compat\nspec:\n  containers:\n  - name: c\n"
                                      "    image: busybox\n");
  CommandResult created = Kubectl({"create", "-f", "-"}, manifest);
  ASSERT_EQ(created.exit_code, 0) << created.Describe();
  EXPECT_EQ(created.out, StrCat("pod/", pod, " created\n"));

  CommandResult got = Kubectl({"get", "pods"});
  ASSERT_EQ(got.exit_code, 0) << got.Describe();
  KubectlTable t = ParseKubectlTable(got.out);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"NAME", "READY", "STATUS", "RESTARTS", "AGE"})) << got.out;
  ASSERT_NE(t.Find(pod), nullptr) << got.out;
  EXPECT_EQ(t.Find(pod)->at("STATUS"), "Pending");

  const std::string cm = StrCat("compat-apply-", Tag());
  const std::string cm_manifest = StrCat("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ", cm, "\ndata:\n  k: v\n");
  CommandResult applied = Kubectl({"apply", "-f", "-"}, cm_manifest);
  ASSERT_EQ(applied.exit_code, 0) << applied.Describe();
  EXPECT_EQ(applied.out, StrCat("configmap/", cm, " created\n"));
  CommandResult again = Kubectl({"apply", "-f", "-"}, cm_manifest);
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(again.out, StrCat("configmap/", cm, " unchanged\n"));
  CommandResult changed = Kubectl({"apply", "-f", "-"}, cm_manifest + "  k2: v2\n");
  ASSERT_EQ(changed.exit_code, 0) << changed.Describe();
  EXPECT_EQ(changed.out, StrCat("configmap/", cm, " configured\n"));

  const std::string ssa = StrCat("compat-ssa-", Tag());
  const std::string ssa_manifest = StrCat("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ", ssa, "\ndata:\n  k: v\n");
  for (int i = 0; i < 2; ++i) {
    CommandResult s = Kubectl({"apply", "--server-side", "-f", "-"}, ssa_manifest);
    ASSERT_EQ(s.exit_code, 0) << "apply #" << i << ": " << s.Describe();
    EXPECT_EQ(s.out, StrCat("configmap/", ssa, " serverside-applied\n"));
  }

  CommandResult deleted = Kubectl({"delete", "pod", pod, "--timeout=60s"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.Describe();
}

INSTANTIATE_TEST_SUITE_P(BundledMinors, KubectlCompatTest, ::testing::ValuesIn(BundledKubectlMinors()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return StrCat("Kubectl", MinorTag(info.param));
                         });

}  // namespace
}  // namespace cubelet::testing
