#include "httpserver/internal/stream_impl.h"

#include <iterator>
#include <utility>

#include "httpserver/internal/session.h"

namespace cubelet::httpserver::internal {

StreamImpl::StreamImpl(std::shared_ptr<Session> session, size_t buffer_limit)
    : StreamImpl(session->core(), session, buffer_limit) {}

StreamImpl::StreamImpl(std::shared_ptr<ServerCore> core, std::shared_ptr<Session> session, size_t limit)
    : core_(std::move(core)), limit_(limit), session_(std::move(session)) {}

std::shared_ptr<StreamImpl> StreamImpl::NewClosed() {
  std::shared_ptr<StreamImpl> s(new StreamImpl(nullptr, nullptr, 0));
  absl::MutexLock lock(&s->mu_);
  s->closed_ = true;
  s->ended_ = true;
  s->close_unreported_ = true;
  return s;
}

bool StreamImpl::PostLocked(void (Session::*fn)()) {
  if (session_ == nullptr) return false;
  // Posting under mu_ orders the post before MarkClosed, which Stop waits for before it stops
  // the io_context, so a post never lands in an io_context nobody runs.
  return core_->Post(session_->strand(), [s = session_, fn] { ((*s).*fn)(); });
}

bool StreamImpl::Write(std::shared_ptr<const std::string> chunk) {
  absl::MutexLock lock(&mu_);
  if (closed_) return false;
  // An empty chunk would be the chunked body's terminator; there is nothing to send.
  if (chunk == nullptr || chunk->empty()) return true;
  if (unsent_bytes_ > 0 && unsent_bytes_ + chunk->size() > limit_) {
    closed_ = true;
    std::vector<std::shared_ptr<const std::string>>().swap(queue_);
    PostLocked(&Session::OnStreamOverflow);
    return false;
  }
  unsent_bytes_ += chunk->size();
  queue_.push_back(std::move(chunk));
  if (!wake_posted_) {
    wake_posted_ = true;
    if (!PostLocked(&Session::OnStreamReady)) {
      closed_ = true;
      std::vector<std::shared_ptr<const std::string>>().swap(queue_);
      return false;
    }
  }
  return true;
}

void StreamImpl::Finish() {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  closed_ = true;
  finish_requested_ = true;
  if (!wake_posted_) {
    wake_posted_ = true;
    PostLocked(&Session::OnStreamReady);
  }
}

bool StreamImpl::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

void StreamImpl::OnClose(std::function<void()> callback) {
  {
    absl::MutexLock lock(&mu_);
    if (!close_unreported_) {
      if (!ended_) on_close_ = std::move(callback);
      return;
    }
    close_unreported_ = false;
    // Run it on an I/O thread like every other close, so a caller that holds its own lock while
    // registering is not re-entered. The session is gone; any strand will do.
    if (core_ != nullptr && core_->Post(boost::asio::make_strand(core_->io()), callback)) return;
  }
  callback();
}

StreamImpl::Batch StreamImpl::TakeBatch(size_t max_bytes) {
  Batch batch;
  absl::MutexLock lock(&mu_);
  size_t bytes = 0;
  size_t taken = 0;
  while (taken < queue_.size() && (taken == 0 || bytes + queue_[taken]->size() <= max_bytes)) {
    bytes += queue_[taken]->size();
    ++taken;
  }
  if (taken == queue_.size()) {
    batch.chunks.swap(queue_);  // all of it, and the queue keeps no capacity
  } else {
    batch.chunks.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + taken));
    queue_.erase(queue_.begin(), queue_.begin() + taken);
  }
  batch.finish = queue_.empty() && finish_requested_;
  if (batch.chunks.empty() && !batch.finish) wake_posted_ = false;
  return batch;
}

void StreamImpl::Sent(size_t bytes) {
  absl::MutexLock lock(&mu_);
  unsent_bytes_ -= std::min(bytes, unsent_bytes_);
}

std::function<void()> StreamImpl::MarkClosed() {
  absl::MutexLock lock(&mu_);
  session_.reset();
  std::vector<std::shared_ptr<const std::string>>().swap(queue_);
  unsent_bytes_ = 0;
  closed_ = true;
  if (ended_) return nullptr;
  ended_ = true;
  if (finish_requested_) {
    on_close_ = nullptr;
    return nullptr;
  }
  if (!on_close_) {
    close_unreported_ = true;
    return nullptr;
  }
  return std::exchange(on_close_, nullptr);
}

void StreamImpl::MarkFinished() {
  std::function<void()> dropped;
  absl::MutexLock lock(&mu_);
  session_.reset();
  ended_ = true;
  dropped = std::exchange(on_close_, nullptr);
}

}  // namespace cubelet::httpserver::internal
