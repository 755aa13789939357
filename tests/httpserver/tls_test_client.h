// Owns: a raw TLS client for the HTTPS server's tests (OpenSSL over a socket), for what an HTTP
// library hides: exact request bytes, pipelining, half-closes, never reading, chunk-by-chunk
// reception, and thousands of connections from one thread. Also a small HTTP/1.1 response parser
// and a bare GET request.
// Does not own: the server under test.
#pragma once

#include <openssl/ssl.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cubelet::httpserver::testing {

struct TlsClientOptions {
  std::string ca_file;    // the server is verified against it
  std::string cert_file;  // client certificate, optional
  std::string key_file;
  int receive_buffer_bytes = 0;  // SO_RCVBUF before connect; 0 keeps the default
};

// One SSL_CTX for many connections.
class TlsClientContext {
 public:
  static absl::StatusOr<std::shared_ptr<TlsClientContext>> New(const TlsClientOptions& options);
  ~TlsClientContext();
  SSL_CTX* get() const { return ctx_; }
  int receive_buffer_bytes() const { return rcvbuf_; }

 private:
  TlsClientContext(SSL_CTX* ctx, int rcvbuf) : ctx_(ctx), rcvbuf_(rcvbuf) {}
  SSL_CTX* ctx_;
  int rcvbuf_;
};

// Not thread-safe. The socket is non-blocking after the handshake; reads wait with poll.
class TlsTestClient {
 public:
  // Connects to 127.0.0.1:`port` and completes the TLS handshake.
  static absl::StatusOr<std::unique_ptr<TlsTestClient>> Connect(int port, std::shared_ptr<TlsClientContext> ctx);
  ~TlsTestClient();

  bool Send(std::string_view data);
  // Reads until `done(received())` holds, the connection closes, or `timeout` passes; returns
  // whether `done` held.
  bool ReadUntil(const std::function<bool(const std::string&)>& done, absl::Duration timeout);
  bool ReadUntilContains(std::string_view needle, absl::Duration timeout);
  // True when the server closes the connection within `timeout` (bytes read meanwhile are kept).
  bool WaitForClose(absl::Duration timeout);
  // Half-closes: TCP FIN without TLS close_notify, as a client that shuts its sending side.
  void ShutdownWrite();
  // Closes the socket at once.
  void Close();

  std::string& received() { return received_; }
  bool closed() const { return closed_; }
  // For tests of TLS itself (KeyUpdate, close_notify); the socket is non-blocking.
  SSL* ssl() const { return ssl_; }
  int fd() const { return fd_; }

 private:
  TlsTestClient(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  // One read attempt waiting at most `timeout`; false when nothing came.
  bool ReadOnce(absl::Duration timeout);

  int fd_;
  SSL* ssl_;
  std::string received_;
  bool closed_ = false;
};

// An HTTP/1.x response parsed from the front of `data`.
struct ParsedResponse {
  bool header_complete = false;
  bool complete = false;  // the whole body arrived (Content-Length or the last chunk)
  std::string version;    // "HTTP/1.1"
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;                   // de-chunked
  std::vector<std::string> chunks;    // for chunked bodies, each chunk as sent
  size_t consumed = 0;                // bytes of `data` that made up the response, when complete
  std::string Header(const std::string& lower_name) const;
};
ParsedResponse ParseResponse(std::string_view data);

// Splits `data` into as many complete responses as it holds.
std::vector<ParsedResponse> ParseResponses(std::string_view data);

// What ReadUntil waits for: the front response's status line and headers, or all of it.
bool HeaderArrived(const std::string& data);
bool ResponseComplete(const std::string& data);

// A bare HTTP/1.1 GET of `path` (Host: x, no body).
std::string GetRequest(std::string_view path);

}  // namespace cubelet::httpserver::testing
