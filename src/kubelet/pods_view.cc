#include "kubelet/pods_view.h"

#include <algorithm>

namespace cubelet::kubelet {

std::vector<api::Pod> GetPods(const pod::PodManager& pods, const status::StatusManager& statuses) {
  std::vector<api::Pod> out;
  for (const auto& p : pods.List()) {
    api::Pod copy = *p;
    if (auto st = statuses.GetPodStatus(p->metadata.uid)) copy.status = *std::move(st);
    out.push_back(std::move(copy));
  }
  std::sort(out.begin(), out.end(), [](const api::Pod& a, const api::Pod& b) { return api::PodKey(a) < api::PodKey(b); });
  return out;
}

}  // namespace cubelet::kubelet
