// Owns: PodManager, the desired pods by UID (what the sources say should run), and PodConfig,
// which turns a source's full set into additions, updates and removals (upstream's
// config.PodConfig merge), stamping kubernetes.io/config.seen on first sight. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/clock.h"

namespace cubelet::pod {

class PodManager {
 public:
  void Set(std::shared_ptr<const api::Pod> pod);
  void Remove(const std::string& uid);
  std::shared_ptr<const api::Pod> Get(const std::string& uid) const;
  std::vector<std::shared_ptr<const api::Pod>> List() const;
  bool SourcesReady() const;
  void MarkSourcesReady();

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const api::Pod>> pods_;
  bool sources_ready_ = false;
};

enum class PodOp { kAdd, kUpdate, kRemove };

class PodConfig {
 public:
  using Handler = std::function<void(PodOp, std::shared_ptr<const api::Pod>)>;
  PodConfig(PodManager* manager, const Clock* clock, Handler handler);

  // A full set from the file source; calls the handler for each change and updates the manager.
  void SetPods(const std::vector<api::Pod>& pods);

 private:
  PodManager* manager_;
  const Clock* clock_;
  Handler handler_;
  std::mutex mu_;  // serializes SetPods
};

}  // namespace cubelet::pod
