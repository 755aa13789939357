// Owns: the listening socket and its accept loop: each accepted connection becomes a Session on
// its own strand; running out of file descriptors backs off instead of spinning.
// Does not own: connections after accept (session.h).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/status/statusor.h"
#include "httpserver/internal/server_core.h"

namespace cubelet::httpserver::internal {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  explicit Listener(std::shared_ptr<ServerCore> core);

  // Binds and listens (before the I/O threads run); returns the port. The error names the
  // address.
  absl::StatusOr<int> Listen(const std::string& address, int port);
  // Starts accepting.
  void Start();
  // Stops accepting (posted to the listener's strand).
  void Close();

 private:
  void Accept();
  void OnAccept(const boost::system::error_code& ec, boost::asio::basic_stream_socket<boost::asio::ip::tcp, Strand> socket);

  const std::shared_ptr<ServerCore> core_;
  const Strand strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  bool closed_ = false;  // on the strand
};

}  // namespace cubelet::httpserver::internal
