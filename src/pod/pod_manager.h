// Owns: PodManager, the desired pods by UID (what the sources say should run), as upstream's
// pkg/kubelet/pod pod manager. Thread-safe.
// Does not own: merging the sources' updates (config::PodConfig, src/config/pod_config.h).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/types.h"

namespace cubelet::pod {

class PodManager {
 public:
  void Set(std::shared_ptr<const api::Pod> pod);
  void Remove(const std::string& uid);
  std::shared_ptr<const api::Pod> Get(const std::string& uid) const;
  std::vector<std::shared_ptr<const api::Pod>> List() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const api::Pod>> pods_;
};

}  // namespace cubelet::pod
