#include "probes/handlers.h"

#include <algorithm>
#include <chrono>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_replace.h"
#include "common/strings.h"
#include "deadline_conn.h"
#include "http_get.h"
#include "probes/proto/health.grpc.pb.h"

namespace cubelet::probes {
namespace {

constexpr size_t kMaxBodyBytes = 10 * 1024;
constexpr int kMaxRedirects = 10;

// The end of a handler's run: its whole timeout, counted on the monotonic clock that poll waits on.
internal::Deadline DeadlineAfter(absl::Duration timeout) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(absl::ToChronoNanoseconds(timeout));
}

// A control character would end the request line or a header early (and could add headers the
// pod's author chose); Go's client refuses such values too.
bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string HostOf(const std::string& host, const ProbeTarget& target) { return host.empty() ? target.pod_ip : host; }

}  // namespace

std::string ProbeUserAgent() { return "kube-probe/1.32"; }

absl::StatusOr<int> ResolvePort(const api::IntOrString& port, const api::Container* container) {
  // upstream's probe.ResolveContainerPort: a name of one of the container's ports, else a number
  // written as a string; either way within 1-65535.
  if (!port.is_string) {
    if (port.int_value <= 0 || port.int_value > 65535) {
      return absl::InvalidArgumentError(StrCat("invalid port number: ", port.int_value));
    }
    return port.int_value;
  }
  const std::string& name = port.str_value;
  if (container != nullptr) {
    for (const auto& p : container->ports) {
      if (p.name == name) {
        if (p.container_port <= 0 || p.container_port > 65535) {
          return absl::InvalidArgumentError(StrCat("invalid port number: ", p.container_port, " (port \"", name, "\")"));
        }
        return p.container_port;
      }
    }
  }
  if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
    return absl::InvalidArgumentError(StrCat("port \"", name, "\" not found",
                                             container != nullptr ? StrCat(" in container \"", container->name, "\"") : ""));
  }
  // All digits: accumulated while in range, so no length of digits can overflow (or throw).
  int value = 0;
  for (char c : name) {
    value = value * 10 + (c - '0');
    if (value > 65535) return absl::InvalidArgumentError(StrCat("invalid port number: ", name));
  }
  if (value == 0) return absl::InvalidArgumentError(StrCat("invalid port number: ", name));
  return value;
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
  const internal::Deadline deadline = DeadlineAfter(timeout);
  absl::StatusOr<int> port = ResolvePort(action.port, target.container);
  if (!port.ok()) return {ProbeResult::kUnknown, std::string(port.status().message())};
  internal::HttpGetRequest request;
  request.host = HostOf(action.host, target);
  request.port = *port;
  std::string scheme = action.scheme.empty() ? "http" : action.scheme;
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  if (scheme != "http" && scheme != "https") {
    return {ProbeResult::kUnknown, StrCat("unsupported protocol scheme \"", action.scheme, "\"")};
  }
  request.tls = scheme == "https";
  bool has_ua = false, has_accept = false;
  for (const auto& h : action.http_headers) {
    std::string lower = h.name;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (HasControlCharacter(h.name) || HasControlCharacter(h.value) || h.name.empty() ||
        h.name.find_first_of(" :") != std::string::npos) {
      return {ProbeResult::kUnknown, StrCat("invalid header field for \"", h.name, "\"")};
    }
    if (lower == "host") {
      request.host_header = h.value;  // the Host header names the request's host
      continue;
    }
    if (lower == "user-agent") has_ua = true;
    if (lower == "accept") {
      has_accept = true;  // an explicit empty Accept removes it
      if (h.value.empty()) continue;
    }
    request.headers.emplace_back(h.name, h.value);
  }
  if (!has_ua) request.headers.emplace_back("User-Agent", ProbeUserAgent());
  if (!has_accept) request.headers.emplace_back("Accept", "*/*");
  std::string path = action.path.empty() ? "/" : action.path;
  if (path[0] != '/') path = "/" + path;
  if (HasControlCharacter(path)) return {ProbeResult::kUnknown, "invalid path: it contains a control character"};
  absl::StrReplaceAll({{" ", "%20"}}, &path);  // as Go's URL escapes it
  const std::string origin = StrCat(scheme, "://", internal::JoinHostPort(request.host, request.port));
  for (int redirects = 0;; ++redirects) {
    request.path = path;
    // One deadline for the whole probe, redirects included, as Go's http.Client.Timeout.
    absl::StatusOr<internal::HttpGetResponse> res = internal::HttpGet(request, deadline, kMaxBodyBytes);
    if (!res.ok()) return {ProbeResult::kFailure, StrCat("Get \"", origin, path, "\": ", res.status().message())};
    const int code = res->status_code;
    if (code >= 300 && code < 400 && res->location) {
      const std::string& loc = *res->location;
      // Only redirects on the same host are followed; another host is success with a warning.
      std::string rel = loc;
      if (loc.rfind("http://", 0) == 0 || loc.rfind("https://", 0) == 0) {
        const size_t start = loc.find("://") + 3;
        const size_t slash = loc.find('/', start);
        std::string hostport = loc.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        std::string redirect_host = hostport.substr(0, hostport.rfind(':'));
        if (hostport.find(':') == std::string::npos) redirect_host = hostport;
        if (redirect_host != request.host) {
          return {ProbeResult::kWarning, StrCat("Probe terminated redirects, Response body: ", res->body)};
        }
        rel = slash == std::string::npos ? "/" : loc.substr(slash);
      }
      if (redirects + 1 >= kMaxRedirects) return {ProbeResult::kFailure, "stopped after 10 redirects"};
      path = rel.empty() || rel[0] != '/' ? "/" + rel : rel;
      continue;
    }
    if (code >= 200 && code < 400) return {ProbeResult::kSuccess, res->body};
    return {ProbeResult::kFailure, StrCat("HTTP probe failed with statuscode: ", code)};
  }
}

HandlerResult RunTcpSocket(const api::TcpSocketAction& action, const ProbeTarget& target, absl::Duration timeout) {
  const internal::Deadline deadline = DeadlineAfter(timeout);
  absl::StatusOr<int> port = ResolvePort(action.port, target.container);
  if (!port.ok()) return {ProbeResult::kUnknown, std::string(port.status().message())};
  // Connected is healthy; the connection is closed at once, as upstream's tcp prober does.
  auto conn = internal::Dial(HostOf(action.host, target), *port, /*tls=*/false, deadline);
  if (!conn.ok()) return {ProbeResult::kFailure, std::string(conn.status().message())};
  return {ProbeResult::kSuccess, ""};
}

HandlerResult RunGrpc(const api::GrpcAction& action, const ProbeTarget& target, absl::Duration timeout) {
  if (action.port <= 0 || action.port > 65535) {
    return {ProbeResult::kUnknown, StrCat("invalid port number: ", action.port)};
  }
  // The RPC's deadline bounds connecting, the call and the answer (at most gRPC's default 4 MiB).
  const std::string addr = internal::JoinHostPort(target.pod_ip, action.port);
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
