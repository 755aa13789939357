#include "config/file_pod_source.h"

#include <utility>

#include "common/thread_entry.h"

namespace cubelet::config {

FilePodSource::FilePodSource(static_pods::FileSourceOptions options, Logger logger,
                             std::unique_ptr<static_pods::DirectoryWatcher> watcher, TimerQueue* timers,
                             PodUpdateFn updates)
    : logger_(logger),
      timers_(timers),
      updates_(std::move(updates)),
      watcher_(std::move(watcher)),
      source_(std::move(options), std::move(logger)) {}

FilePodSource::~FilePodSource() {
  watch_thread_ = std::jthread();  // joins: no read is armed after this
  TimerQueue::Handle resync, after_change;
  {
    std::lock_guard<std::mutex> l(handles_mu_);
    resync = std::move(resync_);
    after_change = std::move(after_change_);
  }
  // Cancelled outside the lock, waiting for a read in progress.
  resync.Cancel();
  after_change.Cancel();
}

void FilePodSource::Sync() {
  std::lock_guard<std::mutex> l(sync_mu_);
  std::vector<api::Pod> pods = source_.ReadAll();
  PodUpdate update{PodOperation::kSet, kFileSource, {}};
  update.pods.reserve(pods.size());
  for (auto& p : pods) update.pods.push_back(std::make_shared<const api::Pod>(std::move(p)));
  updates_(std::move(update));
}

void FilePodSource::Start() {
  const absl::Duration period = source_.options().check_frequency;
  Sync();
  {
    std::lock_guard<std::mutex> l(handles_mu_);
    resync_ = timers_->Every(period, [this] { Sync(); }, {.initial_delay = period, .name = "static pod files re-read"});
  }
  // A throw out of the watcher ends the watch (logged) but not the agent: the periodic re-read
  // above still picks changes up.
  watch_thread_ = StartThread(logger_, "pod-file-watch", [this](std::stop_token stop) { Watch(stop); });
}

void FilePodSource::Watch(std::stop_token stop) {
  while (!stop.stop_requested()) {
    // A bounded wait, so that a stop is noticed within half a second.
    if (!watcher_->WaitForChange(absl::Milliseconds(500)) || stop.stop_requested()) continue;
    TimerQueue::Handle previous;
    {
      std::lock_guard<std::mutex> l(handles_mu_);
      previous = std::exchange(after_change_,
                               timers_->After(kChangeSettleDelay, [this] { Sync(); }, "static pod files changed"));
    }
    // A read armed by an earlier change that has not started yet is superseded by this one.
  }
}

}  // namespace cubelet::config
