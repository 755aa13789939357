// Owns: cubelet-server's HTTPS front: an event-driven HTTP/1.1 server (Boost.Beast over Asio,
// TLS on OpenSSL's C API under Asio) with keep-alive, client-certificate verification against a
// CA, request size limits, and streamed (chunked) responses whose per-stream buffer is bounded so
// a slow client is dropped instead of blocking anyone. Beast and Asio types stay in this folder.
// Does not own: what a request means (apiserver/ routes it), authentication decisions (it only
// reports the verified certificate), certificates themselves (pki/).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/logger.h"

namespace cubelet::httpserver {

// Header names are compared case-insensitively; `Get` returns the first value.
class Headers {
 public:
  void Add(std::string name, std::string value);
  std::optional<std::string_view> Get(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// The subject of a client certificate that verified against the server's client CA.
struct ClientCertificate {
  std::string common_name;
  std::vector<std::string> organizations;
};

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // as sent: "/api/v1/pods?limit=500"
  std::string path;     // percent-decoded path: "/api/v1/pods"
  // Percent-decoded query parameters in order ('+' is a space, as Go's url.ParseQuery).
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  std::optional<ClientCertificate> client_certificate;
  std::string remote_address;  // "127.0.0.1:53412"

  // The first value of query parameter `name`.
  std::optional<std::string_view> Query(std::string_view name) const;
  std::vector<std::string_view> QueryAll(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;  // Content-Length is set by the server
  std::string body;
};

// A response sent in chunks (watch, follow logs). Thread-safe: any thread may Write. Writes are
// queued and sent in order; when the queued bytes exceed the stream's limit the client is too
// slow: the connection is closed and Write returns false from then on.
class Stream {
 public:
  virtual ~Stream() = default;
  // Queues `chunk`; false once the stream is closed (client gone, too slow, server stopping).
  // The shared form lets one buffer go to many streams (a watch event fanned out to thousands
  // of watchers) without a copy each.
  virtual bool Write(std::shared_ptr<const std::string> chunk) = 0;
  bool Write(std::string chunk) { return Write(std::make_shared<const std::string>(std::move(chunk))); }
  // Ends the response (the terminating chunk); the connection stays open for keep-alive.
  virtual void Finish() = 0;
  virtual bool closed() const = 0;
  // Called once, on an I/O thread, when the stream closes for any reason other than Finish().
  // It must not block. Set it before the first Write.
  virtual void OnClose(std::function<void()> callback) = 0;
};

// Given to the handler for one request; exactly one of Send or StartStream must be called,
// from any thread, at any time (the connection waits for it).
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Send(Response response) = 0;
  // Sends the status line and headers of a chunked response and returns the stream to write to.
  virtual std::shared_ptr<Stream> StartStream(int status, Headers headers) = 0;
};

// Called on a worker thread (never on an I/O thread), so it may block briefly (store writes);
// long-lived work (watches) must return and write to the stream from elsewhere.
using Handler = std::function<void(Request request, std::shared_ptr<Responder> responder)>;

struct TlsFiles {
  std::string certificate_file;  // serving certificate chain, PEM
  std::string private_key_file;  // its key, PEM
  std::string client_ca_file;    // client certificates are verified against it when presented
};

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  int port = 6443;                  // 0 = any free port (see HttpServer::port())
  TlsFiles tls;
  size_t max_body_bytes = 3 << 20;  // larger bodies get 413 before the handler runs
  size_t max_header_bytes = 1 << 20;
  size_t stream_buffer_bytes = 1 << 20;  // queued bytes per Stream before the client is dropped
  int io_threads = 2;
  int worker_threads = 32;          // concurrent handler calls
  absl::Duration idle_timeout = absl::Minutes(2);  // keep-alive connections with nothing to do
  // Answers requests that arrive before the handler runs and when the request is unusable (413,
  // 400); the body is written as is.
  std::function<Response(int status, std::string_view message)> error_response;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Listens and serves until Stop(). An error names the address when it cannot listen, or the
  // file when a certificate or key cannot be loaded.
  virtual absl::Status Start() = 0;
  // Stops accepting, closes connections and streams (OnClose runs), and waits for handlers.
  virtual void Stop() = 0;
  // The port listened on (after Start; the chosen one when options.port was 0).
  virtual int port() const = 0;
};

std::unique_ptr<HttpServer> NewBeastServer(ServerOptions options, Handler handler, Logger logger);

}  // namespace cubelet::httpserver
