// Timeouts and hostile or broken clients: idle keep-alive, streams that must not time out,
// slowloris, malformed and oversized headers, TLS garbage, half-closed sockets, start errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>

#include "absl/synchronization/mutex.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httpserver/server_fixture.h"

namespace cubelet::httpserver::testing {
namespace {

using ::testing::HasSubstr;

Handler OkHandler(std::atomic<int>* calls) {
  return [calls](Request, std::shared_ptr<Responder> responder) {
    ++*calls;
    responder->Send({.status = 200, .headers = {}, .body = "ok"});
  };
}

bool Complete(const std::string& r) { return ParseResponse(r).complete; }

// A plain TCP connection (no TLS) to 127.0.0.1:port.
int ConnectTcp(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the server closes `fd` within `timeout` (reads and drops whatever it sends).
bool TcpClosedWithin(int fd, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  char buf[4096];
  while (absl::Now() < deadline) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return true;
  }
  return false;
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionTimesOut) {
  std::atomic<int> calls{0};
  ServerOptions options = Options();
  options.idle_timeout = absl::Milliseconds(300);
  StartServer(options, OkHandler(&calls));
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntil(Complete, absl::Seconds(30)));

  EXPECT_TRUE(client->WaitForClose(absl::Seconds(30)));
  EXPECT_GE(log_sink_->Count("idle timeout"), 1);
}

TEST_F(HttpServerTest, OpenStreamDoesNotTimeOut) {
  std::shared_ptr<Stream> stream;
  absl::Mutex mu;
  ServerOptions options = Options();
  options.idle_timeout = absl::Milliseconds(200);
  StartServer(options, [&](Request, std::shared_ptr<Responder> responder) {
    absl::MutexLock lock(&mu);
    stream = responder->StartStream(200, {});
  });
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponse(r).header_complete; },
                                absl::Seconds(30)));

  absl::SleepFor(absl::Milliseconds(1200));  // six idle timeouts
  std::shared_ptr<Stream> s;
  {
    absl::MutexLock lock(&mu);
    s = stream;
  }
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->Write(std::string("still here")));
  EXPECT_TRUE(client->ReadUntilContains("still here", absl::Seconds(30)));
  s->Finish();
  // Back to keep-alive: now the idle timeout applies again.
  EXPECT_TRUE(client->WaitForClose(absl::Seconds(30)));
  EXPECT_TRUE(ParseResponse(client->received()).complete);
}

TEST_F(HttpServerTest, SlowlorisHeaderIsCutOff) {
  std::atomic<int> calls{0};
  ServerOptions options = Options();
  options.idle_timeout = absl::Milliseconds(500);
  StartServer(options, OkHandler(&calls));
  auto client = Connect();
  ASSERT_NE(client, nullptr);

  // A byte every 50 ms keeps the connection busy but never finishes the header.
  ASSERT_TRUE(client->Send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  bool closed = false;
  while (absl::Now() < deadline) {
    if (!client->Send("a") || client->WaitForClose(absl::Milliseconds(50))) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  std::atomic<int> calls{0};
  StartServer(Options(), OkHandler(&calls));
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("THIS IS NOT HTTP\r\n\r\n"));
  ASSERT_TRUE(client->WaitForClose(absl::Seconds(30)));
  const ParsedResponse r = ParseResponse(client->received());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr(R"("code":400)"));
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpServerTest, ConflictingFramingGets400) {
  std::atomic<int> calls{0};
  StartServer(Options(), OkHandler(&calls));
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  // Request smuggling shape: two different body lengths.
  ASSERT_TRUE(client->Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"));
  ASSERT_TRUE(client->WaitForClose(absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).status, 400);
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  std::atomic<int> calls{0};
  ServerOptions options = Options();
  options.max_header_bytes = 8 << 10;
  StartServer(options, OkHandler(&calls));
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  std::string request = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 2000; ++i) StrAppend(&request, "X-Deep-", i, ": v\r\n");  // many small fields
  request += "\r\n";
  client->Send(request);
  ASSERT_TRUE(client->WaitForClose(absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).status, 431);
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpServerTest, TlsGarbageAndPlainHttpAreDroppedAndServingContinues) {
  std::atomic<int> calls{0};
  StartServer(Options(), OkHandler(&calls));

  std::mt19937 rng(42);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  garbage[0] = 0x16;  // looks like a handshake record at first
  const int fd = ConnectTcp(port_);
  ASSERT_GE(fd, 0);
  ::send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL);
  EXPECT_TRUE(TcpClosedWithin(fd, absl::Seconds(30)));
  ::close(fd);

  const int plain = ConnectTcp(port_);
  ASSERT_GE(plain, 0);
  const std::string_view http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(plain, http.data(), http.size(), MSG_NOSIGNAL);
  EXPECT_TRUE(TcpClosedWithin(plain, absl::Seconds(30)));
  ::close(plain);

  // A client that connects and says nothing is dropped after the handshake timeout.
  const int silent = ConnectTcp(port_);
  ASSERT_GE(silent, 0);

  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(client->ReadUntil(Complete, absl::Seconds(30)));
  EXPECT_EQ(ParseResponse(client->received()).body, "ok");
  EXPECT_EQ(calls, 1);
  ::close(silent);
}

TEST_F(HttpServerTest, SilentConnectionIsDroppedAfterTheHandshakeTimeout) {
  std::atomic<int> calls{0};
  ServerOptions options = Options();
  options.idle_timeout = absl::Milliseconds(300);
  StartServer(options, OkHandler(&calls));
  const int fd = ConnectTcp(port_);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(TcpClosedWithin(fd, absl::Seconds(30)));
  ::close(fd);
  EXPECT_GE(log_sink_->Count("TLS handshake timed out"), 1);
}

TEST_F(HttpServerTest, HalfClosedClientStillGetsItsResponse) {
  std::atomic<int> calls{0};
  StartServer(Options(), OkHandler(&calls));
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  client->ShutdownWrite();
  ASSERT_TRUE(client->WaitForClose(absl::Seconds(30)));
  const ParsedResponse r = ParseResponse(client->received());
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body, "ok");
}

TEST_F(HttpServerTest, StartNamesTheFileItCannotLoad) {
  ServerOptions options = Options();
  options.tls.private_key_file = "/nonexistent/server.key";
  server_ = NewBeastServer(options, [](Request, std::shared_ptr<Responder>) {},
                           Logger(log_sink_, 0, &clock_));
  const absl::Status status = server_->Start();
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent/server.key"));

  options = Options();
  options.tls.client_ca_file = "/nonexistent/ca.crt";
  server_ = NewBeastServer(options, [](Request, std::shared_ptr<Responder>) {},
                           Logger(log_sink_, 0, &clock_));
  EXPECT_THAT(server_->Start().message(), HasSubstr("/nonexistent/ca.crt"));
}

TEST_F(HttpServerTest, StartNamesTheAddressItCannotListenOn) {
  std::atomic<int> calls{0};
  StartServer(Options(), OkHandler(&calls));
  ServerOptions options = Options();
  options.port = port_;  // taken
  auto second = NewBeastServer(options, OkHandler(&calls), Logger(log_sink_, 0, &clock_));
  const absl::Status status = second->Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr(StrCat("127.0.0.1:", port_)));
}

}  // namespace
}  // namespace cubelet::httpserver::testing
