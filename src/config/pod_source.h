// Owns: PodSource, the seam between PodConfig and a producer of pods (the file source, the http
// source, later the API server source), as upstream's sources each write to
// PodConfig.Channel(<source>).
// Does not own: merging (pod_config.h) or what a source reads.
#pragma once

#include <string_view>

#include "config/pod_update.h"

namespace cubelet::config {

// A source is built with the PodUpdateFn of its channel (PodConfig::Channel(Name())) and
// delivers either full sets (SET, as the file and http sources do) or incremental
// ADD/UPDATE/DELETE/REMOVE/RECONCILE updates; its first delivery must be a SET (possibly empty),
// which is what makes PodConfig count it as seen. Each source also has a one-shot step method
// (FilePodSource::Sync, HttpSource::Poll) that its schedule calls and tests call directly.
// Periodic work runs on the agent's TimerQueue; destroying a source stops it.
class PodSource {
 public:
  virtual ~PodSource() = default;
  // "file", "http" or "api": the key PodConfig keeps this source's pods under.
  virtual std::string_view Name() const = 0;
  // Starts delivering: the first update now or soon, then on each change. Called once.
  virtual void Start() = 0;
};

}  // namespace cubelet::config
