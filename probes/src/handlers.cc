#include "probes/handlers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include "common/strings.h"
#include "probes/proto/health.grpc.pb.h"

namespace cubelet::probes {
namespace {

constexpr size_t kMaxBodyBytes = 10 * 1024;
constexpr int kMaxRedirects = 10;

std::string HostOf(const std::string& host, const ProbeTarget& target) { return host.empty() ? target.pod_ip : host; }

}  // namespace

std::string ProbeUserAgent() { return "kube-probe/1.32"; }

int ResolvePort(const api::IntOrString& port, const api::Container* container) {
  if (!port.is_string) return port.int_value;
  if (container != nullptr) {
    for (const auto& p : container->ports) {
      if (p.name == port.str_value) return p.container_port;
    }
  }
  int n = 0;
  if (!port.str_value.empty() && port.str_value.find_first_not_of("0123456789") == std::string::npos) {
    n = std::stoi(port.str_value);
    return n;
  }
  return -1;
}

HandlerResult RunExec(cri::RuntimeService& runtime, const std::string& container_id,
                      const std::vector<std::string>& command, absl::Duration timeout) {
  return ExecResult(runtime.ExecSync(container_id, command, timeout));
}

HandlerResult ExecResult(const absl::StatusOr<cri::ExecSyncResult>& r) {
  if (!r.ok()) {
    if (r.status().code() == absl::StatusCode::kDeadlineExceeded) {
      return {ProbeResult::kFailure, StrCat("command timed out: ", r.status().message())};
    }
    return {ProbeResult::kUnknown, std::string(r.status().message())};
  }
  std::string out = r->stdout_data + r->stderr_data;
  if (r->exit_code != 0) {
    if (out.empty()) out = StrCat("command exited with ", r->exit_code);
    return {ProbeResult::kFailure, out};
  }
  return {ProbeResult::kSuccess, out};
}

HandlerResult RunHttpGet(const api::HttpGetAction& action, const ProbeTarget& target, absl::Duration timeout) {
  const int port = ResolvePort(action.port, target.container);
  if (port <= 0 || port > 65535) return {ProbeResult::kUnknown, StrCat("invalid port: ", action.port.str_value)};
  std::string host = HostOf(action.host, target);
  httplib::Headers headers;
  bool has_ua = false, has_accept = false;
  for (const auto& h : action.http_headers) {
    std::string lower = h.name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == "host") {
      host = h.value;  // the Host header names the request's host
      continue;
    }
    if (lower == "user-agent") has_ua = true;
    if (lower == "accept") has_accept = true;  // an explicit empty Accept is sent empty
    headers.emplace(h.name, h.value);
  }
  if (!has_ua) headers.emplace("User-Agent", ProbeUserAgent());
  if (!has_accept) headers.emplace("Accept", "*/*");
  std::string scheme = action.scheme;
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  const std::string origin_host = HostOf(action.host, target);
  std::string path = action.path.empty() ? "/" : action.path;
  if (path[0] != '/') path = "/" + path;
  const int64_t ms = absl::ToInt64Milliseconds(timeout);
  for (int redirects = 0;; ++redirects) {
    httplib::Client client(StrCat(scheme, "://", origin_host, ":", port));
    client.enable_server_certificate_verification(false);
    client.set_connection_timeout(ms / 1000, (ms % 1000) * 1000);
    client.set_read_timeout(ms / 1000, (ms % 1000) * 1000);
    client.set_keep_alive(false);
    client.set_follow_location(false);
    httplib::Headers h = headers;
    if (host != origin_host) h.emplace("Host", host);
    std::string body;
    auto res = client.Get(path.c_str(), h, [&](const char* data, size_t len) {
      body.append(data, std::min(len, kMaxBodyBytes - std::min(body.size(), kMaxBodyBytes)));
      return true;
    });
    if (!res) {
      return {ProbeResult::kFailure, StrCat("Get \"", scheme, "://", origin_host, ":", port, path,
                                            "\": ", httplib::to_string(res.error()))};
    }
    const int code = res->status;
    if (code >= 300 && code < 400 && res->has_header("Location")) {
      std::string loc = res->get_header_value("Location");
      // Only redirects on the same host are followed; another host is success with a warning.
      std::string rel = loc;
      if (loc.rfind("http://", 0) == 0 || loc.rfind("https://", 0) == 0) {
        const size_t start = loc.find("://") + 3;
        const size_t slash = loc.find('/', start);
        std::string hostport = loc.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        std::string redirect_host = hostport.substr(0, hostport.rfind(':'));
        if (hostport.find(':') == std::string::npos) redirect_host = hostport;
        if (redirect_host != origin_host) {
          return {ProbeResult::kWarning, StrCat("Probe terminated redirects, Response body: ", body)};
        }
        rel = slash == std::string::npos ? "/" : loc.substr(slash);
      }
      if (redirects + 1 >= kMaxRedirects) return {ProbeResult::kFailure, "stopped after 10 redirects"};
      path = rel.empty() || rel[0] != '/' ? "/" + rel : rel;
      continue;
    }
    if (code >= 200 && code < 400) return {ProbeResult::kSuccess, body};
    return {ProbeResult::kFailure, StrCat("HTTP probe failed with statuscode: ", code)};
  }
}

HandlerResult RunTcpSocket(const api::TcpSocketAction& action, const ProbeTarget& target, absl::Duration timeout) {
  const int port = ResolvePort(action.port, target.container);
  if (port <= 0 || port > 65535) return {ProbeResult::kUnknown, "invalid port"};
  const std::string host = HostOf(action.host, target);
  struct addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || res == nullptr) {
    return {ProbeResult::kFailure, StrCat("dial tcp ", host, ":", port, ": cannot resolve")};
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  HandlerResult out{ProbeResult::kSuccess, ""};
  if (rc != 0 && errno == EINPROGRESS) {
    struct pollfd p = {fd, POLLOUT, 0};
    rc = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
    if (rc == 0) {
      out = {ProbeResult::kFailure, StrCat("dial tcp ", host, ":", port, ": i/o timeout")};
    } else {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) out = {ProbeResult::kFailure, StrCat("dial tcp ", host, ":", port, ": connect: ", std::strerror(err))};
    }
  } else if (rc != 0) {
    out = {ProbeResult::kFailure, StrCat("dial tcp ", host, ":", port, ": connect: ", std::strerror(errno))};
  }
  ::close(fd);
  return out;
}

HandlerResult RunGrpc(const api::GrpcAction& action, const ProbeTarget& target, absl::Duration timeout) {
  const std::string addr = StrCat(target.pod_ip, ":", action.port);
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
  grpc::health::v1::HealthCheckRequest req;
  if (action.service) req.set_service(*action.service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (!s.ok()) {
    if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return {ProbeResult::kFailure, StrCat("timeout: health rpc did not complete within ", absl::FormatDuration(timeout))};
    }
    return {ProbeResult::kFailure, StrCat("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ",
                                          s.error_message())};
  }
  if (resp.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return {ProbeResult::kFailure, StrCat("service unhealthy (responded with \"",
                                          grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()), "\")")};
  }
  return {ProbeResult::kSuccess, ""};
}

}  // namespace cubelet::probes
