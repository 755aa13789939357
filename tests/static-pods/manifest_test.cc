#include "static_pods/manifest.h"

#include "testutil/golden_manifests.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cubelet::static_pods {
namespace {

using ::testing::HasSubstr;

constexpr const char* kWeb = cubelet::testing::kGoldenWebManifest;

std::string Error(const std::string& content, const std::string& path = "/m/web.yaml") {
  auto pod = ParseStaticPodManifest(content, path, "node-a");
  EXPECT_FALSE(pod.ok());
  return std::string(pod.status().message());
}

TEST(StaticPodManifestTest, IdentityLikeUpstream) {
  auto pod = ParseStaticPodManifest(kWeb, "/etc/kubernetes/manifests/web.yaml", "Node-A");
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->metadata.name, "web-node-a");
  EXPECT_EQ(pod->metadata.namespace_, "default");
  EXPECT_EQ(pod->spec.node_name, "Node-A");
  EXPECT_THAT(pod->metadata.uid, ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(pod->metadata.annotations.at("kubernetes.io/config.hash"), pod->metadata.uid);
  EXPECT_EQ(pod->metadata.annotations.at("kubernetes.io/config.source"), "file");
  EXPECT_EQ(pod->spec.restart_policy, "Always");
  EXPECT_EQ(pod->spec.containers[0].image_pull_policy, "IfNotPresent");
}

TEST(StaticPodManifestTest, UidIsStableAndDependsOnContentNodeAndPath) {
  const std::string uid = ParseStaticPodManifest(kWeb, "/m/web.yaml", "a")->metadata.uid;
  EXPECT_EQ(ParseStaticPodManifest(kWeb, "/m/web.yaml", "a")->metadata.uid, uid);
  // Formatting is not content: the same pod written as JSON has the same UID.
  const std::string json = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},)"
                           R"("spec":{"containers":[{"name":"httpd","image":"localhost/cubelet/testimage:1.0"}]}})";
  EXPECT_EQ(ParseStaticPodManifest(json, "/m/web.yaml", "a")->metadata.uid, uid);
  EXPECT_NE(ParseStaticPodManifest(kWeb, "/m/web.yaml", "b")->metadata.uid, uid);
  EXPECT_NE(ParseStaticPodManifest(kWeb, "/m/web2.yaml", "a")->metadata.uid, uid);
  std::string edited = kWeb;
  edited.replace(edited.find("1.0"), 3, "1.1");
  EXPECT_NE(ParseStaticPodManifest(edited, "/m/web.yaml", "a")->metadata.uid, uid);
}

// Golden values: a static pod's UID names its running sandbox and containers, so a new cubelet
// that computed another UID for the same manifest would restart every static pod on upgrade.
// A change here must be deliberate (and migrate running pods), never a side effect.
TEST(StaticPodManifestTest, UidOfAKnownManifestIsPinned) {
  EXPECT_EQ(ParseStaticPodManifest(kWeb, "/etc/kubernetes/manifests/web.yaml", "node-a")->metadata.uid,
            "5fd408635734e038ccd6d7c588757101");
  // A control-plane-like manifest touching many fields the encoder writes.
  auto rich = ParseStaticPodManifest(cubelet::testing::kGoldenEtcdManifest, "/etc/kubernetes/manifests/etcd.yaml", "node-a");
  ASSERT_TRUE(rich.ok()) << rich.status();
  EXPECT_EQ(rich->metadata.uid, "e1d49193069535b361ff653ba4e6cd7c");
}

TEST(StaticPodManifestTest, BadManifestsNameFileFieldAndReason) {
  EXPECT_THAT(Error("kind: Pod\nmetadata: {name: [\n"), HasSubstr("/m/web.yaml: invalid YAML: line"));
  EXPECT_EQ(Error("apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n"),
            "/m/web.yaml: kind: Unsupported value: \"Deployment\": supported values: \"Pod\"");
  EXPECT_EQ(Error("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: a}\n"),
            "/m/web.yaml: spec.containers[0].image: Required value");
  EXPECT_THAT(Error("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                    "  - {name: a, image: i, resources: {limits: {memory: 10 gigs}}}\n"),
              HasSubstr("/m/web.yaml: spec.containers[0].resources.limits[memory]: Invalid value: \"10 gigs\""));
  EXPECT_EQ(Error("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                  "  - {name: a, image: i}\n  - {name: a, image: j}\n"),
            "/m/web.yaml: spec.containers[1].name: Duplicate value: \"a\"");
  EXPECT_THAT(Error("apiVersion: v1\nkind: Pod\nmetadata: {name: Web_1}\nspec:\n  containers:\n  - {name: a, image: i}\n"),
              HasSubstr("/m/web.yaml: metadata.name: Invalid value: \"Web_1-node-a\""));
  EXPECT_EQ(Error("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, image: i}\n"),
            "/m/web.yaml: invalid pod: name is needed for the pod");
  EXPECT_THAT(Error("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  volumes: [{name: s, secret: {secretName: x}}]\n"
                    "  containers:\n  - {name: a, image: i}\n"),
              HasSubstr("spec.volumes[0].secret: Forbidden: static pods may only use emptyDir and hostPath volumes"));
}

// The http source's manifests (upstream applyDefaults with isFile=false): the UID hashes the pod
// and "url:<url>" only (not the node), and config.source says "http".
TEST(StaticPodManifestTest, UrlManifestsHashTheUrlAndSayHttp) {
  const ManifestSource url{ManifestSource::Kind::kHttp, "http://m.example/pods"};
  auto pod = ParseStaticPodManifest(kWeb, url, "Node-A");
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->metadata.name, "web-node-a");
  EXPECT_EQ(pod->metadata.annotations.at("kubernetes.io/config.source"), "http");
  EXPECT_EQ(pod->metadata.annotations.at("kubernetes.io/config.hash"), pod->metadata.uid);
  EXPECT_EQ(ParseStaticPodManifest(kWeb, url, "other")->metadata.uid, pod->metadata.uid);
  EXPECT_NE(ParseStaticPodManifest(kWeb, ManifestSource{ManifestSource::Kind::kHttp, "http://m.example/other"}, "Node-A")
                ->metadata.uid,
            pod->metadata.uid);
  EXPECT_NE(ParseStaticPodManifest(kWeb, "http://m.example/pods", "Node-A")->metadata.uid, pod->metadata.uid);
  // Errors name the URL as they name a file.
  auto bad = ParseStaticPodManifest("apiVersion: v1\nkind: Pod\nspec: {}\n", url, "n");
  EXPECT_EQ(bad.status().message(), "http://m.example/pods: invalid pod: name is needed for the pod");
}

TEST(StaticPodManifestTest, AListHoldsOnePodOrAPodListAndABadItemIsOnlyItsOwnError) {
  const ManifestSource url{ManifestSource::Kind::kHttp, "http://m/pods"};
  auto one = ParseStaticPodManifestList(kWeb, url, "n");
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0]->metadata.uid, ParseStaticPodManifest(kWeb, url, "n")->metadata.uid);

  auto list = ParseStaticPodManifestList(
      "apiVersion: v1\nkind: PodList\nitems:\n"
      "- metadata: {name: a}\n  spec: {containers: [{name: c, image: 'i:1'}]}\n"
      "- metadata: {name: b}\n  spec: {containers: [{name: c}]}\n"
      "- 7\n"
      "- {apiVersion: v1, kind: Pod, metadata: {name: d}, spec: {containers: [{name: c, image: 'i:1'}]}}\n",
      url, "n");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 4u);
  EXPECT_EQ((*list)[0]->metadata.name, "a-n");
  EXPECT_EQ((*list)[1].status().message(), "http://m/pods: items[1] (pod \"b\"): spec.containers[0].image: Required value");
  EXPECT_EQ((*list)[2].status().message(), "http://m/pods: items[2]: expected a Pod object, got number");
  EXPECT_EQ((*list)[3]->metadata.name, "d-n");
  // Same pod as a list item or alone: same identity.
  auto alone = ParseStaticPodManifestList(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: 'i:1'}]}\n", url, "n");
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_EQ((*alone)[0]->metadata.uid, (*list)[0]->metadata.uid);

  auto empty = ParseStaticPodManifestList("apiVersion: v1\nkind: PodList\nitems: []\n", url, "n");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  // Nothing usable: the whole body is the error.
  EXPECT_EQ(ParseStaticPodManifestList("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c}]}\n",
                                       url, "n")
                .status()
                .message(),
            "http://m/pods: spec.containers[0].image: Required value");
  EXPECT_EQ(ParseStaticPodManifestList("metadata: {name: x}\n", url, "n").status().message(),
            "http://m/pods: kind: Required value: must be \"Pod\" or \"PodList\"");
  EXPECT_EQ(ParseStaticPodManifestList("apiVersion: v2\nkind: PodList\n", url, "n").status().message(),
            "http://m/pods: apiVersion: Unsupported value: \"v2\": supported values: \"v1\"");
  EXPECT_EQ(ParseStaticPodManifestList("[1]", url, "n").status().message(),
            "http://m/pods: expected a Pod or a PodList object, got array");
}

}  // namespace
}  // namespace cubelet::static_pods
