// Owns: the state every connection of one server shares: options, handler, logger, the
// io_context and TLS context, the handler worker pool, the set of open sessions (so Stop can
// close them), and the gate that refuses posts to the io_context once it no longer runs.
// Does not own: listening (listener.h), a connection's protocol (session.h).
//
// Lifetime: sessions, streams and responders hold a shared_ptr to the core, so the io_context
// outlives every Asio object and every handle a handler may keep after Stop.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/logger.h"
#include "httpserver/http_server.h"
#include "httpserver/internal/tls_context.h"
#include "httpserver/internal/worker_pool.h"

namespace cubelet::httpserver::internal {

class Session;

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class ServerCore {
 public:
  ServerCore(ServerOptions options, Handler handler, Logger logger);

  ServerCore(const ServerCore&) = delete;
  ServerCore& operator=(const ServerCore&) = delete;

  const ServerOptions& options() const { return options_; }
  // Called by worker threads only, until ReleaseCallbacks.
  const Handler& handler() const { return handler_; }
  const Logger& logger() const { return logger_; }
  boost::asio::io_context& io() { return io_; }
  WorkerPool& workers() { return workers_; }
  // Set once by Start, before the first session exists.
  SSL_CTX* tls() const { return tls_.get(); }
  void set_tls(SslCtxPtr tls) { tls_ = std::move(tls); }

  // The body of an error the server answers itself (400, 413, 431, 500).
  Response ErrorResponse(int status, std::string_view message) const;

  // Drops the handler and options().error_response once the workers are joined. Streams and
  // responders that handlers keep hold this core, and the handler usually holds (through the
  // application) those streams: dropping it breaks that cycle, so everything is freed when
  // the application lets go of its streams.
  void ReleaseCallbacks();

  // Timeouts derived from options().idle_timeout (see session.cc for their roles).
  absl::Duration idle_timeout() const { return options_.idle_timeout; }
  absl::Duration handshake_timeout() const;
  absl::Duration header_timeout() const;
  absl::Duration linger_timeout() const;

  // Registers an open session; false once Stop has begun (the caller drops the connection).
  bool AddSession(const std::shared_ptr<Session>& session);
  // Idempotent.
  void RemoveSession(const Session* session);
  // Refuses new sessions and returns the open ones.
  std::vector<std::shared_ptr<Session>> BeginStop();
  // Blocks until every session has closed.
  void AwaitNoSessions();

  // Posts `fn` to `strand` from any thread; false (and `fn` is dropped) after RefusePosts, when
  // no thread runs the io_context any more.
  template <typename Fn>
  bool Post(const Strand& strand, Fn&& fn) {
    absl::ReaderMutexLock lock(&mu_);
    if (posts_refused_) return false;
    boost::asio::post(strand, std::forward<Fn>(fn));
    return true;
  }
  void RefusePosts();

 private:
  const ServerOptions options_;  // its error_response is moved to error_response_
  Handler handler_;
  const Logger logger_;
  // Declared before everything that holds Asio objects, so it is destroyed last.
  boost::asio::io_context io_;
  SslCtxPtr tls_;
  WorkerPool workers_;

  mutable absl::Mutex mu_;
  std::function<Response(int status, std::string_view message)> error_response_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const Session*, std::weak_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool posts_refused_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace cubelet::httpserver::internal
