// Owns: the front door of cubelet-server (upstream apiserver/pkg/server/handler.go with the
// authentication, authorization and request-info filters): every request is authenticated
// (401 otherwise), read (RequestInfo), authorized (403 with upstream's message), then answered
// by the non-resource endpoints (/version, health, discovery, OpenAPI) or routed to the
// resource's handler and its subresources. Requests are logged at -v=3 as upstream's httplog,
// never with credentials.
// Does not own: the verbs (resource_handler.h, pod_subresources.h), TLS (httpserver/).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "apiserver/discovery.h"
#include "apiserver/openapi_documents.h"
#include "apiserver/pod_subresources.h"
#include "apiserver/resource_handler.h"
#include "auth/authenticator.h"
#include "openapiv2/service.h"
#include "authz/authorizer.h"
#include "common/clock.h"
#include "common/logger.h"
#include "httpserver/http_server.h"

namespace cubelet::apiserver {

struct ApiHandlerOptions {
  const auth::Authenticator* authenticator = nullptr;
  const authz::Authorizer* authorizer = nullptr;
  const Discovery* discovery = nullptr;
  const OpenApiDocuments* openapi = nullptr;
  const schema::Schema* schema = nullptr;
  const openapiv2::OpenApiV2Service* openapi_v2 = nullptr;  // /openapi/v2, /swagger-2.0.0.pb-v1
  std::function<bool()> ready;  // /readyz
  std::string version_json;     // /version
  const Clock* clock = nullptr;
};

// Thread-safe once built (handlers are added before serving starts).
class ApiHandler {
 public:
  ApiHandler(ApiHandlerOptions options, Logger logger);

  void AddResource(std::unique_ptr<ResourceHandler> handler);
  void SetPodSubresources(std::unique_ptr<PodSubresources> pods);
  const ResourceHandler* Find(std::string_view group, std::string_view version, std::string_view resource) const;

  void Handle(httpserver::Request request, std::shared_ptr<httpserver::Responder> responder) const;

 private:
  bool ServeNonResource(const httpserver::Request& request, const std::shared_ptr<httpserver::Responder>& responder) const;
  void ServeResource(const Call& call) const;

  ApiHandlerOptions options_;
  Logger logger_;
  std::map<std::string, std::unique_ptr<ResourceHandler>, std::less<>> handlers_;  // "group/version/resource"
  std::unique_ptr<PodSubresources> pods_;
};

}  // namespace cubelet::apiserver
