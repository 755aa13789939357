// Owns: what kube-openapi's handlers for /openapi/v2 and /openapi/v3 do alike when serving a
// document built once: its ETag (uppercase hex SHA-512 of the bytes, so a client's cache keyed by
// it behaves as against upstream), If-None-Match (weak comparison, as Go's net/http), and the
// choice among offered media types by the Accept header (goautoneg's order, which kube-openapi
// uses).
// Does not own: the documents, the headers and status each endpoint answers with
// (apiserver/openapi_documents.h, openapiv2/service.h).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "httpserver/http_server.h"

namespace cubelet::openapi {

// Uppercase hex SHA-512 of `bytes`, unquoted.
std::string ComputeETag(std::string_view bytes);

// Whether an If-None-Match header of `request` names `etag` (unquoted) or is "*".
bool IfNoneMatchHits(const httpserver::Request& request, std::string_view etag);

// The index in `offers` (full media types: "application/json") of the one to answer with: the
// first offer the most preferred Accept clause admits (highest quality, then the most specific,
// then as written; q=0 refuses). No Accept header, or an empty one, admits anything. Nullopt
// when nothing offered is acceptable.
std::optional<size_t> NegotiateAccept(const httpserver::Request& request, std::span<const std::string_view> offers);

}  // namespace cubelet::openapi
