// Requests and whole responses through real clients: cpp-httplib's TLS client and a raw one.
// PkgConfig::HTTPLIB defines CPPHTTPLIB_OPENSSL_SUPPORT, which enables httplib::SSLClient.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httpserver/server_fixture.h"

namespace cubelet::httpserver::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// Records the last request it saw and answers with a description of it.
class RecordingHandler {
 public:
  Handler handler() {
    return [this](Request request, std::shared_ptr<Responder> responder) {
      Response r;
      r.headers.Add("Content-Type", "text/plain");
      r.headers.Add("X-Method", request.method);
      r.body = StrCat(request.method, " ", request.path, " ", request.body);
      {
        absl::MutexLock lock(&mu_);
        last_ = std::move(request);
        ++calls_;
      }
      responder->Send(std::move(r));
    };
  }
  Request last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  Request last_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

std::unique_ptr<httplib::SSLClient> HttplibClient(int port, const TestPki& pki, const std::string& cert = "",
                                                  const std::string& key = "") {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port, cert, key);
  client->set_ca_cert_path(pki.ca_file.c_str());
  client->enable_server_certificate_verification(true);
  client->set_read_timeout(30, 0);
  return client;
}

TEST_F(HttpServerTest, ServesGetAndPostWithBody) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = HttplibClient(port_, *pki_);

  auto get = client->Get("/healthz", {{"X-Test", "yes"}});
  ASSERT_TRUE(get) << httplib::to_string(get.error());
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "GET /healthz ");
  EXPECT_EQ(get->get_header_value("X-Method"), "GET");
  EXPECT_EQ(recorder.last().headers.Get("x-test"), "yes");  // names compare case-insensitively
  EXPECT_EQ(recorder.last().remote_address.rfind("127.0.0.1:", 0), 0u);

  auto post = client->Post("/api/v1/namespaces/default/pods", R"({"kind":"Pod"})", "application/json");
  ASSERT_TRUE(post) << httplib::to_string(post.error());
  EXPECT_EQ(post->status, 200);
  EXPECT_EQ(post->body, R"(POST /api/v1/namespaces/default/pods {"kind":"Pod"})");
  EXPECT_EQ(recorder.last().headers.Get("Content-Type"), "application/json");
}

TEST_F(HttpServerTest, BodyJustUnderTheLimitArrivesWhole) {
  RecordingHandler recorder;
  ServerOptions options = Options();
  options.max_body_bytes = 2 << 20;
  StartServer(options, recorder.handler());
  std::string body(options.max_body_bytes, 'x');
  for (size_t i = 0; i < body.size(); i += 4099) body[i] = static_cast<char>('a' + i % 26);
  auto client = HttplibClient(port_, *pki_);

  auto post = client->Post("/upload", body, "application/octet-stream");
  ASSERT_TRUE(post) << httplib::to_string(post.error());
  EXPECT_EQ(post->status, 200);
  EXPECT_TRUE(recorder.last().body == body);
}

TEST_F(HttpServerTest, DecodesPathAndQueryLikeGo) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = Connect();
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->Send(
      "GET /api/v1/namespaces/a%2Fb/pods+x?labelSelector=app%3Dweb+tier&watch=1&empty&watch=true&;bad=1&"
      "bad%zz=1&&fieldSelector=spec.nodeName%3Dnode-1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponse(r).complete; }, absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).status, 200);

  const Request r = recorder.last();
  EXPECT_EQ(r.path, "/api/v1/namespaces/a/b/pods+x");  // '+' is literal in a path
  EXPECT_THAT(r.query, ElementsAre(Pair("labelSelector", "app=web tier"), Pair("watch", "1"), Pair("empty", ""),
                                   Pair("watch", "true"), Pair("fieldSelector", "spec.nodeName=node-1")));
  EXPECT_EQ(r.Query("watch"), "1");
  EXPECT_THAT(r.QueryAll("watch"), ElementsAre("1", "true"));
  EXPECT_EQ(r.Query("missing"), std::nullopt);
  EXPECT_EQ(r.target.rfind("/api/v1/namespaces/a%2Fb/pods+x?", 0), 0u);
}

TEST_F(HttpServerTest, MalformedPathEscapeGets400) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("GET /api/%zz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponse(r).complete; }, absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).status, 400);
  EXPECT_EQ(recorder.calls(), 0);
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = Connect();
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->Send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponse(r).complete; }, absl::Seconds(30)));
  const std::string first_remote = recorder.last().remote_address;
  client->received().clear();
  ASSERT_TRUE(client->Send("POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponse(r).complete; }, absl::Seconds(30)));

  const ParsedResponse second = ParseResponse(client->received());
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "POST /two abc");
  EXPECT_EQ(recorder.last().remote_address, first_remote);  // the same connection
  EXPECT_FALSE(client->closed());
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  // /slow answers later from another thread; /fast at once. The answers must still come in the
  // order of the requests.
  std::vector<std::jthread> answerers;
  absl::Mutex mu;
  StartServer(Options(), [&](Request request, std::shared_ptr<Responder> responder) {
    if (request.path == "/slow") {
      absl::MutexLock lock(&mu);
      answerers.emplace_back([responder] {
        absl::SleepFor(absl::Milliseconds(200));
        responder->Send({.status = 200, .headers = {}, .body = "slow"});
      });
      return;
    }
    responder->Send({.status = 200, .headers = {}, .body = "fast"});
  });
  auto client = Connect();
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponses(r).size() == 2; }, absl::Seconds(30)));

  const std::vector<ParsedResponse> responses = ParseResponses(client->received());
  EXPECT_EQ(responses[0].body, "slow");
  EXPECT_EQ(responses[1].body, "fast");
  server_->Stop();
}

TEST_F(HttpServerTest, Http10ConnectionClosesAfterTheResponse) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = Connect();
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->Send("GET /old HTTP/1.0\r\n\r\n"));
  ASSERT_TRUE(client->WaitForClose(absl::Seconds(30)));

  const ParsedResponse r = ParseResponse(client->received());
  EXPECT_EQ(r.version, "HTTP/1.0");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /old ");
  EXPECT_EQ(r.Header("connection"), "close");
}

TEST_F(HttpServerTest, ConnectionCloseRequestIsAnsweredThenClosed) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(client->WaitForClose(absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).body, "GET /bye ");
}

TEST_F(HttpServerTest, VerifiedClientCertificateIsReported) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = HttplibClient(port_, *pki_, pki_->client_cert_file, pki_->client_key_file);

  auto res = client->Get("/api/v1/nodes/node-1");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);

  const Request r = recorder.last();
  ASSERT_TRUE(r.client_certificate.has_value());
  EXPECT_EQ(r.client_certificate->common_name, "system:node:node-1");
  EXPECT_THAT(r.client_certificate->organizations, ElementsAre("system:nodes", "team-a"));
}

// Like kube-apiserver, an untrusted certificate does not fail the handshake (a bearer token may
// still authenticate the request); it just gives no identity.
TEST_F(HttpServerTest, UntrustedClientCertificateGivesNoIdentity) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client =
      HttplibClient(port_, *pki_, pki_->untrusted_client_cert_file, pki_->untrusted_client_key_file);

  auto res = client->Get("/api", {{"Authorization", "Bearer token"}});
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(recorder.calls(), 1);
  EXPECT_FALSE(recorder.last().client_certificate.has_value());
  EXPECT_EQ(recorder.last().headers.Get("authorization"), "Bearer token");
}

TEST_F(HttpServerTest, NoClientCertificateGivesNoIdentity) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = HttplibClient(port_, *pki_);
  auto res = client->Get("/api");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_FALSE(recorder.last().client_certificate.has_value());
}

TEST_F(HttpServerTest, OversizedBodyGets413WithoutCallingTheHandler) {
  RecordingHandler recorder;
  ServerOptions options = Options();
  options.max_body_bytes = 64 << 10;
  StartServer(options, recorder.handler());
  auto client = HttplibClient(port_, *pki_);

  auto res = client->Post("/api/v1/namespaces/default/configmaps", std::string(1 << 20, 'x'), "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 413);
  EXPECT_THAT(res->body, HasSubstr(R"("kind":"Status")"));
  EXPECT_THAT(res->body, HasSubstr(R"("code":413)"));
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(recorder.calls(), 0);
}

TEST_F(HttpServerTest, OversizedChunkedBodyGets413) {
  RecordingHandler recorder;
  ServerOptions options = Options();
  options.max_body_bytes = 16 << 10;
  StartServer(options, recorder.handler());
  auto client = Connect();
  ASSERT_NE(client, nullptr);

  std::string request = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; ++i) StrAppend(&request, "1000\r\n", std::string(0x1000, 'y'), "\r\n");
  request += "0\r\n\r\n";
  client->Send(request);  // the server may close before taking it all
  ASSERT_TRUE(client->WaitForClose(absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).status, 413);
  EXPECT_EQ(recorder.calls(), 0);
}

TEST_F(HttpServerTest, ExpectContinueGetsContinueBeforeTheBody) {
  RecordingHandler recorder;
  StartServer(Options(), recorder.handler());
  auto client = Connect();
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->Send("PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntilContains("100 Continue\r\n\r\n", absl::Seconds(30)));
  client->received().clear();
  ASSERT_TRUE(client->Send("hello"));
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponse(r).complete; }, absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).body, "PUT /x hello");
}

TEST_F(HttpServerTest, HandlerAnswersLaterFromAnotherThread) {
  absl::Notification handler_returned;
  std::jthread later;
  StartServer(Options(), [&](Request, std::shared_ptr<Responder> responder) {
    later = std::jthread([responder, &handler_returned] {
      handler_returned.WaitForNotification();
      absl::SleepFor(absl::Milliseconds(100));
      Response r;
      r.status = 201;
      r.body = "created later";
      responder->Send(std::move(r));
    });
    handler_returned.Notify();
  });
  auto client = HttplibClient(port_, *pki_);

  auto res = client->Post("/later", "", "text/plain");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "created later");
  server_->Stop();
}

TEST_F(HttpServerTest, UnansweredRequestGets500) {
  StartServer(Options(), [](Request, std::shared_ptr<Responder>) {});
  auto client = HttplibClient(port_, *pki_);
  auto res = client->Get("/dropped");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 500);
  EXPECT_THAT(res->body, HasSubstr(R"("code":500)"));
}

TEST_F(HttpServerTest, ThrowingHandlerGets500AndServerKeepsServing) {
  StartServer(Options(), [](Request request, std::shared_ptr<Responder> responder) {
    if (request.path == "/throw") throw std::runtime_error("boom");
    responder->Send({.status = 200, .headers = {}, .body = "ok"});
  });
  auto client = HttplibClient(port_, *pki_);
  auto thrown = client->Get("/throw");
  ASSERT_TRUE(thrown) << httplib::to_string(thrown.error());
  EXPECT_EQ(thrown->status, 500);
  auto ok = client->Get("/fine");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->body, "ok");
  EXPECT_EQ(log_sink_->Count(R"(thread="http-worker" operation="HTTP request handler" err="boom")"), 1);
}

TEST_F(HttpServerTest, HandlerThrowingANonStandardExceptionGets500AndServerKeepsServing) {
  StartServer(Options(), [](Request request, std::shared_ptr<Responder> responder) {
    if (request.path == "/throw") throw 42;
    responder->Send({.status = 200, .headers = {}, .body = "ok"});
  });
  auto client = HttplibClient(port_, *pki_);
  for (int i = 0; i < 5; ++i) {  // more throws than worker threads: each thread survives its throw
    auto thrown = client->Get("/throw");
    ASSERT_TRUE(thrown) << httplib::to_string(thrown.error());
    EXPECT_EQ(thrown->status, 500);
  }
  auto ok = client->Get("/fine");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->body, "ok");
  EXPECT_EQ(log_sink_->Count(R"(thread="http-worker")"), 5);
}

TEST_F(HttpServerTest, HeadResponseHasLengthButNoBody) {
  StartServer(Options(), [](Request, std::shared_ptr<Responder> responder) {
    responder->Send({.status = 200, .headers = {}, .body = "twelve bytes"});
  });
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /y HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntilContains("twelve bytes", absl::Seconds(30)));
  // The HEAD answer ends at its header, so the GET's answer follows right after it.
  const size_t second = client->received().find("HTTP/1.1 200", 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(ParseResponse(client->received().substr(0, second)).Header("content-length"), "12");
  EXPECT_EQ(client->received().substr(second - 4, 4), "\r\n\r\n");
}

TEST_F(HttpServerTest, HeaderValuesCannotSplitTheResponse) {
  StartServer(Options(), [](Request, std::shared_ptr<Responder> responder) {
    Response r;
    r.headers.Add("X-Echo", "a\r\nX-Injected: 1");
    r.headers.Add("Bad Name", "dropped");
    r.headers.Add("Content-Length", "999");  // the server sets framing headers itself
    r.body = "ok";
    responder->Send(std::move(r));
  });
  auto client = HttplibClient(port_, *pki_);
  auto res = client->Get("/x");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->body, "ok");
  EXPECT_FALSE(res->has_header("X-Injected"));
  EXPECT_EQ(res->get_header_value("X-Echo"), "a  X-Injected: 1");
  EXPECT_EQ(res->get_header_value("Content-Length"), "2");
}

}  // namespace
}  // namespace cubelet::httpserver::testing
