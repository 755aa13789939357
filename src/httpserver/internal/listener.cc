#include "httpserver/internal/listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>

#include "common/strings.h"
#include "httpserver/internal/session.h"

namespace cubelet::httpserver::internal {
namespace {

namespace net = boost::asio;
using boost::system::error_code;
using tcp = net::ip::tcp;

// TCP keep-alive probes find dead peers of idle watches (a laptop that went to sleep) that no
// write would reveal for a long time. The values are Go's net/http defaults.
void TuneSocket(Socket& socket) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  socket.set_option(net::socket_base::keep_alive(true), ignored);
  const int idle = 15;
  const int interval = 15;
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
}

}  // namespace

Listener::Listener(std::shared_ptr<ServerCore> core)
    : core_(std::move(core)),
      strand_(net::make_strand(core_->io())),
      acceptor_(strand_),
      backoff_(strand_) {}

absl::StatusOr<int> Listener::Listen(const std::string& address, int port) {
  const std::string where = StrCat(address, ":", port);
  error_code ec;
  const net::ip::address ip = net::ip::make_address(address.empty() ? "0.0.0.0" : address, ec);
  if (ec) return absl::InvalidArgumentError(StrCat("listen on ", where, ": not an IP address"));
  const tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return absl::UnavailableError(StrCat("listen on ", where, ": ", ec.message()));
  }
  const tcp::endpoint local = acceptor_.local_endpoint(ec);
  if (ec) return absl::UnavailableError(StrCat("listen on ", where, ": ", ec.message()));
  return static_cast<int>(local.port());
}

void Listener::Start() {
  net::post(strand_, [self = shared_from_this()] { self->Accept(); });
}

void Listener::Close() {
  net::post(strand_, [self = shared_from_this()] {
    self->closed_ = true;
    error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

void Listener::Accept() {
  if (closed_) return;
  // Each connection gets its own strand: its handlers never run concurrently, with no lock.
  acceptor_.async_accept(net::make_strand(core_->io()),
                         [self = shared_from_this()](const error_code& ec, Socket socket) {
                           self->OnAccept(ec, std::move(socket));
                         });
}

void Listener::OnAccept(const error_code& ec, Socket socket) {
  if (closed_) return;
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    core_->logger().Warning("Accepting a connection failed", {{"error", ec.message()}});
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
        ec == net::error::no_memory || ec.value() == ENFILE) {
      // Out of file descriptors (RLIMIT_NOFILE): wait for connections to close.
      backoff_.expires_after(std::chrono::milliseconds(100));
      backoff_.async_wait([self = shared_from_this()](const error_code& wait_ec) {
        if (!wait_ec) self->Accept();
      });
      return;
    }
    Accept();
    return;
  }
  TuneSocket(socket);
  auto session = std::make_shared<Session>(core_, std::move(socket));
  if (core_->AddSession(session)) session->Start();
  Accept();
}

}  // namespace cubelet::httpserver::internal
