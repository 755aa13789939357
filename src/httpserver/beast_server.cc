// HttpServer over Boost.Beast, Asio and OpenSSL: the composition of the pieces in internal/ and
// the server's start and stop.
//
// Capacity: no thread per connection. An idle stream costs about 16 KiB of heap, 26 KiB when
// the client presented a certificate (measured by tests/httpserver/idle_stream_memory.cc):
// nearly all of it OpenSSL's own per-connection state (the SSL object, keys, the session with
// the peer's parsed certificate). The TLS stream (internal/tls_stream.h) and the session keep
// no buffer while idle. Each connection is a file descriptor, so a server meant for thousands
// of watches must raise RLIMIT_NOFILE (to its hard limit, say) before Start; accepting backs off
// when descriptors run out.
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/thread_entry.h"
#include "httpserver/http_server.h"
#include "httpserver/internal/listener.h"
#include "httpserver/internal/server_core.h"
#include "httpserver/internal/session.h"
#include "httpserver/internal/tls_context.h"

namespace cubelet::httpserver {
namespace {

namespace net = boost::asio;
using internal::Listener;
using internal::ServerCore;
using internal::Session;

class BeastServer final : public HttpServer {
 public:
  BeastServer(ServerOptions options, Handler handler, Logger logger)
      : core_(std::make_shared<ServerCore>(std::move(options), std::move(handler), std::move(logger))) {}

  ~BeastServer() override { Stop(); }

  absl::Status Start() override {
    if (started_) return absl::FailedPreconditionError("HTTP server already started");
    const ServerOptions& o = core_->options();
    ASSIGN_OR_RETURN(internal::SslCtxPtr tls, internal::NewServerTlsContext(o.tls));
    core_->set_tls(std::move(tls));
    auto listener = std::make_shared<Listener>(core_);
    ASSIGN_OR_RETURN(port_, listener->Listen(o.bind_address, o.port));
    listener_ = std::move(listener);
    started_ = true;
    core_->workers().Start();
    listener_->Start();
    work_.emplace(core_->io().get_executor());
    const int threads = std::max(1, o.io_threads);
    for (int i = 0; i < threads; ++i) io_threads_.push_back(StartThread(core_->logger(), "http-io", [this] { RunIo(); }));
    core_->logger().Info("Serving HTTPS", {{"address", StrCat(o.bind_address, ":", port_)},
                                           {"ioThreads", threads},
                                           {"workerThreads", o.worker_threads}});
    return absl::OkStatus();
  }

  // Order matters: new connections are refused and open ones closed first (their streams run
  // OnClose); then handlers finish (answers to closed connections are dropped); once every
  // connection is closed nothing may post to the io_context any more, and the I/O threads run
  // what is left and return.
  void Stop() override {
    if (!started_ || stopped_) return;
    stopped_ = true;
    std::vector<std::shared_ptr<Session>> open = core_->BeginStop();
    listener_->Close();
    for (const auto& session : open) session->Abort();
    open.clear();
    core_->workers().Stop();
    core_->ReleaseCallbacks();
    core_->AwaitNoSessions();
    core_->RefusePosts();
    work_.reset();
    for (std::jthread& t : io_threads_) t.join();
    io_threads_.clear();
    listener_.reset();
    core_->logger().VInfo(1, "HTTPS server stopped", {{"port", port_}});
  }

  int port() const override { return port_; }

 private:
  // An I/O thread's entry: an exception escaping an Asio handler is logged, and the thread goes
  // back to serving rather than taking the process down with thousands of connections.
  void RunIo() {
    while (!RunGuarded(core_->logger(), "http-io", "Asio handler", [this] { core_->io().run(); }).ok()) {
    }
  }

  // Shared with every session, stream and responder (see server_core.h).
  std::shared_ptr<ServerCore> core_;
  std::shared_ptr<Listener> listener_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::jthread> io_threads_;
  int port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<HttpServer> NewBeastServer(ServerOptions options, Handler handler, Logger logger) {
  return std::make_unique<BeastServer>(std::move(options), std::move(handler), std::move(logger));
}

}  // namespace cubelet::httpserver
