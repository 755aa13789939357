#include "httpserver/server_fixture.h"

#include <sys/resource.h>

#include <csignal>

#include "common/strings.h"
#include "httpserver/stream_collector.h"

namespace cubelet::httpserver::testing {

std::unique_ptr<TestPki> HttpServerTest::pki_;

Response StatusErrorResponse(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.headers.Add("Content-Type", "application/json");
  r.body = StrCat(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")", message,
                  R"(","code":)", status, "}");
  return r;
}

long RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<long>(limit.rlim_cur);
}

void HttpServerTest::SetUpTestSuite() {
  // The raw client writes with write(2) (OpenSSL answers a close_notify); a server that already
  // closed must fail that write, not kill the test.
  signal(SIGPIPE, SIG_IGN);
  if (pki_ != nullptr) return;
  auto pki = MakeTestPki();
  ASSERT_TRUE(pki.ok()) << pki.status();
  pki_ = std::move(*pki);
}

void HttpServerTest::TearDownTestSuite() { pki_.reset(); }

void HttpServerTest::TearDown() {
  if (server_ != nullptr) server_->Stop();
  server_.reset();
}

ServerOptions HttpServerTest::Options() const {
  ServerOptions o;
  o.bind_address = "127.0.0.1";
  o.port = 0;
  o.tls = {.certificate_file = pki_->server_cert_file,
           .private_key_file = pki_->server_key_file,
           .client_ca_file = pki_->ca_file};
  o.io_threads = 2;
  o.worker_threads = 4;
  o.error_response = StatusErrorResponse;
  return o;
}

void HttpServerTest::StartServer(ServerOptions options, Handler handler) {
  server_ = NewBeastServer(std::move(options), std::move(handler), Logger(log_sink_, 4, &clock_));
  const absl::Status status = server_->Start();
  ASSERT_TRUE(status.ok()) << status;
  port_ = server_->port();
  ASSERT_GT(port_, 0);
}

std::shared_ptr<TlsClientContext> HttpServerTest::ClientContext(const std::string& cert_file,
                                                               const std::string& key_file,
                                                               int receive_buffer_bytes) {
  auto ctx = TlsClientContext::New({.ca_file = pki_->ca_file,
                                    .cert_file = cert_file,
                                    .key_file = key_file,
                                    .receive_buffer_bytes = receive_buffer_bytes});
  EXPECT_TRUE(ctx.ok()) << ctx.status();
  return ctx.ok() ? *ctx : nullptr;
}

std::unique_ptr<TlsTestClient> HttpServerTest::Connect(std::shared_ptr<TlsClientContext> ctx) const {
  if (ctx == nullptr) ctx = ClientContext();
  auto client = TlsTestClient::Connect(port_, std::move(ctx));
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(*client) : nullptr;
}

std::unique_ptr<TlsTestClient> HttpServerTest::ConnectToStream(StreamCollector& collector, std::string_view path,
                                                               size_t streams,
                                                               std::shared_ptr<TlsClientContext> ctx) const {
  std::unique_ptr<TlsTestClient> client = Connect(std::move(ctx));
  if (client == nullptr) return nullptr;
  if (!client->Send(GetRequest(path))) {
    ADD_FAILURE() << "sending GET " << path << " failed";
    return nullptr;
  }
  if (!collector.AwaitStreams(streams)) {
    ADD_FAILURE() << "the server never held stream " << streams << " (GET " << path << ")";
    return nullptr;
  }
  if (!client->ReadUntil(HeaderArrived, absl::Seconds(30))) {
    ADD_FAILURE() << "no response headers for GET " << path;
    return nullptr;
  }
  return client;
}

}  // namespace cubelet::httpserver::testing
