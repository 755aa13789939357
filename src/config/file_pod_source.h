// Owns: FilePodSource, the static pod file source (upstream config/file.go) as a PodSource: a
// read of staticPodPath (static_pods::FileSource) is a SET from source "file", made at start,
// shortly after inotify reports a change, and every fileCheckFrequency on the timer queue.
// Does not own: reading and parsing manifests (static-pods/).
#pragma once

#include <memory>
#include <mutex>
#include <stop_token>
#include <string_view>
#include <thread>

#include "common/logger.h"
#include "common/timer_queue.h"
#include "config/pod_source.h"
#include "static_pods/directory_watcher.h"
#include "static_pods/file_source.h"

namespace cubelet::config {

// Thread-safe.
class FilePodSource final : public PodSource {
 public:
  // Editors write a file in several steps: a read waits this long after the last change seen.
  static constexpr absl::Duration kChangeSettleDelay = absl::Milliseconds(10);

  FilePodSource(static_pods::FileSourceOptions options, Logger logger,
                std::unique_ptr<static_pods::DirectoryWatcher> watcher, TimerQueue* timers, PodUpdateFn updates);
  ~FilePodSource() override;

  std::string_view Name() const override { return kFileSource; }

  // Reads the path once and delivers the valid pods as a SET (the step every trigger runs).
  void Sync();

  // Delivers a SET now, then schedules the periodic re-read and starts watching for changes.
  void Start() override;

 private:
  // Blocks on the watcher until `stop`; each change (re)arms one read kChangeSettleDelay later.
  void Watch(std::stop_token stop);

  Logger logger_;  // the watch thread's, for what a throw ended it with
  TimerQueue* timers_;
  PodUpdateFn updates_;
  std::unique_ptr<static_pods::DirectoryWatcher> watcher_;  // used by the watch thread only

  std::mutex sync_mu_;  // one read at a time: the reader remembers what each file held
  static_pods::FileSource source_;

  std::mutex handles_mu_;
  TimerQueue::Handle resync_;
  TimerQueue::Handle after_change_;
  std::jthread watch_thread_;  // declared last: stopped first
};

}  // namespace cubelet::config
