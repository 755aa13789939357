// Owns: ReasonCache, the last start error of each container (upstream's ReasonCache): status
// generation shows it as the container's waiting reason until a start succeeds. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "kuberuntime/image_manager.h"

namespace cubelet::kuberuntime {

class ReasonCache {
 public:
  void Set(const std::string& pod_uid, const std::string& container, StartError error) {
    std::lock_guard<std::mutex> l(mu_);
    errors_[pod_uid][container] = std::move(error);
  }
  void Clear(const std::string& pod_uid, const std::string& container) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = errors_.find(pod_uid);
    if (it != errors_.end()) it->second.erase(container);
  }
  void ForgetPod(const std::string& pod_uid) {
    std::lock_guard<std::mutex> l(mu_);
    errors_.erase(pod_uid);
  }
  std::optional<StartError> Get(const std::string& pod_uid, const std::string& container) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = errors_.find(pod_uid);
    if (it == errors_.end()) return std::nullopt;
    auto c = it->second.find(container);
    if (c == it->second.end()) return std::nullopt;
    return c->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, StartError>> errors_;
};

}  // namespace cubelet::kuberuntime
