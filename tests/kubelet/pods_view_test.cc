#include "kubelet/pods_view.h"

#include <gtest/gtest.h>

namespace cubelet::kubelet {
namespace {

std::shared_ptr<api::Pod> MakePod(const std::string& ns, const std::string& name, const std::string& uid) {
  auto pod = std::make_shared<api::Pod>();
  pod->metadata = {.name = name, .namespace_ = ns, .uid = uid};
  return pod;
}

TEST(GetPodsTest, EveryPodWithItsLatestStatusSortedByNamespaceAndName) {
  pod::PodManager pods;
  status::StatusManager statuses;
  pods.Set(MakePod("kube-system", "etcd", "uid-a"));
  pods.Set(MakePod("default", "web", "uid-b"));
  pods.Set(MakePod("default", "api", "uid-c"));
  api::PodStatus running;
  running.phase = "Running";
  statuses.SetPodStatus("uid-b", running);

  const std::vector<api::Pod> out = GetPods(pods, statuses);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(api::PodKey(out[0]), "default/api");
  EXPECT_EQ(api::PodKey(out[1]), "default/web");
  EXPECT_EQ(api::PodKey(out[2]), "kube-system/etcd");
  EXPECT_EQ(out[1].status.phase, "Running");
  EXPECT_EQ(out[0].status.phase, "") << "no status generated yet: the pod as its source gave it";
  EXPECT_EQ(pods.Get("uid-b")->status.phase, "") << "the pod manager's copy is untouched";
}

}  // namespace
}  // namespace cubelet::kubelet
