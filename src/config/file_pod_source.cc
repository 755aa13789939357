#include "config/file_pod_source.h"

#include <utility>

namespace cubelet::config {

FilePodSource::FilePodSource(static_pods::FileSourceOptions options, Logger logger,
                             std::unique_ptr<static_pods::DirectoryWatcher> watcher, TimerQueue* timers,
                             PodUpdateFn updates)
    : timers_(timers),
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
    resync_ = timers_->Every(period, [this] { Sync(); }, {.initial_delay = period});
  }
  watch_thread_ = std::jthread([this](std::stop_token stop) { Watch(stop); });
}

void FilePodSource::Watch(std::stop_token stop) {
  while (!stop.stop_requested()) {
    // A bounded wait, so that a stop is noticed within half a second.
    if (!watcher_->WaitForChange(absl::Milliseconds(500)) || stop.stop_requested()) continue;
    TimerQueue::Handle previous;
    {
      std::lock_guard<std::mutex> l(handles_mu_);
      previous = std::exchange(after_change_, timers_->After(kChangeSettleDelay, [this] { Sync(); }));
    }
    // A read armed by an earlier change that has not started yet is superseded by this one.
  }
}

}  // namespace cubelet::config
