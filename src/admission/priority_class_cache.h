// Owns: an in-memory copy of the PriorityClasses kept current by a watch on the store (what
// upstream's Priority plugin reads through its informer), for the questions ObjectLookup cannot
// answer by name: which class is the global default.
// Does not own: the classes themselves (registry/), the plugin's rules (priority.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/store.h"

namespace cubelet::admission {

struct PriorityClassInfo {
  std::string name;
  int64_t value = 0;
  bool global_default = false;
  std::string preemption_policy;  // "" when the stored class has none
};

// Thread-safe. The watch starts on first use and restarts (list, then watch from the list's
// revision) after the store ends it. Like an informer, it may lag a write by the time the
// store takes to deliver it.
class PriorityClassCache final : private storage::WatchSink {
 public:
  // Keys under `prefix` are PriorityClass objects as the registry stores them (JSON).
  PriorityClassCache(storage::Store* store, std::string prefix);
  ~PriorityClassCache() override;
  PriorityClassCache(const PriorityClassCache&) = delete;
  PriorityClassCache& operator=(const PriorityClassCache&) = delete;

  // The global default class with the lowest value (upstream's tie-break when a race let two
  // be marked default), or nullopt. Errors when the store cannot be read.
  absl::StatusOr<std::optional<PriorityClassInfo>> DefaultClass();

 private:
  absl::Status EnsureWatching() ABSL_LOCKS_EXCLUDED(mu_);
  void OnEvents(std::vector<storage::Event> events) override;
  void OnClosed(const absl::Status& reason) override;

  storage::Store* const store_;
  const std::string prefix_;

  // Serialises (re)starting the watch; held while the store is read, never by callbacks.
  absl::Mutex start_mu_;
  std::unique_ptr<storage::Watch> watch_ ABSL_GUARDED_BY(start_mu_);

  absl::Mutex mu_;
  std::map<std::string, PriorityClassInfo> classes_ ABSL_GUARDED_BY(mu_);  // by store key
  bool live_ ABSL_GUARDED_BY(mu_) = false;
};

// Parses a stored PriorityClass; nullopt when it is not one.
std::optional<PriorityClassInfo> ParsePriorityClass(std::string_view json);

}  // namespace cubelet::admission
