// Owns: Backoff, upstream's flowcontrol.Backoff: per-key exponential delays (crash loops, image
// pulls) that double from `initial` to `max`, and reset once a key has been quiet for 2×max.
// Thread-safe; time comes from the injected Clock.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"

namespace cubelet::kuberuntime {

class Backoff {
 public:
  Backoff(const Clock* clock, absl::Duration initial, absl::Duration max);

  // Current delay of `key` (zero when it has none).
  absl::Duration Get(const std::string& key) const;
  // True while `event_time` (e.g. a container's finishedAt) is less than the key's delay ago.
  bool IsInBackOffSince(const std::string& key, absl::Time event_time) const;
  // True while the key's last update is less than its delay ago (image pulls).
  bool IsInBackOffSinceUpdate(const std::string& key) const;
  // Records an attempt: the first delay is `initial`, then it doubles up to `max`; a key quiet
  // for more than 2×max since `event_time` starts over.
  void Next(const std::string& key, absl::Time event_time);
  void Reset(const std::string& key);
  // Forgets keys not updated for 2×max.
  void GC();
  absl::Time clock_now() const { return clock_->Now(); }

 private:
  struct Entry {
    absl::Duration backoff;
    absl::Time last_update;
  };
  const Clock* clock_;
  absl::Duration initial_;
  absl::Duration max_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace cubelet::kuberuntime
