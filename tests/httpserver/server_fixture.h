// Owns: the fixture the HTTPS server's tests share: a throwaway PKI, a server on 127.0.0.1 with
// an ephemeral port, raw TLS clients for it (also one holding a stream open), and a
// Kubernetes-Status error body.
// Does not own: the tests' handlers.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/logger.h"
#include "gtest/gtest.h"
#include "httpserver/http_server.h"
#include "httpserver/test_pki.h"
#include "httpserver/tls_test_client.h"

namespace cubelet::httpserver::testing {

class StreamCollector;

// A Kubernetes Status, as the apiserver's error_response will build it.
Response StatusErrorResponse(int status, std::string_view message);

// Raises RLIMIT_NOFILE to its hard limit and returns the new soft limit.
long RaiseFileLimit();

class HttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void TearDown() override;

  // TLS files set, port 0, small pools, error_response = StatusErrorResponse.
  ServerOptions Options() const;
  // Starts server_ and sets port_; fails the test when Start fails.
  void StartServer(ServerOptions options, Handler handler);

  static std::shared_ptr<TlsClientContext> ClientContext(const std::string& cert_file = "",
                                                         const std::string& key_file = "",
                                                         int receive_buffer_bytes = 0);
  // A connected raw TLS client (no client certificate unless `ctx` has one).
  std::unique_ptr<TlsTestClient> Connect(std::shared_ptr<TlsClientContext> ctx = nullptr) const;
  // A client (as Connect) that sent GET `path` and received the response's headers once
  // `collector` held `streams` streams; null, with the failed step recorded, when a step fails.
  std::unique_ptr<TlsTestClient> ConnectToStream(StreamCollector& collector, std::string_view path,
                                                 size_t streams = 1,
                                                 std::shared_ptr<TlsClientContext> ctx = nullptr) const;

  static std::unique_ptr<TestPki> pki_;
  std::shared_ptr<CapturingLogSink> log_sink_ = std::make_shared<CapturingLogSink>();
  RealClock clock_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

}  // namespace cubelet::httpserver::testing
