// Owns: one HTTP/1.1 GET as upstream's httpGet probe makes it (pkg/probe/http: keep-alives off,
// no compression, no proxy), ended by one deadline for the whole exchange - connect, TLS, request,
// headers and body, as Go's http.Client.Timeout - and reading at most a capped body
// (maxRespBodyLength): what is past the cap is never read.
// Does not own: redirects, headers' defaults and what a status code means (handlers.cc).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "deadline_conn.h"

namespace cubelet::probes::internal {

struct HttpGetRequest {
  bool tls = false;
  std::string host;  // connected to
  int port = 0;
  std::string path;         // "/healthz?verbose"
  std::string host_header;  // the Host header; empty means JoinHostPort(host, port)
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpGetResponse {
  int status_code = 0;
  std::optional<std::string> location;  // the Location header
  std::string body;                     // at most the cap
  bool body_truncated = false;          // the body went on past the cap (and was not read)
};

// The head of a response may not be larger (Go's Transport allows 10 MiB; a probe needs far less).
inline constexpr size_t kMaxResponseHeadBytes = 1 << 20;

// Errors, as Go's client words them: DeadlineExceeded "context deadline exceeded
// (Client.Timeout exceeded while awaiting headers)" or "(... while reading body)"; Unavailable
// for a refused or broken connection ("dial tcp 10.0.0.1:80: connect: Connection refused") and a
// malformed response ("malformed HTTP status code \"x\"").
absl::StatusOr<HttpGetResponse> HttpGet(const HttpGetRequest& request, Deadline deadline, size_t max_body_bytes);

}  // namespace cubelet::probes::internal
