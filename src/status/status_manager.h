// Owns: StatusManager, the latest API status of every pod the agent runs (upstream's
// status.Manager, without the API server half yet): what /pods serves. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "api/types.h"

namespace cubelet::status {

class StatusManager {
 public:
  void SetPodStatus(const std::string& uid, api::PodStatus status) {
    std::lock_guard<std::mutex> l(mu_);
    statuses_[uid] = std::move(status);
  }
  std::optional<api::PodStatus> GetPodStatus(const std::string& uid) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = statuses_.find(uid);
    if (it == statuses_.end()) return std::nullopt;
    return it->second;
  }
  void RemovePod(const std::string& uid) {
    std::lock_guard<std::mutex> l(mu_);
    statuses_.erase(uid);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, api::PodStatus> statuses_;
};

}  // namespace cubelet::status
