// The probe handlers against hostile servers: one that drips its answer a byte at a time, one
// that sends an endless body, one that never finishes a TLS handshake; and ports that are not
// numbers a probe can use. A probe must end by its timeout and stop reading at its body cap,
// which the server sees as the connection closed while it still had more to send.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "common/strings.h"
#include "httpserver/test_pki.h"
#include "probes/handlers.h"

namespace cubelet::probes {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A TCP server on 127.0.0.1 that serves one connection with `serve` on its own thread.
class OneConnectionServer {
 public:
  // `serve` gets the accepted socket and returns whether the client closed the connection
  // before the server was done with what it meant to send.
  explicit OneConnectionServer(std::function<bool(int fd)> serve) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 4), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::jthread([this, serve = std::move(serve)] {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      closed_early_ = serve(fd);
      ::close(fd);
    });
  }
  ~OneConnectionServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);  // ends an accept still waiting
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  // Waits for the server to finish: did the client close before the server was done?
  bool ClosedByClientEarly() {
    if (thread_.joinable()) thread_.join();
    return closed_early_;
  }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  bool closed_early_ = false;
  std::jthread thread_;
};

// Reads the request head (through the empty line).
void ReadRequest(int fd) {
  std::string got;
  char buf[1024];
  while (got.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return;
    got.append(buf, static_cast<size_t>(n));
  }
}

// Waits up to `ms` for the client to close; true when it did.
bool ClientClosedWithin(int fd, int ms) {
  struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, ms) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

// Sends `prefix`, then one byte every 50 ms for 30 s: true when the client closed first.
bool Drip(int fd, const std::string& prefix) {
  ReadRequest(fd);
  ::send(fd, prefix.data(), prefix.size(), MSG_NOSIGNAL);
  for (int i = 0; i < 600; ++i) {
    if (ClientClosedWithin(fd, 50)) return true;
    if (::send(fd, "a", 1, MSG_NOSIGNAL) != 1) return true;
  }
  return false;
}

HandlerResult Get(int port, absl::Duration timeout, const std::string& scheme = "http") {
  api::HttpGetAction a;
  a.path = "/healthz";
  a.scheme = scheme;
  a.port.int_value = port;
  return RunHttpGet(a, {"127.0.0.1", nullptr}, timeout);
}

TEST(HttpProbeBoundsTest, HeadersDrippedAByteAtATimeFailAtTheTimeout) {
  OneConnectionServer server([](int fd) { return Drip(fd, "HTTP/1.1 200 OK\r\nX-Drip: "); });
  HandlerResult r = Get(server.port(), absl::Seconds(1));
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_EQ(r.output, StrCat("Get \"http://127.0.0.1:", server.port(),
                             "/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"));
  EXPECT_TRUE(server.ClosedByClientEarly()) << "the probe held the connection while the server dripped for 30 s";
}

TEST(HttpProbeBoundsTest, BodyDrippedAByteAtATimeFailsAtTheTimeout) {
  OneConnectionServer server(
      [](int fd) { return Drip(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"); });
  HandlerResult r = Get(server.port(), absl::Seconds(1));
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_THAT(r.output, HasSubstr("context deadline exceeded (Client.Timeout or context cancellation while reading body)"));
  EXPECT_TRUE(server.ClosedByClientEarly());
}

TEST(HttpProbeBoundsTest, AnUnansweredTlsHandshakeFailsAtTheTimeout) {
  OneConnectionServer server([](int fd) {
    for (int i = 0; i < 600; ++i) {  // reads the ClientHello and answers nothing, for 30 s
      struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buf[4096];
        if (::recv(fd, buf, sizeof(buf), 0) <= 0) return true;
      }
    }
    return false;
  });
  HandlerResult r = Get(server.port(), absl::Seconds(1), "HTTPS");
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_THAT(r.output, HasSubstr("context deadline exceeded"));
  EXPECT_TRUE(server.ClosedByClientEarly());
}

// 64 MiB of body without a length: the probe reads 10 KiB, succeeds, and closes the connection
// while the server is still sending.
TEST(HttpProbeBoundsTest, BodyIsReadOnlyUpToTenKibibytes) {
  OneConnectionServer server([](int fd) {
    ReadRequest(fd);
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n";
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 64; ++i) {
      if (::send(fd, block.data(), block.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(block.size())) return true;
    }
    return false;
  });
  HandlerResult r = Get(server.port(), absl::Seconds(10));
  EXPECT_EQ(r.result, ProbeResult::kSuccess);
  EXPECT_EQ(r.output, std::string(10 * 1024, 'x'));
  EXPECT_TRUE(server.ClosedByClientEarly()) << "the probe read the whole body";
}

TEST(HttpProbeBoundsTest, ChunkedBodiesAreDecoded) {
  OneConnectionServer server([](int fd) {
    ReadRequest(fd);
    const std::string answer =
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n";
    ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    return false;
  });
  HandlerResult r = Get(server.port(), absl::Seconds(5));
  EXPECT_EQ(r.result, ProbeResult::kSuccess);
  EXPECT_EQ(r.output, "Wikipedia");
}

TEST(HttpProbeBoundsTest, MalformedResponsesFailWithAReason) {
  OneConnectionServer server([](int fd) {
    ReadRequest(fd);
    const std::string answer = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
    ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    return false;
  });
  HandlerResult r = Get(server.port(), absl::Seconds(5));
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_THAT(r.output, HasSubstr("malformed HTTP response \"SSH-2.0-OpenSSH_9.2\""));
}

TEST(HttpProbeBoundsTest, HttpsIsServedWithoutVerifyingTheCertificate) {
  auto pki = httpserver::testing::MakeTestPki();
  ASSERT_TRUE(pki.ok()) << pki.status();
  httplib::SSLServer server((*pki)->server_cert_file.c_str(), (*pki)->server_key_file.c_str());
  ASSERT_TRUE(server.is_valid());
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::jthread listener([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  HandlerResult r = Get(port, absl::Seconds(5), "HTTPS");
  EXPECT_EQ(r.result, ProbeResult::kSuccess) << r.output;
  EXPECT_EQ(r.output, "ok");
  server.stop();
}

TEST(HttpProbeBoundsTest, HeaderValuesCannotAddHeaders) {
  api::HttpGetAction a;
  a.port.int_value = 1;
  a.http_headers = {{"X-A", "1\r\nX-Injected: yes"}};
  HandlerResult r = RunHttpGet(a, {"127.0.0.1", nullptr}, absl::Seconds(1));
  EXPECT_EQ(r.result, ProbeResult::kUnknown);
  EXPECT_EQ(r.output, "invalid header field for \"X-A\"");
}

api::IntOrString StringPort(const std::string& s) { return {true, 0, s}; }

TEST(ResolvePortTest, NamedAndNumericPortsAreResolvedAndOthersRefusedWithoutThrowing) {
  api::Container c;
  c.name = "app";
  c.ports.push_back({.name = "http", .container_port = 8080});
  c.ports.push_back({.name = "huge", .container_port = 70000});
  EXPECT_EQ(ResolvePort(StringPort("http"), &c).value_or(-1), 8080);
  EXPECT_EQ(ResolvePort(StringPort("8081"), &c).value_or(-1), 8081) << "a number written as a string";
  EXPECT_EQ(ResolvePort(StringPort("00000000000000000000080"), &c).value_or(-1), 80);
  EXPECT_EQ(ResolvePort({false, 443, ""}, &c).value_or(-1), 443);

  auto overflow = ResolvePort(StringPort("99999999999"), &c);
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().message(), "invalid port number: 99999999999");
  EXPECT_EQ(ResolvePort(StringPort("99999999999999999999999999999999"), &c).status().message(),
            "invalid port number: 99999999999999999999999999999999");
  EXPECT_EQ(ResolvePort(StringPort("65536"), &c).status().message(), "invalid port number: 65536");
  EXPECT_EQ(ResolvePort(StringPort("0"), &c).status().message(), "invalid port number: 0");
  EXPECT_EQ(ResolvePort(StringPort("metrics"), &c).status().message(), "port \"metrics\" not found in container \"app\"");
  EXPECT_EQ(ResolvePort(StringPort("-1"), &c).status().message(), "port \"-1\" not found in container \"app\"");
  EXPECT_EQ(ResolvePort(StringPort("huge"), &c).status().message(), "invalid port number: 70000 (port \"huge\")");
  EXPECT_EQ(ResolvePort({false, 0, ""}, &c).status().message(), "invalid port number: 0");
  EXPECT_EQ(ResolvePort({false, -5, ""}, nullptr).status().message(), "invalid port number: -5");
}

TEST(ResolvePortTest, ProbesWithUnusablePortsFailWithTheReason) {
  api::HttpGetAction http;
  http.port = StringPort("99999999999");
  HandlerResult r = RunHttpGet(http, {"127.0.0.1", nullptr}, absl::Seconds(1));
  EXPECT_EQ(r.result, ProbeResult::kUnknown);
  EXPECT_EQ(r.output, "invalid port number: 99999999999");
  api::TcpSocketAction tcp;
  tcp.port = StringPort("metrics");
  HandlerResult t = RunTcpSocket(tcp, {"127.0.0.1", nullptr}, absl::Seconds(1));
  EXPECT_EQ(t.result, ProbeResult::kUnknown);
  EXPECT_THAT(t.output, StartsWith("port \"metrics\" not found"));
}

}  // namespace
}  // namespace cubelet::probes
