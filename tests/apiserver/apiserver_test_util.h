// Owns: small helpers for the unit tests of cubelet-server's HTTP layer: building an
// httpserver::Request from a method and a target the way the HTTP front decodes it, reading the
// v1 Status inside an error (and a matcher for its code and reason), and the built-in
// ResourceInfo of a resource.
// Does not own: any server; these tests never start one.
//
// The tests that use it live in cubelet::apiserver::testing, so these helpers need no using
// declarations there; GoogleTest's own names are then spelled ::testing::X.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "apierrors/apierrors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httpserver/http_server.h"
#include "httpserver/internal/url.h"
#include "json/parse.h"
#include "json/value.h"
#include "registry/resources.h"

namespace cubelet::apiserver::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A request as the HTTP front hands it to handlers: `target` decoded by the front's own URL
// decoder (Go's url.PathUnescape and url.ParseQuery semantics).
inline httpserver::Request MakeRequest(std::string method, std::string target, const Headers& headers = {},
                                       std::string body = "") {
  httpserver::Request r;
  r.method = std::move(method);
  r.target = target;
  std::optional<httpserver::internal::DecodedTarget> decoded = httpserver::internal::DecodeTarget(target);
  EXPECT_TRUE(decoded.has_value()) << "malformed target: " << target;
  if (decoded) {
    r.path = std::move(decoded->path);
    r.query = std::move(decoded->query);
  }
  for (const auto& [name, value] : headers) r.headers.Add(name, value);
  r.body = std::move(body);
  return r;
}

inline httpserver::Request Get(std::string target, const Headers& headers = {}) {
  return MakeRequest("GET", std::move(target), headers);
}

// A request with a body of `content_type` ("" sends no Content-Type header).
inline httpserver::Request WithBody(std::string method, std::string target, std::string content_type,
                                    std::string body) {
  Headers headers;
  if (!content_type.empty()) headers.emplace_back("Content-Type", std::move(content_type));
  return MakeRequest(std::move(method), std::move(target), headers, std::move(body));
}

// The v1 Status an error carries (code, reason, message, details).
inline apierrors::ApiStatus StatusOf(const absl::Status& s) { return apierrors::FromStatus(s); }

// Each cause of the Status in `s` as "field: message".
inline std::vector<std::string> CausesOf(const absl::Status& s) {
  std::vector<std::string> out;
  apierrors::ApiStatus status = StatusOf(s);
  if (status.details) {
    for (const apierrors::Cause& c : status.details->causes) out.push_back(c.field + ": " + c.message);
  }
  return out;
}

// An error whose v1 Status has this HTTP code and reason: EXPECT_THAT(s, IsApiError(400, "BadRequest")).
MATCHER_P2(IsApiError, code, reason, "") {
  apierrors::ApiStatus s = apierrors::FromStatus(arg);
  *result_listener << "which is " << s.code << " " << s.reason << ": " << s.message;
  return !arg.ok() && s.code == code && s.reason == reason;
}

inline json::Value ParseJsonOrDie(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << " in: " << text;
  return v.ok() ? *v : json::Value();
}

// The built-in definition of `resource` in `group` (as cubelet-server serves it).
inline registry::ResourceInfo BuiltInResource(std::string_view group, std::string_view resource) {
  for (const registry::ResourceDefinition& def : registry::BuiltInResources(absl::Hours(1))) {
    if (def.info.group == group && def.info.resource == resource) return def.info;
  }
  ADD_FAILURE() << "no built-in resource " << resource << " in group '" << group << "'";
  return {};
}

}  // namespace cubelet::apiserver::testing
