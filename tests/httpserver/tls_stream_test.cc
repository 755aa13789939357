// The server's TLS layer (internal/tls_stream.h) seen from real clients: responses larger than
// one write step, a TLS 1.2 client, KeyUpdate from the client (also while the server is blocked
// writing to it), and close_notify.
#include <openssl/ssl.h>
#include <poll.h>

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "httpserver/server_fixture.h"
#include "httpserver/stream_collector.h"

namespace cubelet::httpserver::testing {
namespace {

// Bytes that show a lost, repeated or reordered slice.
std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i / 7 + i % 13) % 26);
  return s;
}

// Sends a TLS 1.3 KeyUpdate that asks the server to update its keys too.
bool SendKeyUpdate(TlsTestClient& client) {
  if (SSL_key_update(client.ssl(), SSL_KEY_UPDATE_REQUESTED) != 1) return false;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    const int r = SSL_do_handshake(client.ssl());
    if (r == 1) return true;
    const int err = SSL_get_error(client.ssl(), r);
    if (err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ) return false;
    pollfd p{.fd = client.fd(), .events = static_cast<short>(err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN)};
    ::poll(&p, 1, 100);
  }
  return false;
}

// After the first stream finished: the same connection carries a second request (the
// collector's second stream), and the server closed nothing.
void ExpectNextRequestServed(TlsTestClient& client, StreamCollector& collector) {
  client.received().clear();
  ASSERT_TRUE(client.Send(GetRequest("/second")));
  ASSERT_TRUE(collector.AwaitStreams(2));
  EXPECT_TRUE(client.ReadUntil(HeaderArrived, absl::Seconds(30)));
  EXPECT_EQ(collector.closed(), 0);
}

TEST_F(HttpServerTest, ResponseLargerThanAWriteStepArrivesWholeAndInOrder) {
  const std::string body = Pattern((3 << 20) + 7);
  StartServer(Options(), [&body](Request, std::shared_ptr<Responder> responder) {
    Response r;
    r.body = body;
    responder->Send(std::move(r));
  });
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send(GetRequest("/big")));
  ASSERT_TRUE(client->ReadUntil(ResponseComplete, absl::Seconds(60)));
  ParsedResponse r = ParseResponse(client->received());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), body.size());
  EXPECT_TRUE(r.body == body);
}

TEST_F(HttpServerTest, Tls12ClientIsServedWithItsCertificateIdentity) {
  StartServer(Options(), [](Request request, std::shared_ptr<Responder> responder) {
    Response r;
    r.body = request.client_certificate ? request.client_certificate->common_name : "anonymous";
    responder->Send(std::move(r));
  });
  std::shared_ptr<TlsClientContext> ctx = ClientContext(pki_->client_cert_file, pki_->client_key_file);
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(ctx->get(), TLS1_2_VERSION), 1);
  auto client = Connect(ctx);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(SSL_version(client->ssl()), TLS1_2_VERSION);

  ASSERT_TRUE(client->Send(GetRequest("/whoami")));
  ASSERT_TRUE(client->ReadUntil(ResponseComplete, absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).body, "system:node:node-1");
}

TEST_F(HttpServerTest, ClientKeyUpdateDuringAStreamIsFollowed) {
  auto collector = std::make_shared<StreamCollector>();
  StartServer(Options(), StreamCollector::NewHandler(collector));
  auto client = ConnectToStream(*collector, "/watch");
  ASSERT_NE(client, nullptr);

  // The server reads the KeyUpdate while it has nothing to write, and must answer it.
  ASSERT_TRUE(SendKeyUpdate(*client));
  std::shared_ptr<Stream> stream = collector->Find("/watch");
  ASSERT_TRUE(stream->Write(std::string("after-update\n")));
  ASSERT_TRUE(client->ReadUntilContains("after-update", absl::Seconds(30)));
  stream->Finish();
  ASSERT_TRUE(client->ReadUntil(ResponseComplete, absl::Seconds(30)));

  // Only a server that took the client's new keys can read this request.
  ExpectNextRequestServed(*client, *collector);
}

TEST_F(HttpServerTest, ClientKeyUpdateWhileTheServerIsBlockedWritingKeepsBothDirectionsIntact) {
  auto collector = std::make_shared<StreamCollector>();
  ServerOptions options = Options();
  options.stream_buffer_bytes = 4 << 20;  // room for the chunk and the tail: not a slow client
  StartServer(options, StreamCollector::NewHandler(collector));
  // A small receive buffer: the big chunk below stays stuck in the server's write.
  auto client = ConnectToStream(*collector, "/watch", 1, ClientContext("", "", 16 << 10));
  ASSERT_NE(client, nullptr);

  std::shared_ptr<Stream> stream = collector->Find("/watch");
  const std::string chunk = Pattern(2 << 20);
  ASSERT_TRUE(stream->Write(chunk));
  // The KeyUpdate's answer must go out between the records already encrypted with the old key
  // and the ones after it.
  ASSERT_TRUE(SendKeyUpdate(*client));
  ASSERT_TRUE(stream->Write(std::string("tail\n")));
  ASSERT_TRUE(client->ReadUntilContains("tail\n", absl::Seconds(60)));
  stream->Finish();
  ASSERT_TRUE(client->ReadUntil(ResponseComplete, absl::Seconds(30)));
  ParsedResponse r = ParseResponse(client->received());
  ASSERT_EQ(r.chunks.size(), 2u);
  EXPECT_TRUE(r.chunks[0] == chunk);
  EXPECT_EQ(r.chunks[1], "tail\n");

  ExpectNextRequestServed(*client, *collector);
}

TEST_F(HttpServerTest, CloseNotifyFromTheClientClosesItsStream) {
  auto collector = std::make_shared<StreamCollector>();
  StartServer(Options(), StreamCollector::NewHandler(collector));
  auto client = ConnectToStream(*collector, "/watch");
  ASSERT_NE(client, nullptr);

  SSL_shutdown(client->ssl());  // close_notify, the TCP connection stays open

  ASSERT_TRUE(collector->AwaitClosed(1));
  EXPECT_FALSE(collector->Find("/watch")->Write(std::string("nobody listens")));
  EXPECT_TRUE(client->WaitForClose(absl::Seconds(30)));
}

}  // namespace
}  // namespace cubelet::httpserver::testing
