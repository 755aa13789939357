#include "apiserver/api_handler.h"

#include "apierrors/apierrors.h"
#include "apiserver/request_info.h"
#include "apiserver/responses.h"
#include "common/strings.h"
#include "json/write.h"

namespace cubelet::apiserver {
namespace {

std::string Key(std::string_view group, std::string_view version, std::string_view resource) {
  return StrCat(group, "/", version, "/", resource);
}

httpserver::Response Text(int status, std::string body) {
  httpserver::Response r;
  r.status = status;
  r.headers.Add("Content-Type", "text/plain; charset=utf-8");
  r.headers.Add("X-Content-Type-Options", "nosniff");
  r.body = std::move(body);
  return r;
}

httpserver::Response NotFoundResponse() {
  apierrors::ApiStatus s{404, "NotFound", "the server could not find the requested resource", apierrors::Details{}};
  return JsonResponse(404, json::Write(s.ToJson()));
}

// Records what was answered, for the request log.
class LoggingResponder final : public httpserver::Responder {
 public:
  LoggingResponder(std::shared_ptr<httpserver::Responder> inner, const Logger* logger, const Clock* clock,
                   std::string method, std::string uri, std::string user_agent, std::string source)
      : inner_(std::move(inner)), logger_(logger), clock_(clock), start_(clock->Now()), method_(std::move(method)),
        uri_(std::move(uri)), user_agent_(std::move(user_agent)), source_(std::move(source)) {}

  void Send(httpserver::Response response) override {
    Log(response.status);
    inner_->Send(std::move(response));
  }
  std::shared_ptr<httpserver::Stream> StartStream(int status, httpserver::Headers headers) override {
    Log(status);
    return inner_->StartStream(status, std::move(headers));
  }

 private:
  void Log(int status) const {
    if (!logger_->V(3) && status < 500) return;
    auto log = status >= 500 ? &Logger::Warning : &Logger::Info;
    (logger_->*log)("HTTP", {{"verb", method_}, {"URI", uri_}, {"latency", clock_->Now() - start_},
                             {"userAgent", user_agent_}, {"srcIP", source_}, {"resp", status}});
  }

  std::shared_ptr<httpserver::Responder> inner_;
  const Logger* logger_;
  const Clock* clock_;
  absl::Time start_;
  std::string method_, uri_, user_agent_, source_;
};

}  // namespace

ApiHandler::ApiHandler(ApiHandlerOptions options, Logger logger)
    : options_(std::move(options)), logger_(std::move(logger)) {}

void ApiHandler::AddResource(std::unique_ptr<ResourceHandler> handler) {
  const registry::ResourceInfo& info = handler->resource().info;
  handlers_[Key(info.group, info.version, info.resource)] = std::move(handler);
}

void ApiHandler::SetPodSubresources(std::unique_ptr<PodSubresources> pods) { pods_ = std::move(pods); }

const ResourceHandler* ApiHandler::Find(std::string_view group, std::string_view version,
                                        std::string_view resource) const {
  auto it = handlers_.find(Key(group, version, resource));
  return it == handlers_.end() ? nullptr : it->second.get();
}

void ApiHandler::Handle(httpserver::Request request, std::shared_ptr<httpserver::Responder> responder) const {
  auto logged = std::make_shared<LoggingResponder>(
      std::move(responder), &logger_, options_.clock, request.method, request.target,
      std::string(request.headers.Get("User-Agent").value_or("")), request.remote_address);
  auto user = options_.authenticator->Authenticate(request);
  if (!user.ok()) return logged->Send(ErrorResponse(apierrors::Unauthorized("Unauthorized")));
  RequestInfo info = ParseRequestInfo(request);
  authz::Attributes attributes;
  attributes.user = &*user;
  attributes.verb = info.verb;
  attributes.resource_request = info.resource_request;
  attributes.path = info.path;
  attributes.api_group = info.api_group;
  attributes.api_version = info.api_version;
  attributes.resource = info.resource;
  attributes.subresource = info.subresource;
  attributes.namespace_ = info.namespace_;
  attributes.name = info.name;
  if (info.verb == "list" || info.verb == "watch" || info.verb == "deletecollection") {
    attributes.field_selector = std::string(request.Query("fieldSelector").value_or(""));
  }
  authz::AuthorizationResult decision = options_.authorizer->Authorize(attributes);
  if (decision.decision != authz::Decision::kAllow) {
    std::string message = authz::ForbiddenMessage(attributes, decision.reason);
    apierrors::GroupResource gr{info.api_group, info.subresource.empty() ? info.resource : StrCat(info.resource, "/", info.subresource)};
    absl::Status forbidden = info.resource_request ? apierrors::Forbidden(gr, info.name, message)
                                                   : apierrors::Forbidden({"", ""}, "", message);
    return logged->Send(ErrorResponse(forbidden));
  }
  if (!info.resource_request) {
    if (!ServeNonResource(request, logged)) logged->Send(NotFoundResponse());
    return;
  }
  ServeResource(Call{request, logged, info, *user});
}

bool ApiHandler::ServeNonResource(const httpserver::Request& request,
                                  const std::shared_ptr<httpserver::Responder>& responder) const {
  const std::string& path = request.path;
  if (request.method != "GET" && request.method != "HEAD") {
    if (path == "/version" || path == "/api" || path == "/apis" || path.rfind("/openapi", 0) == 0) {
      responder->Send(ErrorResponse(apierrors::MethodNotSupported({"", ""}, request.method)));
      return true;
    }
    return false;
  }
  if (path == "/version" || path == "/version/") {
    responder->Send(JsonResponse(200, options_.version_json));
    return true;
  }
  if (path == "/healthz" || path == "/livez" || path.rfind("/healthz/", 0) == 0 || path.rfind("/livez/", 0) == 0) {
    responder->Send(Text(200, "ok"));
    return true;
  }
  if (path == "/readyz" || path.rfind("/readyz/", 0) == 0) {
    bool ready = options_.ready && options_.ready();
    responder->Send(ready ? Text(200, "ok") : Text(500, "[-]cubelet-server-bootstrap failed: not finished\nreadyz check failed\n"));
    return true;
  }
  if (options_.openapi_v2 != nullptr) {
    if (auto response = options_.openapi_v2->Serve(request)) {  // kubectl 1.27 and 1.28 need v2
      responder->Send(std::move(*response));
      return true;
    }
  }
  if (path.rfind("/openapi/v3", 0) == 0 && options_.openapi != nullptr) {
    if (auto response = options_.openapi->Serve(request)) {
      responder->Send(std::move(*response));
      return true;
    }
    return false;
  }
  if (options_.discovery != nullptr) {
    if (auto response = options_.discovery->Serve(request)) {
      responder->Send(std::move(*response));
      return true;
    }
  }
  return false;
}

void ApiHandler::ServeResource(const Call& call) const {
  const RequestInfo& info = call.info;
  const ResourceHandler* handler = Find(info.api_group, info.api_version, info.resource);
  if (handler == nullptr || (!handler->resource().info.namespaced && !info.namespace_.empty() &&
                             info.resource != "namespaces")) {
    return call.responder->Send(NotFoundResponse());
  }
  if (handler->resource().info.namespaced && info.namespace_.empty()) {
    // Across namespaces only list and watch exist (/api/v1/pods); anything else there is 405,
    // and /api/v1/pods/x names nothing.
    if (!info.name.empty()) return call.responder->Send(NotFoundResponse());
    if (info.verb != "list" && info.verb != "watch") {
      return call.responder->Send(ErrorResponse(apierrors::MethodNotSupported(handler->resource().info.GroupResource(),
                                                                               info.verb)));
    }
  }
  if (info.name.empty() && (info.verb == "update" || info.verb == "patch")) {
    // PUT and PATCH of a collection.
    return call.responder->Send(
        ErrorResponse(apierrors::MethodNotSupported(handler->resource().info.GroupResource(), info.verb)));
  }
  if (info.resource == "namespaces" && !info.namespace_.empty() && info.name != info.namespace_) {
    return call.responder->Send(NotFoundResponse());  // /api/v1/namespaces/a/namespaces/b
  }
  const std::string& sub = info.subresource;
  if (sub.empty() || sub == "status") {
    if (sub == "status" && handler->resource().info.FindSubresource("status") == nullptr) {
      return call.responder->Send(NotFoundResponse());
    }
    return handler->Handle(call);
  }
  if (info.api_group.empty() && info.resource == "pods" && pods_ != nullptr) {
    if (sub == "binding" && info.verb == "create") return pods_->Binding(call);
    if (sub == "eviction" && info.verb == "create") return pods_->Eviction(call);
    if (sub == "log" && info.verb == "get") return pods_->Log(call);
  }
  if (info.api_group.empty() && info.resource == "namespaces" && sub == "finalize" && info.verb == "update") {
    return FinalizeNamespace(*handler, call, *options_.schema);
  }
  if (handler->resource().info.FindSubresource(sub) != nullptr) {
    return call.responder->Send(ErrorResponse(apierrors::MethodNotSupported(
        {info.api_group, StrCat(info.resource, "/", sub)}, info.verb)));
  }
  call.responder->Send(NotFoundResponse());
}

}  // namespace cubelet::apiserver
