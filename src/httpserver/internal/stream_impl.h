// Owns: the thread-safe half of a streamed response: the queue of chunks written by any thread,
// its byte limit (a slow client is dropped, never waited for), Finish, and running OnClose once.
// Does not own: writing to the socket (the Session drains the queue on its strand).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "httpserver/http_server.h"
#include "httpserver/internal/server_core.h"

namespace cubelet::httpserver::internal {

class Session;

class StreamImpl final : public Stream {
 public:
  // A stream of `session`'s current request. `buffer_limit` bounds the bytes queued but not yet
  // sent; a Write that would pass it closes the stream, except that a single chunk larger than
  // the limit is accepted when nothing else is queued.
  StreamImpl(std::shared_ptr<Session> session, size_t buffer_limit);
  // A stream that is closed from the start (no connection to write to).
  static std::shared_ptr<StreamImpl> NewClosed();

  using Stream::Write;
  bool Write(std::shared_ptr<const std::string> chunk) override;
  void Finish() override;
  bool closed() const override;
  // When the stream already closed (without Finish) the callback runs at once, on the
  // connection's I/O thread while the server runs, else on the calling thread.
  void OnClose(std::function<void()> callback) override;

  // The session's side, on its strand.
  struct Batch {
    std::vector<std::shared_ptr<const std::string>> chunks;
    bool finish = false;  // after `chunks`, end the stream
  };
  // Takes queued chunks, about `max_bytes` of them but at least one. An empty batch means the
  // queue is drained: the next Write or Finish posts OnStreamReady again.
  Batch TakeBatch(size_t max_bytes);
  // `bytes` of taken chunks reached the socket.
  void Sent(size_t bytes);
  // The connection closed: no more writes. Returns the OnClose callback to run now, if any.
  std::function<void()> MarkClosed();
  // The end of the stream was written.
  void MarkFinished();

 private:
  StreamImpl(std::shared_ptr<ServerCore> core, std::shared_ptr<Session> session, size_t limit);
  // Posts `fn` to the session; false when there is no session or the server stopped.
  bool PostLocked(void (Session::*fn)()) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<ServerCore> core_;  // null for NewClosed()
  const size_t limit_;
  mutable absl::Mutex mu_;
  std::shared_ptr<Session> session_ ABSL_GUARDED_BY(mu_);  // until the stream ends
  // A vector rather than a deque: libstdc++'s deque allocates 576 bytes up front, which thousands
  // of idle watches would each carry; the queue is usually empty or taken whole.
  std::vector<std::shared_ptr<const std::string>> queue_ ABSL_GUARDED_BY(mu_);
  size_t unsent_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // queued plus being written
  bool wake_posted_ ABSL_GUARDED_BY(mu_) = false; // the session will look at the queue again
  bool finish_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;       // Write refuses: finished, closed, too slow
  bool ended_ ABSL_GUARDED_BY(mu_) = false;        // the session is done with this stream
  bool close_unreported_ ABSL_GUARDED_BY(mu_) = false;  // ended without Finish, no callback yet
  std::function<void()> on_close_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cubelet::httpserver::internal
