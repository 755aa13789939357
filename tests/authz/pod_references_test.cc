#include "authz/pod_references.h"

#include <string>
#include <vector>

#include "authz/authz_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cubelet::authz {
namespace {

using ::testing::UnorderedElementsAre;

std::vector<std::string> Collect(void (*visit)(const json::Value&, const NameVisitor&), const json::Value& pod) {
  std::vector<std::string> out;
  visit(pod, [&](std::string_view n) {
    out.emplace_back(n);
    return true;
  });
  return out;
}

TEST(PodReferencesTest, SecretsFromEverySource) {
  auto pod = testing::Json(R"({"metadata":{"name":"p"},"spec":{
    "imagePullSecrets":[{"name":"pull"}],
    "volumes":[{"secret":{"secretName":"vol"}},{"cephfs":{"secretRef":{"name":"ceph"}}},
               {"cinder":{"secretRef":{"name":"cinder"}}},{"flexVolume":{"secretRef":{"name":"flex"}}},
               {"iscsi":{"secretRef":{"name":"iscsi"}}},{"scaleIO":{"secretRef":{"name":"scaleio"}}},
               {"storageos":{"secretRef":{"name":"storageos"}}}],
    "containers":[{"envFrom":[{"secretRef":{"name":"from"}}]}],
    "initContainers":[{"env":[{"valueFrom":{"secretKeyRef":{"name":"init"}}}]}]}})");
  EXPECT_THAT(Collect(VisitPodSecretNames, *pod), UnorderedElementsAre("pull", "vol", "ceph", "cinder", "flex", "iscsi",
                                                                       "scaleio", "storageos", "from", "init"));
}

TEST(PodReferencesTest, ConfigMapsAndClaims) {
  auto pod = testing::Json(R"({"metadata":{"name":"p"},"spec":{
    "volumes":[{"name":"a","configMap":{"name":"cm"}},{"name":"b","persistentVolumeClaim":{"claimName":"pvc"}},
               {"name":"eph","ephemeral":{}}],
    "ephemeralContainers":[{"envFrom":[{"configMapRef":{"name":"debug"}}]}]}})");
  EXPECT_THAT(Collect(VisitPodConfigMapNames, *pod), UnorderedElementsAre("cm", "debug"));
  EXPECT_THAT(Collect(VisitPodClaimNames, *pod), UnorderedElementsAre("pvc", "p-eph"));
}

TEST(PodReferencesTest, VisitStopsWhenAsked) {
  auto pod = testing::Json(R"({"spec":{"imagePullSecrets":[{"name":"a"},{"name":"b"},{"name":"c"}]}})");
  int seen = 0;
  VisitPodSecretNames(*pod, [&](std::string_view) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
}

TEST(PodReferencesTest, MalformedPodsReferenceNothing) {
  auto pod =
      testing::Json(R"({"spec":{"volumes":"oops","containers":[1,{"env":"x"}],"imagePullSecrets":[{"name":3}]}})");
  EXPECT_TRUE(Collect(VisitPodSecretNames, *pod).empty());
  EXPECT_FALSE(IsMirrorPod(*pod));
  EXPECT_TRUE(IsMirrorPod(*testing::Json(R"({"metadata":{"annotations":{"kubernetes.io/config.mirror":"h"}}})")));
}

}  // namespace
}  // namespace cubelet::authz
