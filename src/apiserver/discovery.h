// Owns: API discovery documents (upstream apiserver/pkg/endpoints/discovery): legacy /api
// (APIVersions), /apis (APIGroupList), /apis/<group> (APIGroup), /api/v1 and /apis/<group>/<version>
// (APIResourceList with subresources), and aggregated discovery (APIGroupDiscoveryList v2 and
// v2beta1) with the Content-Type client-go checks. Built once from the served resources.
// Does not own: OpenAPI (openapi_documents.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "httpserver/http_server.h"
#include "registry/resource.h"

namespace cubelet::apiserver {

class Discovery {
 public:
  // `server_address` is host:port as clients reach the server (serverAddressByClientCIDRs).
  Discovery(const std::vector<registry::ResourceInfo>& resources, std::string server_address);

  // Answers /api, /apis, /apis/<group>, /api/<version> and /apis/<group>/<version>; nullopt for
  // a path that is none of them (or an unknown group or version).
  std::optional<httpserver::Response> Serve(const httpserver::Request& request) const;

 private:
  struct GroupVersion {
    std::string group;
    std::string version;
    std::vector<registry::ResourceInfo> resources;
  };
  std::string ResourceList(const GroupVersion& gv) const;
  std::string Aggregated(bool core, const std::string& api_version) const;

  std::vector<GroupVersion> group_versions_;  // core first, then groups in order
  std::string server_address_;
};

}  // namespace cubelet::apiserver
