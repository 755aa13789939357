#include "httpserver/tls_test_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/strings.h"

namespace cubelet::httpserver::testing {
namespace {

std::string SslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    StrAppend(&out, buf, "; ");
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int PollMs(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d) + 1, 60000));
}

}  // namespace

absl::StatusOr<std::shared_ptr<TlsClientContext>> TlsClientContext::New(const TlsClientOptions& options) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return absl::InternalError("SSL_CTX_new");
  std::shared_ptr<TlsClientContext> out(new TlsClientContext(ctx, options.receive_buffer_bytes));
  if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
    return absl::InternalError(StrCat("load CA ", options.ca_file, ": ", SslErrors()));
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // Thousands of idle test clients share the process with the server; keep them small.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return absl::InternalError(StrCat("load client certificate: ", SslErrors()));
    }
  }
  return out;
}

TlsClientContext::~TlsClientContext() { SSL_CTX_free(ctx_); }

absl::StatusOr<std::unique_ptr<TlsTestClient>> TlsTestClient::Connect(int port,
                                                                      std::shared_ptr<TlsClientContext> ctx) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(StrCat("socket: ", strerror(errno)));
  if (ctx->receive_buffer_bytes() > 0) {
    const int size = ctx->receive_buffer_bytes();
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::UnavailableError(StrCat("connect: ", strerror(err)));
  }
  SSL* ssl = SSL_new(ctx->get());
  SSL_set_fd(ssl, fd);
  SSL_set1_host(ssl, "127.0.0.1");
  std::unique_ptr<TlsTestClient> client(new TlsTestClient(fd, ssl));
  if (SSL_connect(ssl) != 1) {
    return absl::UnavailableError(StrCat("TLS handshake: ", SslErrors()));
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return client;
}

TlsTestClient::~TlsTestClient() {
  SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

bool TlsTestClient::Send(std::string_view data) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!data.empty()) {
    const int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    const int err = SSL_get_error(ssl_, n);
    if ((err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ) || absl::Now() > deadline) {
      ERR_clear_error();
      return false;
    }
    pollfd p{.fd = fd_, .events = static_cast<short>(err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), .revents = 0};
    ::poll(&p, 1, 100);
  }
  return true;
}

bool TlsTestClient::ReadOnce(absl::Duration timeout) {
  if (closed_) return false;
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    char buf[16384];
    const int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      received_.append(buf, static_cast<size_t>(n));
      return true;
    }
    const int err = SSL_get_error(ssl_, n);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      ERR_clear_error();
      closed_ = true;
      return false;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    ::poll(&p, 1, PollMs(left));
  }
}

bool TlsTestClient::ReadUntil(const std::function<bool(const std::string&)>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done(received_)) {
    const absl::Duration left = deadline - absl::Now();
    if (closed_ || left <= absl::ZeroDuration()) return done(received_);
    ReadOnce(left);
  }
  return true;
}

bool TlsTestClient::ReadUntilContains(std::string_view needle, absl::Duration timeout) {
  return ReadUntil([needle](const std::string& r) { return r.find(needle) != std::string::npos; }, timeout);
}

bool TlsTestClient::WaitForClose(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!closed_) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    ReadOnce(left);
  }
  return true;
}

void TlsTestClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

void TlsTestClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  closed_ = true;
}

std::string ParsedResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

ParsedResponse ParseResponse(std::string_view data) {
  ParsedResponse r;
  const size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return r;
  std::string_view head = data.substr(0, end);
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  r.version = std::string(status_line.substr(0, status_line.find(' ')));
  if (status_line.size() >= 12) r.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace(Lower(line.substr(0, colon)), std::string(value));
  }
  r.header_complete = true;
  size_t pos = end + 4;
  if (Lower(r.Header("transfer-encoding")) == "chunked") {
    for (;;) {
      const size_t size_end = data.find("\r\n", pos);
      if (size_end == std::string_view::npos) return r;
      const size_t size = std::strtoul(std::string(data.substr(pos, size_end - pos)).c_str(), nullptr, 16);
      if (data.size() < size_end + 2 + size + 2) return r;
      if (size == 0) {
        r.complete = true;
        r.consumed = size_end + 4;
        return r;
      }
      r.chunks.emplace_back(data.substr(size_end + 2, size));
      r.body.append(r.chunks.back());
      pos = size_end + 2 + size + 2;
    }
  }
  const std::string length = r.Header("content-length");
  const size_t n = length.empty() ? 0 : std::strtoul(length.c_str(), nullptr, 10);
  r.body = std::string(data.substr(pos, std::min(n, data.size() - pos)));
  if (data.size() - pos >= n) {
    r.complete = true;
    r.consumed = pos + n;
  }
  return r;
}

std::vector<ParsedResponse> ParseResponses(std::string_view data) {
  std::vector<ParsedResponse> out;
  for (;;) {
    ParsedResponse r = ParseResponse(data);
    if (!r.complete) return out;
    data.remove_prefix(r.consumed);
    out.push_back(std::move(r));
  }
}

bool HeaderArrived(const std::string& data) { return ParseResponse(data).header_complete; }

bool ResponseComplete(const std::string& data) { return ParseResponse(data).complete; }

std::string GetRequest(std::string_view path) { return StrCat("GET ", path, " HTTP/1.1\r\nHost: x\r\n\r\n"); }

}  // namespace cubelet::httpserver::testing
