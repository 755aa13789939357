// Owns: reading what a request is about from its method, path and query (upstream
// apiserver/pkg/endpoints/request/requestinfo.go): resource requests
// (/api/v1/namespaces/ns/pods/name/status, /apis/group/version/...) with their verb, group,
// version, namespace, resource, name and subresource, and everything else as a non-resource
// request (/version, /openapi/v3, /healthz).
// Does not own: whether the resource exists (the router checks it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "httpserver/http_server.h"

namespace cubelet::apiserver {

struct RequestInfo {
  bool resource_request = false;
  std::string path;
  // get, list, watch, create, update, patch, delete, deletecollection, proxy; for non-resource
  // requests the lower-case method.
  std::string verb;
  std::string api_prefix;  // "api" or "apis"
  std::string api_group;
  std::string api_version;
  std::string namespace_;
  std::string resource;
  std::string subresource;
  std::string name;
  // The path segments after /api or /apis (for discovery: ["v1"], ["coordination.k8s.io"]).
  std::vector<std::string> parts;
};

// Never fails: anything that is not a resource path is a non-resource request. For list and
// watch a `metadata.name=X` field selector sets `name` (as upstream does, for authorizers).
RequestInfo ParseRequestInfo(const httpserver::Request& request);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; anything else is an error.
bool ParseGoBool(std::string_view text, bool* out);

}  // namespace cubelet::apiserver
