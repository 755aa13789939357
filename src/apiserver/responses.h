// Owns: the shapes of cubelet-server's HTTP responses: JSON bodies, v1 Status errors with the
// matching HTTP code, Warning headers, object lists written from the watch cache's serialized
// objects without re-encoding, and meta.k8s.io Tables (upstream's table convertor output with
// PartialObjectMetadata row objects).
// Does not own: which representation to use (negotiation.h), the columns (printers/).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "apiserver/negotiation.h"
#include "httpserver/http_server.h"
#include "json/value.h"
#include "registry/resource.h"

namespace cubelet::apiserver {

httpserver::Response JsonResponse(int status, std::string body);
// The v1 Status of `error` (apierrors) with its HTTP code.
httpserver::Response ErrorResponse(const absl::Status& error);
// A 200/201 Status "Success" (bindings, evictions).
httpserver::Response SuccessStatus(int code, const registry::ResourceInfo* resource = nullptr,
                                   std::string_view name = "", std::string_view uid = "");
// Adds `Warning: 299 - "<text>"` per warning.
void AddWarnings(httpserver::Response* response, const std::vector<std::string>& warnings);

struct ListMeta {
  std::string resource_version;
  std::string continue_token;
  std::optional<int64_t> remaining;
};

// {"kind":"<Kind>List","apiVersion":...,"metadata":{...},"items":[<item>,...]} from already
// serialized items.
std::string ListJson(const registry::ResourceInfo& resource, const ListMeta& meta,
                     const std::vector<const std::string*>& items);

// A Table of `objects` for `resource`, as upstream's table convertor builds it; columns are
// left out when `with_columns` is false (watch events after the first).
json::Value Table(const registry::ResourceInfo& resource, const std::vector<const json::Value*>& objects,
                  const OutputFormat& format, const ListMeta& meta, bool with_columns, absl::Time now);

// {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}.
json::Value PartialObjectMetadata(const json::Value& object);

}  // namespace cubelet::apiserver
