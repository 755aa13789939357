// The probe handlers against real local servers: an httplib HTTP server, a closed TCP port and
// a gRPC server with the standard health service.
#include "probes/handlers.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "probes/proto/health.grpc.pb.h"
#include "testbed/cubelet_process.h"

namespace cubelet::probes {
namespace {

using ::cubelet::testing::FreePort;

using ::testing::HasSubstr;

class HttpProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/ok", [this](const httplib::Request& req, httplib::Response& res) {
      user_agent_ = req.get_header_value("User-Agent");
      accept_ = req.get_header_value("Accept");
      custom_ = req.get_header_value("X-Custom");
      res.set_content("fine", "text/plain");
    });
    server_.Get("/fail", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
    server_.Get("/notfound", [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    server_.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "/fail");
    });
    server_.Get("/offhost", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "http://0.0.0.0/");
      res.set_content("<a href=\"http://0.0.0.0/\">Found</a>.", "text/html");
    });
    server_.Get("/loop", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "/loop");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  HandlerResult Get(const std::string& path, std::vector<api::HttpHeader> headers = {}) {
    api::HttpGetAction a;
    a.path = path;
    a.port.int_value = port_;
    a.http_headers = std::move(headers);
    return RunHttpGet(a, {"127.0.0.1", nullptr}, absl::Seconds(2));
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string user_agent_, accept_, custom_;
};

TEST_F(HttpProbeTest, SuccessBetween200And399WithUpstreamsHeaders) {
  HandlerResult r = Get("/ok", {{"X-Custom", "yes"}});
  EXPECT_EQ(r.result, ProbeResult::kSuccess);
  EXPECT_EQ(user_agent_, "kube-probe/1.32");
  EXPECT_EQ(accept_, "*/*");
  EXPECT_EQ(custom_, "yes");
  Get("/ok", {{"User-Agent", "mine"}, {"Accept", ""}});
  EXPECT_EQ(user_agent_, "mine");
  EXPECT_EQ(accept_, "") << "an explicit empty Accept removes it";
}

TEST_F(HttpProbeTest, ErrorCodesFailWithUpstreamsMessage) {
  HandlerResult r = Get("/fail");
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_EQ(r.output, "HTTP probe failed with statuscode: 500");
  EXPECT_EQ(Get("/notfound").output, "HTTP probe failed with statuscode: 404");
}

TEST_F(HttpProbeTest, RedirectsOnTheSameHostAreFollowedOthersAreAWarning) {
  HandlerResult same = Get("/redirect");
  EXPECT_EQ(same.result, ProbeResult::kFailure) << "followed to /fail";
  EXPECT_EQ(same.output, "HTTP probe failed with statuscode: 500");
  HandlerResult off = Get("/offhost");
  EXPECT_EQ(off.result, ProbeResult::kWarning);
  EXPECT_EQ(off.output, "Probe terminated redirects, Response body: <a href=\"http://0.0.0.0/\">Found</a>.");
  EXPECT_TRUE(IsSuccess(off.result));
  HandlerResult loop = Get("/loop");
  EXPECT_EQ(loop.result, ProbeResult::kFailure);
  EXPECT_EQ(loop.output, "stopped after 10 redirects");
}

TEST_F(HttpProbeTest, NamedPortsAndClosedPorts) {
  api::Container c;
  c.ports.push_back({.name = "http", .container_port = port_});
  api::HttpGetAction a;
  a.path = "/ok";
  a.port.is_string = true;
  a.port.str_value = "http";
  EXPECT_EQ(RunHttpGet(a, {"127.0.0.1", &c}, absl::Seconds(2)).result, ProbeResult::kSuccess);
  a.port = {false, FreePort(), ""};
  EXPECT_EQ(RunHttpGet(a, {"127.0.0.1", &c}, absl::Seconds(2)).result, ProbeResult::kFailure);
}

TEST(TcpProbeTest, OpenAndClosedPorts) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::listen(fd, 4);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  api::TcpSocketAction open;
  open.port.int_value = ntohs(addr.sin_port);
  EXPECT_EQ(RunTcpSocket(open, {"127.0.0.1", nullptr}, absl::Seconds(1)).result, ProbeResult::kSuccess);
  ::close(fd);
  api::TcpSocketAction closed;
  closed.port.int_value = FreePort();
  HandlerResult r = RunTcpSocket(closed, {"127.0.0.1", nullptr}, absl::Seconds(1));
  EXPECT_EQ(r.result, ProbeResult::kFailure);
  EXPECT_THAT(r.output, HasSubstr("connect: Connection refused"));
}

// A grpc.health.v1 server: "" and "ready-svc" serve, "sick-svc" does not.
class HealthService final : public grpc::health::v1::Health::Service {
  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest* req,
                     grpc::health::v1::HealthCheckResponse* resp) override {
    using R = grpc::health::v1::HealthCheckResponse;
    if (req->service().empty() || req->service() == "ready-svc") resp->set_status(R::SERVING);
    else if (req->service() == "sick-svc") resp->set_status(R::NOT_SERVING);
    else return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    return grpc::Status::OK;
  }
};

TEST(GrpcProbeTest, HealthServiceServingAndNotServing) {
  HealthService health;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&health);
  auto server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  api::GrpcAction a;
  a.port = port;
  EXPECT_EQ(RunGrpc(a, {"127.0.0.1", nullptr}, absl::Seconds(2)).result, ProbeResult::kSuccess);
  a.service = "ready-svc";
  EXPECT_EQ(RunGrpc(a, {"127.0.0.1", nullptr}, absl::Seconds(2)).result, ProbeResult::kSuccess);
  a.service = "sick-svc";
  HandlerResult sick = RunGrpc(a, {"127.0.0.1", nullptr}, absl::Seconds(2));
  EXPECT_EQ(sick.result, ProbeResult::kFailure);
  EXPECT_THAT(sick.output, HasSubstr("NOT_SERVING"));
  a.port = FreePort();
  a.service.reset();
  EXPECT_EQ(RunGrpc(a, {"127.0.0.1", nullptr}, absl::Seconds(1)).result, ProbeResult::kFailure);
  server->Shutdown();
}

}  // namespace
}  // namespace cubelet::probes
