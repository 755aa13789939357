#include "pod/pod_manager.h"

namespace cubelet::pod {

void PodManager::Set(std::shared_ptr<const api::Pod> pod) {
  std::lock_guard<std::mutex> l(mu_);
  pods_[pod->metadata.uid] = std::move(pod);
}

void PodManager::Remove(const std::string& uid) {
  std::lock_guard<std::mutex> l(mu_);
  pods_.erase(uid);
}

std::shared_ptr<const api::Pod> PodManager::Get(const std::string& uid) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = pods_.find(uid);
  return it == pods_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const api::Pod>> PodManager::List() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::shared_ptr<const api::Pod>> out;
  for (const auto& [uid, p] : pods_) out.push_back(p);
  return out;
}

}  // namespace cubelet::pod
