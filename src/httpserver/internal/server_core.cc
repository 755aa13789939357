#include "httpserver/internal/server_core.h"

#include <algorithm>

#include "httpserver/internal/session.h"

namespace cubelet::httpserver::internal {

namespace {

ServerOptions WithoutErrorResponse(ServerOptions options) {
  options.error_response = nullptr;
  return options;
}

}  // namespace

ServerCore::ServerCore(ServerOptions options, Handler handler, Logger logger)
    : options_(WithoutErrorResponse(options)),
      handler_(std::move(handler)),
      logger_(std::move(logger)),
      io_(std::max(1, options_.io_threads)),
      workers_(options_.worker_threads, logger_) {
  absl::MutexLock lock(&mu_);
  error_response_ = std::move(options.error_response);
}

void ServerCore::ReleaseCallbacks() {
  std::function<Response(int, std::string_view)> dropped;
  Handler dropped_handler = std::move(handler_);
  handler_ = nullptr;
  absl::MutexLock lock(&mu_);
  dropped = std::move(error_response_);
  error_response_ = nullptr;
}

Response ServerCore::ErrorResponse(int status, std::string_view message) const {
  std::function<Response(int, std::string_view)> build;
  {
    absl::ReaderMutexLock lock(&mu_);
    build = error_response_;
  }
  if (build) return build(status, message);
  Response r;
  r.status = status;
  r.headers.Add("Content-Type", "text/plain; charset=utf-8");
  r.body = std::string(message);
  r.body.push_back('\n');
  return r;
}

// A client gets this long to finish the TLS handshake, and to send a request's header once its
// first byte arrived (slowloris), never longer than the idle timeout.
absl::Duration ServerCore::handshake_timeout() const {
  return std::min(options_.idle_timeout, absl::Seconds(10));
}
absl::Duration ServerCore::header_timeout() const {
  return std::min(options_.idle_timeout, absl::Seconds(30));
}
// How long a closing connection keeps reading (and discarding) so that the client receives the
// last response instead of a reset.
absl::Duration ServerCore::linger_timeout() const {
  return std::min(options_.idle_timeout, absl::Seconds(2));
}

bool ServerCore::AddSession(const std::shared_ptr<Session>& session) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void ServerCore::RemoveSession(const Session* session) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(session);
}

std::vector<std::shared_ptr<Session>> ServerCore::BeginStop() {
  std::vector<std::shared_ptr<Session>> open;
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  open.reserve(sessions_.size());
  for (const auto& [ptr, weak] : sessions_) {
    if (std::shared_ptr<Session> s = weak.lock()) open.push_back(std::move(s));
  }
  return open;
}

void ServerCore::AwaitNoSessions() {
  absl::MutexLock lock(&mu_);
  auto none = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return sessions_.empty(); };
  mu_.Await(absl::Condition(&none));
}

void ServerCore::RefusePosts() {
  absl::MutexLock lock(&mu_);
  posts_refused_ = true;
}

}  // namespace cubelet::httpserver::internal
