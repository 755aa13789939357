#include "pod/pod_manager.h"

#include <set>

#include "api/json_codec.h"

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

bool PodManager::SourcesReady() const {
  std::lock_guard<std::mutex> l(mu_);
  return sources_ready_;
}

void PodManager::MarkSourcesReady() {
  std::lock_guard<std::mutex> l(mu_);
  sources_ready_ = true;
}

PodConfig::PodConfig(PodManager* manager, const Clock* clock, Handler handler)
    : manager_(manager), clock_(clock), handler_(std::move(handler)) {}

void PodConfig::SetPods(const std::vector<api::Pod>& pods) {
  std::lock_guard<std::mutex> l(mu_);
  std::set<std::string> present;
  for (const auto& p : pods) {
    present.insert(p.metadata.uid);
    auto existing = manager_->Get(p.metadata.uid);
    auto next = std::make_shared<api::Pod>(p);
    if (existing == nullptr) {
      next->metadata.annotations["kubernetes.io/config.seen"] = api::FormatRfc3339Nano(clock_->Now());
      if (!next->metadata.creation_timestamp) next->metadata.creation_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(clock_->Now()));
      manager_->Set(next);
      handler_(PodOp::kAdd, next);
      continue;
    }
    // Same UID: same content by construction for static pods; keep the first sight.
    next->metadata.annotations["kubernetes.io/config.seen"] = existing->metadata.annotations.at("kubernetes.io/config.seen");
    next->metadata.creation_timestamp = existing->metadata.creation_timestamp;
    if (api::EncodePod(*next) != api::EncodePod(*existing)) {
      manager_->Set(next);
      handler_(PodOp::kUpdate, next);
    }
  }
  for (const auto& p : manager_->List()) {
    if (!present.contains(p->metadata.uid)) {
      manager_->Remove(p->metadata.uid);
      handler_(PodOp::kRemove, p);
    }
  }
  manager_->MarkSourcesReady();
}

}  // namespace cubelet::pod
