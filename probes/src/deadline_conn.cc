#include "deadline_conn.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::probes::internal {
namespace {

using std::chrono::steady_clock;

// Milliseconds left before `deadline`, rounded up so a wait never ends just short of it.
int RemainingMs(Deadline deadline) {
  const auto left = deadline - steady_clock::now();
  if (left <= steady_clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(ms);
}

// Waits until `fd` is ready for `events` (or reports an error or hangup, which the next call on
// it then returns), or the deadline passes.
absl::Status WaitFor(int fd, short events, Deadline deadline, std::string_view what) {
  while (true) {
    const int ms = RemainingMs(deadline);
    if (ms <= 0) return absl::DeadlineExceededError(StrCat(what, ": i/o timeout"));
    struct pollfd p = {fd, events, 0};
    const int rc = ::poll(&p, 1, ms);
    if (rc > 0) return absl::OkStatus();
    if (rc < 0 && errno != EINTR) return absl::UnavailableError(StrCat(what, ": poll: ", std::strerror(errno)));
  }
}

using Fd = UniqueFd;

class TcpConn final : public DeadlineConn {
 public:
  TcpConn(Fd fd, std::string peer, Deadline deadline) : fd_(std::move(fd)), peer_(std::move(peer)), deadline_(deadline) {}

  absl::Status WriteAll(std::string_view data) override {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        RETURN_IF_ERROR(WaitFor(fd_.get(), POLLOUT, deadline_, StrCat("write tcp ", peer_)));
      } else if (n < 0 && errno != EINTR) {
        return absl::UnavailableError(StrCat("write tcp ", peer_, ": ", std::strerror(errno)));
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ReadSome(size_t max_bytes) override {
    std::string buf(max_bytes, '\0');
    while (true) {
      const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
      if (n >= 0) {
        buf.resize(static_cast<size_t>(n));
        return buf;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        RETURN_IF_ERROR(WaitFor(fd_.get(), POLLIN, deadline_, StrCat("read tcp ", peer_)));
      } else if (errno != EINTR) {
        return absl::UnavailableError(StrCat("read tcp ", peer_, ": ", std::strerror(errno)));
      }
    }
  }

  int fd() const { return fd_.get(); }
  const std::string& peer() const { return peer_; }
  Deadline deadline() const { return deadline_; }

 private:
  Fd fd_;
  std::string peer_;
  Deadline deadline_;
};

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

// OpenSSL's reason for the last failure on this thread (its error queue is cleared).
std::string SslReason(int ssl_error) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e != 0) return ERR_reason_error_string(e) != nullptr ? ERR_reason_error_string(e) : StrCat("error ", e);
  if (ssl_error == SSL_ERROR_SYSCALL) return errno != 0 ? std::strerror(errno) : "unexpected EOF";
  return StrCat("TLS error ", ssl_error);
}

class TlsConn final : public DeadlineConn {
 public:
  TlsConn(TcpConn tcp, std::unique_ptr<SSL_CTX, SslCtxFree> ctx, std::unique_ptr<SSL, SslFree> ssl)
      : tcp_(std::move(tcp)), ctx_(std::move(ctx)), ssl_(std::move(ssl)) {}

  absl::Status Handshake() {
    return Retry("tls handshake with", [&] { return SSL_connect(ssl_.get()); }).status();
  }

  absl::Status WriteAll(std::string_view data) override {
    while (!data.empty()) {
      // Without SSL_MODE_ENABLE_PARTIAL_WRITE a write is all or nothing, and is repeated with the
      // same arguments after WANT_READ/WANT_WRITE, as OpenSSL requires.
      const int len = static_cast<int>(std::min<size_t>(data.size(), 1 << 20));
      auto n = Retry("write tls", [&] { return SSL_write(ssl_.get(), data.data(), len); });
      if (!n.ok()) return n.status();
      data.remove_prefix(static_cast<size_t>(*n));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ReadSome(size_t max_bytes) override {
    std::string buf(max_bytes, '\0');
    auto n = Retry("read tls", [&] { return SSL_read(ssl_.get(), buf.data(), static_cast<int>(buf.size())); });
    if (!n.ok()) return n.status();
    buf.resize(static_cast<size_t>(*n));
    return buf;
  }

 private:
  // Runs an SSL call until it succeeds, waiting on the socket for what OpenSSL wants. The end of
  // the stream (close_notify, or TCP closed without one) is 0 bytes.
  template <typename F>
  absl::StatusOr<int> Retry(std::string_view what, F call) {
    const std::string where = StrCat(what, " ", tcp_.peer());
    while (true) {
      ERR_clear_error();
      errno = 0;
      const int rc = call();
      if (rc > 0) return rc;
      const int err = SSL_get_error(ssl_.get(), rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        absl::Status s = WaitFor(tcp_.fd(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, tcp_.deadline(), where);
        if (!s.ok()) return s;
        continue;
      }
      if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0)) return 0;
      return absl::UnavailableError(StrCat(where, ": ", SslReason(err)));
    }
  }

  TcpConn tcp_;  // destroyed after ssl_, which refers to its fd
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
};

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

absl::StatusOr<TcpConn> DialTcp(const std::string& host, int port, Deadline deadline) {
  const std::string peer = JoinHostPort(host, port);
  const std::string what = StrCat("dial tcp ", peer);
  struct addrinfo hints {};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  struct addrinfo* res = nullptr;
  const int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (gai != 0 || res == nullptr) {
    return absl::UnavailableError(StrCat("dial tcp: lookup ", host, ": ", ::gai_strerror(gai)));
  }
  std::unique_ptr<struct addrinfo, decltype(&::freeaddrinfo)> addrs(res, &::freeaddrinfo);
  absl::Status last = absl::UnavailableError(StrCat(what, ": no address"));
  for (const struct addrinfo* ai = addrs.get(); ai != nullptr; ai = ai->ai_next) {
    Fd fd(::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
      last = absl::UnavailableError(StrCat(what, ": socket: ", std::strerror(errno)));
      continue;
    }
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last = absl::UnavailableError(StrCat(what, ": connect: ", std::strerror(errno)));
        continue;
      }
      absl::Status s = WaitFor(fd.get(), POLLOUT, deadline, what);
      if (absl::IsDeadlineExceeded(s)) return s;
      int err = 0;
      socklen_t len = sizeof(err);
      if (s.ok() && ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (!s.ok() || err != 0) {
        last = s.ok() ? absl::UnavailableError(StrCat(what, ": connect: ", std::strerror(err))) : s;
        continue;
      }
    }
    return TcpConn(std::move(fd), peer, deadline);
  }
  return last;
}

}  // namespace

std::string JoinHostPort(std::string_view host, int port) {
  if (host.find(':') != std::string_view::npos) return StrCat("[", host, "]:", port);
  return StrCat(host, ":", port);
}

absl::StatusOr<std::unique_ptr<DeadlineConn>> Dial(const std::string& host, int port, bool tls, Deadline deadline) {
  absl::StatusOr<TcpConn> tcp = DialTcp(host, port, deadline);
  if (!tcp.ok()) return tcp.status();
  if (!tls) return std::make_unique<TcpConn>(std::move(*tcp));
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (ctx == nullptr) return absl::InternalError(StrCat("tls: cannot create a context: ", SslReason(0)));
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // upstream's probes skip verification
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  if (ssl == nullptr || SSL_set_fd(ssl.get(), tcp->fd()) != 1) {
    return absl::InternalError(StrCat("tls: cannot create a connection: ", SslReason(0)));
  }
  if (!IsIpLiteral(host)) SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  auto conn = std::make_unique<TlsConn>(std::move(*tcp), std::move(ctx), std::move(ssl));
  absl::Status s = conn->Handshake();
  if (!s.ok()) return s;
  return conn;
}

}  // namespace cubelet::probes::internal
