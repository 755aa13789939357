// Owns: the benchmark's HTTPS client for cubelet-server: admin credentials read out of
// admin.kubeconfig, one io_context run by one thread, and keep-alive TLS connections driven
// by C++20 coroutines (a request/response at a time, or one streaming response read line by
// line, as a watch is). Thousands of connections cost a socket and an SSL object each, no thread.
// Does not own: what is measured (apiserver_bench.cc), the server process.
//
// Errors come back as absl::Status; nothing here throws (every Asio call takes an error code or
// the as_tuple completion token).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <sys/types.h>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cubelet::bench {

namespace asio = boost::asio;

struct Credentials {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

// The CA, client certificate and key (base64 *-data fields) of a kubeconfig.
absl::StatusOr<Credentials> ReadKubeconfigCredentials(const std::string& path);

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE
  std::string target;          // "/api/v1/pods?limit=500"
  std::string body;
  std::string content_type = "application/json";
  std::string accept = "application/json";
};

struct HttpResult {
  int status = 0;
  std::string body;
};

// One io_context, run by one thread until destroyed, and the TLS context of every connection
// made on it. One thread: coroutines on a loop never run at the same time, so the workloads
// share their bookkeeping between coroutines without locks.
class ClientLoop {
 public:
  static absl::StatusOr<std::unique_ptr<ClientLoop>> Create(const Credentials& credentials);
  ~ClientLoop();  // stops the io_context and joins its thread
  pid_t thread_id() const { return tid_; }  // for /proc/self/task/<tid>/stat

  asio::io_context& io() { return io_; }
  asio::ssl::context& tls() { return tls_; }

  // Runs `coroutine` on the loop; `done` (on the loop thread) gets an error when it threw.
  void Spawn(std::function<asio::awaitable<void>()> coroutine, std::function<void(absl::Status)> done = nullptr);

 private:
  ClientLoop();
  asio::io_context io_;
  asio::ssl::context tls_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::atomic<pid_t> tid_{0};
  std::thread thread_;
};

// A keep-alive HTTPS connection to 127.0.0.1:port. Not thread-safe: used from its loop's thread,
// by one coroutine at a time.
class HttpsConnection {
 public:
  HttpsConnection(ClientLoop& loop, int port);

  asio::awaitable<absl::Status> Connect();  // TCP connect and TLS handshake
  asio::awaitable<absl::StatusOr<HttpResult>> Send(const HttpRequest& request);

  // Sends `request` and reads its chunked streaming response: `on_head` gets the status (a
  // non-200 ends the stream), `on_line` gets every complete line of the body, as it arrives.
  // Returns when the server ends the response or the connection fails or is closed.
  asio::awaitable<absl::Status> Stream(const HttpRequest& request, const std::function<void(int)>& on_head,
                                       const std::function<void(std::string_view)>& on_line);

  // Closes the socket; a pending Stream or Send ends with an error. Call on the loop thread
  // (asio::post it), as every other operation.
  void Close();

 private:
  boost::beast::http::request<boost::beast::http::string_body> MakeRequest(const HttpRequest& request) const;

  int port_;
  asio::ssl::stream<asio::ip::tcp::socket> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace cubelet::bench
