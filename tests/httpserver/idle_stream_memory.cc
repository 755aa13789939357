// Reports (never asserts) how much server memory one idle TLS stream costs: the server runs in
// this process and N watch-like streams are opened against it from a forked child process that
// presents a client certificate, so the server's heap and RSS are not mixed with the clients'.
//
//   httpserver_idle_memory [--streams=N] [--no-client-cert] [--tls12] [--events=K]
//
// Stages, each measured once the child has reported the stage done:
//   baseline  server started, a few connections opened and closed (one-time allocations done)
//   open      N streams open, their response headers received
//   after     K events broadcast to every stream and received (the streams are idle again)
//   closed    the clients closed; the server noticed every close
// Memory is glibc's heap in use (mallinfo2: uordblks + hblkhd) and VmRSS from /proc/self/status.
#include <malloc.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/strings.h"
#include "httpserver/http_server.h"
#include "httpserver/server_fixture.h"
#include "httpserver/test_pki.h"
#include "httpserver/tls_test_client.h"

namespace cubelet::httpserver::testing {
namespace {

struct Sample {
  long heap = 0;  // bytes malloc'ed and not freed
  long rss = 0;   // bytes resident
};

Sample Measure() {
  Sample s;
  const struct mallinfo2 mi = mallinfo2();
  s.heap = static_cast<long>(mi.uordblks + mi.hblkhd);
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss = std::atol(line.c_str() + 6) * 1024;
  }
  return s;
}

// Streams opened by the handler, kept until the end.
class Streams {
 public:
  Handler NewHandler() {
    return [this](Request, std::shared_ptr<Responder> responder) {
      Headers headers;
      headers.Add("Content-Type", "application/json");
      std::shared_ptr<Stream> stream = responder->StartStream(200, std::move(headers));
      stream->OnClose([this] {
        absl::MutexLock lock(&mu_);
        ++closed_;
      });
      absl::MutexLock lock(&mu_);
      streams_.push_back(std::move(stream));
    };
  }
  bool AwaitClosed(size_t n) {
    absl::MutexLock lock(&mu_);
    auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return closed_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(120));
  }
  void Broadcast(const std::shared_ptr<const std::string>& event) {
    absl::MutexLock lock(&mu_);
    for (const auto& s : streams_) s->Write(event);
  }
  void Clear() {
    absl::MutexLock lock(&mu_);
    streams_.clear();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::shared_ptr<Stream>> streams_ ABSL_GUARDED_BY(mu_);
  size_t closed_ ABSL_GUARDED_BY(mu_) = 0;
};

bool SendLine(int fd, const std::string& s) {
  const std::string line = s + "\n";
  return ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

std::string ReadLine(int fd) {
  std::string out;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') out.push_back(c);
  return out;
}

std::string WatchRequest(int i) {
  return StrCat("GET /api/v1/pods?watch=true&i=", i, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

// The child: follows the parent's commands on `fd` and answers each with "ok" or an error.
int RunClients(int fd, const TestPki& pki, bool client_cert, bool tls12, int streams, int events) {
  const int port = std::atoi(ReadLine(fd).c_str());
  auto ctx = TlsClientContext::New({.ca_file = pki.ca_file,
                                    .cert_file = client_cert ? pki.client_cert_file : "",
                                    .key_file = client_cert ? pki.client_key_file : ""});
  if (!ctx.ok()) {
    SendLine(fd, StrCat("client context: ", ctx.status().ToString()));
    return 1;
  }
  if (tls12) SSL_CTX_set_max_proto_version((*ctx)->get(), TLS1_2_VERSION);
  auto open = [&](std::vector<std::unique_ptr<TlsTestClient>>& clients, int n) -> std::string {
    for (int i = 0; i < n; ++i) {
      auto c = TlsTestClient::Connect(port, *ctx);
      if (!c.ok()) return StrCat("connection ", i, ": ", c.status().ToString());
      if (!(*c)->Send(WatchRequest(i))) return StrCat("send ", i);
      clients.push_back(std::move(*c));
    }
    for (auto& c : clients) {
      if (!c->ReadUntil(HeaderArrived, absl::Seconds(60))) return "no response header";
    }
    return "ok";
  };
  std::vector<std::unique_ptr<TlsTestClient>> clients;
  for (;;) {
    const std::string command = ReadLine(fd);
    if (command == "warmup") {
      std::string r = open(clients, 20);
      clients.clear();
      SendLine(fd, r);
    } else if (command == "open") {
      SendLine(fd, open(clients, streams));
    } else if (command == "events") {
      std::string r = "ok";
      for (auto& c : clients) {
        const std::string want = StrCat("\"n\":", events - 1, "}");
        if (!c->ReadUntilContains(want, absl::Seconds(60))) r = "event not received";
        c->received().clear();
      }
      SendLine(fd, r);
    } else if (command == "close") {
      clients.clear();
      SendLine(fd, "ok");
    } else {
      return 0;
    }
  }
}

std::string Kb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f KB", bytes / 1000.0);
  return buf;
}

int Main(int argc, char** argv) {
  int streams = 2000;
  int events = 3;
  bool client_cert = true;
  bool tls12 = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--streams=", 0) == 0) {
      streams = std::atoi(a.c_str() + 10);
    } else if (a.rfind("--events=", 0) == 0) {
      events = std::max(1, std::atoi(a.c_str() + 9));
    } else if (a == "--no-client-cert") {
      client_cert = false;
    } else if (a == "--tls12") {
      tls12 = true;
    } else {
      std::cerr << "usage: " << argv[0] << " [--streams=N] [--events=K] [--no-client-cert] [--tls12]\n";
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  if (RaiseFileLimit() < streams + 200) {
    std::cerr << "RLIMIT_NOFILE's hard limit is too low for " << streams << " streams\n";
    return 1;
  }
  auto pki = MakeTestPki();
  if (!pki.ok()) {
    std::cerr << pki.status() << "\n";
    return 1;
  }
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return 1;
  // Fork before the server starts any thread.
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    std::_Exit(RunClients(fds[1], **pki, client_cert, tls12, streams, events));
  }
  ::close(fds[1]);
  const int ctl = fds[0];

  Streams collected;
  ServerOptions o;
  o.port = 0;
  o.tls = {.certificate_file = (*pki)->server_cert_file,
           .private_key_file = (*pki)->server_key_file,
           .client_ca_file = (*pki)->ca_file};
  o.io_threads = 2;
  o.worker_threads = 4;
  RealClock clock;
  std::unique_ptr<HttpServer> server =
      NewBeastServer(o, collected.NewHandler(), Logger(std::make_shared<StderrLogSink>(), 0, &clock));
  if (absl::Status s = server->Start(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  auto step = [&](const std::string& command) {
    SendLine(ctl, command);
    const std::string answer = ReadLine(ctl);
    if (answer != "ok") {
      std::cerr << command << ": " << answer << "\n";
      std::exit(1);
    }
  };
  SendLine(ctl, std::to_string(server->port()));
  step("warmup");
  collected.AwaitClosed(20);
  collected.Clear();
  absl::SleepFor(absl::Milliseconds(200));
  const Sample baseline = Measure();

  step("open");
  absl::SleepFor(absl::Milliseconds(200));
  const Sample open = Measure();

  for (int e = 0; e < events; ++e) {
    collected.Broadcast(std::make_shared<const std::string>(
        StrCat(R"({"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"p"}},"n":)", e, "}\n")));
  }
  step("events");
  absl::SleepFor(absl::Milliseconds(200));
  const Sample after = Measure();

  step("close");
  collected.AwaitClosed(20 + static_cast<size_t>(streams));
  collected.Clear();
  absl::SleepFor(absl::Milliseconds(200));
  const Sample closed = Measure();
  SendLine(ctl, "quit");
  server->Stop();
  int status = 0;
  ::waitpid(child, &status, 0);

  const double n = streams;
  std::cout << "idle TLS streams: " << streams << (client_cert ? " (client certificates" : " (no client certificate")
            << (tls12 ? ", TLS 1.2)" : ", TLS 1.3)")
            << ", " << events << " event(s) each\n"
            << "                       heap in use   RSS\n"
            << "  baseline             " << Kb(baseline.heap) << "      " << Kb(baseline.rss) << "\n"
            << "  per stream, open     " << Kb((open.heap - baseline.heap) / n) << "      "
            << Kb((open.rss - baseline.rss) / n) << "\n"
            << "  per stream, after    " << Kb((after.heap - baseline.heap) / n) << "      "
            << Kb((after.rss - baseline.rss) / n) << "\n"
            << "  per stream, closed   " << Kb((closed.heap - baseline.heap) / n) << "      "
            << Kb((closed.rss - baseline.rss) / n) << "\n";
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace cubelet::httpserver::testing

int main(int argc, char** argv) { return cubelet::httpserver::testing::Main(argc, argv); }
