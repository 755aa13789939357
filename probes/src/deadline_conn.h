// Owns: one client connection (TCP, or TLS over it with the server's certificate not verified,
// as upstream's probes) whose every step - resolve, connect, handshake, write, read - ends by one
// absolute deadline, so a peer that answers slowly or a byte at a time cannot hold the caller
// past it. OpenSSL stays in deadline_conn.cc.
// Does not own: what is sent or how replies are read (http_get.h), the probe's result.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cubelet::probes::internal {

using Deadline = std::chrono::steady_clock::time_point;

// "host:port", with brackets around an IPv6 literal (Go's net.JoinHostPort).
std::string JoinHostPort(std::string_view host, int port);

class DeadlineConn {
 public:
  virtual ~DeadlineConn() = default;
  // Writes all of `data`. DeadlineExceeded when the deadline passes first, Unavailable on a
  // socket error.
  virtual absl::Status WriteAll(std::string_view data) = 0;
  // Reads what is available, waiting for at least one byte: the bytes, or an empty string at the
  // end of the stream. DeadlineExceeded / Unavailable as WriteAll.
  virtual absl::StatusOr<std::string> ReadSome(size_t max_bytes) = 0;
};

// Connects to host:port (an IP literal, or a name resolved with getaddrinfo, which the system's
// resolver bounds rather than `deadline`), then with `tls` makes a TLS handshake sending `host` as
// SNI when it is a name. Errors read as Go's net package writes them ("dial tcp 10.0.0.1:80:
// connect: connection refused", "dial tcp 10.0.0.1:80: i/o timeout") with DeadlineExceeded
// for a timeout and Unavailable otherwise. The connection is closed when destroyed.
absl::StatusOr<std::unique_ptr<DeadlineConn>> Dial(const std::string& host, int port, bool tls, Deadline deadline);

}  // namespace cubelet::probes::internal
