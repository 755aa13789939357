// Hostile static manifests (issue 12): the file and http sources share ParseStaticPodManifest,
// which validates after the uid is defaulted, so a uid, name or port chosen to break out of
// cubelet's directories or its number parsers is refused there, naming the manifest and field.
#include "static_pods/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cubelet::static_pods {
namespace {

constexpr char kPod[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, uid: \"../../../x\"}\n"
                        "spec:\n  containers:\n  - {name: a, image: i}\n";

TEST(StaticPodManifestBoundsTest, ATraversalUidIsRefusedNamingTheFileAndField) {
  auto pod = ParseStaticPodManifest(kPod, "/etc/kubernetes/manifests/web.yaml", "node-a");
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pod.status().message(),
            "/etc/kubernetes/manifests/web.yaml: metadata.uid: Invalid value: \"../../../x\": must not contain '/'");
  auto dots = ParseStaticPodManifest(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web, uid: \"..\"}\nspec:\n  containers:\n  - {name: a, image: i}\n",
      "/m/web.yaml", "node-a");
  ASSERT_FALSE(dots.ok());
  EXPECT_EQ(dots.status().message(), "/m/web.yaml: metadata.uid: Invalid value: \"..\": must not be '.' or '..'");
}

TEST(StaticPodManifestBoundsTest, TheHttpSourceRefusesItTooNamingTheUrl) {
  const ManifestSource url{ManifestSource::Kind::kHttp, "http://m.example/pods"};
  auto pod = ParseStaticPodManifest(kPod, url, "node-a");
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.status().message(),
            "http://m.example/pods: metadata.uid: Invalid value: \"../../../x\": must not contain '/'");
  // The http source reads a body as a list: the pod is refused there too.
  auto list = ParseStaticPodManifestList(kPod, url, "node-a");
  const absl::Status refused = !list.ok() ? list.status() : list->size() == 1 ? (*list)[0].status() : absl::OkStatus();
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("http://m.example/pods: metadata.uid: Invalid value: \"../../../x\""));
}

TEST(StaticPodManifestBoundsTest, AnAllDigitProbePortAndAnOverflowingLimitAreRefused) {
  auto port = ParseStaticPodManifest("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                                     "  - {name: a, image: i, livenessProbe: {httpGet: {port: \"99999999999\"}}}\n",
                                     "/m/web.yaml", "node-a");
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().message(),
            "/m/web.yaml: spec.containers[0].livenessProbe.httpGet.port: Invalid value: \"99999999999\": must contain "
            "at least one letter (a-z)");
  auto cpu = ParseStaticPodManifest("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                                    "  - {name: a, image: i, resources: {limits: {cpu: \"9223372036854775807\"}}}\n",
                                    "/m/web.yaml", "node-a");
  ASSERT_FALSE(cpu.ok());
  EXPECT_THAT(cpu.status().message(),
              ::testing::HasSubstr("/m/web.yaml: spec.containers[0].resources.limits[cpu]: Invalid value: "
                                   "\"9223372036854775807\": must be less than or equal to 9223372036854775807m"));
}

TEST(StaticPodManifestBoundsTest, AUidWrittenAsAPlainElementIsKept) {
  auto pod = ParseStaticPodManifest(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: web, uid: 3f1e0c1a-6b7d-4c1e-9a1b-2b8c2f6d9e01}\n"
      "spec:\n  containers:\n  - {name: a, image: i}\n",
      "/m/web.yaml", "node-a");
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->metadata.uid, "3f1e0c1a-6b7d-4c1e-9a1b-2b8c2f6d9e01");
}

}  // namespace
}  // namespace cubelet::static_pods
