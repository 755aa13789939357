#include "apiserver/pod_subresources.h"

#include "apierrors/apierrors.h"
#include "apiserver/body.h"
#include "apiserver/query.h"
#include "apiserver/responses.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "registry/object_meta.h"
#include "registry/pod_binding.h"

namespace cubelet::apiserver {
namespace {

std::vector<std::string> ContainerNames(const json::Value& pod) {
  std::vector<std::string> names;
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    const json::Value* items = pod.FindPath({"spec", list});
    if (items == nullptr || !items->is_array()) continue;
    for (const json::Value& c : items->AsArray()) names.push_back(c.GetString({"name"}));
  }
  return names;
}

}  // namespace

// At most this many log streams at once; each holds a thread while it waits on its kubelet.
constexpr int kMaxLogStreams = 64;

PodSubresources::PodSubresources(const ResourceHandler* pods, registry::ResourceStore* nodes,
                                 KubeletClient* kubelets, const schema::Schema* schema, const Clock* clock,
                                 Logger logger)
    : pods_(pods),
      nodes_(nodes),
      kubelets_(kubelets),
      schema_(schema),
      clock_(clock),
      long_running_(std::make_unique<LongRunningRequests>(kMaxLogStreams, std::move(logger))) {}

PodSubresources::~PodSubresources() = default;

void PodSubresources::Binding(const Call& call) const {
  auto body_format = NegotiateBody(call.request);
  if (!body_format.ok()) return call.responder->Send(ErrorResponse(body_format.status()));
  auto body = ParseBody(call.request.body, *body_format, *schema_, "io.k8s.api.core.v1.Binding");
  if (!body.ok()) return call.responder->Send(ErrorResponse(body.status()));
  absl::Status decoded = DecodeObject(*schema_, "io.k8s.api.core.v1.Binding", "v1", "Binding", &*body,
                                      FieldValidation::kWarn, nullptr);
  if (!decoded.ok()) return call.responder->Send(ErrorResponse(decoded));
  const json::Value& binding = body->value;
  const std::string pod = call.info.name;
  std::string body_name = binding.GetString({"metadata", "name"});
  if (!body_name.empty() && body_name != pod) {
    return call.responder->Send(ErrorResponse(apierrors::BadRequest("name in URL does not match name in Binding object")));
  }
  std::string target = binding.GetString({"target", "name"});
  std::string kind = binding.GetString({"target", "kind"});
  if (target.empty() || (!kind.empty() && kind != "Node")) {
    return call.responder->Send(ErrorResponse(apierrors::Invalid(
        "", "Binding", pod, {target.empty() ? apierrors::RequiredCause("target.name")
                                            : apierrors::NotSupportedCause("target.kind", json::Value(kind), {"Node"})})));
  }
  registry::Admission admission = pods_->AdmissionFor(call, admission::Operation::kCreate, "binding");
  if (admission.validate) {
    if (absl::Status s = admission.validate(binding, nullptr); !s.ok()) return call.responder->Send(ErrorResponse(s));
  }
  registry::PodBinding request{call.info.namespace_, pod, target, binding.GetString({"metadata", "uid"}),
                               binding.GetString({"metadata", "resourceVersion"}),
                               binding.FindPath({"metadata", "annotations"})};
  auto bound = registry::BindPod(*pods_->resource().store, request, clock_->Now());
  if (!bound.ok()) return call.responder->Send(ErrorResponse(bound.status()));
  call.responder->Send(SuccessStatus(201));
}

void PodSubresources::Eviction(const Call& call) const {
  auto body_format = NegotiateBody(call.request);
  if (!body_format.ok()) return call.responder->Send(ErrorResponse(body_format.status()));
  auto body = ParseBody(call.request.body, *body_format, *schema_, "io.k8s.api.policy.v1.Eviction");
  if (!body.ok()) return call.responder->Send(ErrorResponse(body.status()));
  const json::Value& eviction = body->value;
  std::string kind = eviction.GetString({"kind"});
  if (!kind.empty() && kind != "Eviction") {
    return call.responder->Send(ErrorResponse(apierrors::BadRequest(StrCat("the body must be an Eviction, not ", kind))));
  }
  std::string body_name = eviction.GetString({"metadata", "name"});
  if (!body_name.empty() && body_name != call.info.name) {
    return call.responder->Send(ErrorResponse(apierrors::BadRequest("name in URL does not match name in Eviction object")));
  }
  registry::DeleteOptions options;
  if (const json::Value* d = eviction.Find("deleteOptions"); d != nullptr && d->is_object()) {
    if (const json::Value* g = d->Find("gracePeriodSeconds"); g != nullptr && g->AsInt64()) {
      options.grace_period_seconds = *g->AsInt64();
    }
    if (const json::Value* uid = d->FindPath({"preconditions", "uid"}); uid != nullptr && uid->is_string()) {
      options.preconditions.uid = uid->AsString();
    }
    if (const json::Value* rv = d->FindPath({"preconditions", "resourceVersion"}); rv != nullptr && rv->is_string()) {
      options.preconditions.resource_version = rv->AsString();
    }
  }
  options.admission = pods_->AdmissionFor(call, admission::Operation::kCreate, "eviction");
  auto deleted = pods_->resource().store->Delete(call.info.namespace_, call.info.name, options);
  if (!deleted.ok()) return call.responder->Send(ErrorResponse(deleted.status()));
  call.responder->Send(SuccessStatus(201));
}

void PodSubresources::Log(const Call& call) const {
  auto pod = pods_->resource().store->Get(call.info.namespace_, call.info.name, {});
  if (!pod.ok()) return call.responder->Send(ErrorResponse(pod.status()));
  const json::Value& object = *(*pod)->object;
  std::vector<std::string> names = ContainerNames(object);
  std::string container = std::string(call.request.Query("container").value_or(""));
  if (container.empty()) {
    const json::Value* containers = object.FindPath({"spec", "containers"});
    if (containers != nullptr && containers->is_array() && containers->AsArray().size() == 1) {
      container = containers->AsArray()[0].GetString({"name"});
    } else {
      std::string choices;
      for (const std::string& n : names) StrAppend(&choices, choices.empty() ? "" : " ", n);
      return call.responder->Send(ErrorResponse(apierrors::BadRequest(
          StrCat("a container name must be specified for pod ", call.info.name, ", choose one of: [", choices, "]"))));
    }
  }
  if (std::find(names.begin(), names.end(), container) == names.end()) {
    return call.responder->Send(ErrorResponse(
        apierrors::BadRequest(StrCat("container ", container, " is not valid for pod ", call.info.name))));
  }
  std::string node_name = object.GetString({"spec", "nodeName"});
  if (node_name.empty()) {
    return call.responder->Send(ErrorResponse(
        apierrors::BadRequest(StrCat("pod ", call.info.name, " does not have a host assigned"))));
  }
  auto node = nodes_->Get("", node_name, {"0"});
  if (!node.ok()) return call.responder->Send(ErrorResponse(node.status()));
  auto endpoint = KubeletEndpointOf(*(*node)->object);
  if (!endpoint.ok()) return call.responder->Send(ErrorResponse(apierrors::InternalError(ToStd(endpoint.status().message()))));
  std::string query;
  for (const char* bool_param : {"follow", "previous", "timestamps", "insecureSkipTLSVerifyBackend"}) {
    auto v = QueryBool(call.request, bool_param);
    if (!v.ok()) return call.responder->Send(ErrorResponse(v.status()));
    if (v->value_or(false) && std::string_view(bool_param) != "insecureSkipTLSVerifyBackend") {
      StrAppend(&query, query.empty() ? "?" : "&", bool_param, "=true");
    }
  }
  for (const char* int_param : {"sinceSeconds", "tailLines", "limitBytes"}) {
    auto v = QueryInt(call.request, int_param);
    if (!v.ok()) return call.responder->Send(ErrorResponse(v.status()));
    if (v->has_value()) {
      if (**v < 0 || (std::string_view(int_param) != "tailLines" && **v == 0)) {
        return call.responder->Send(ErrorResponse(apierrors::Invalid(
            "", "PodLogOptions", "", {apierrors::InvalidCause(int_param, json::Value(**v), "must be greater than 0")})));
      }
      StrAppend(&query, query.empty() ? "?" : "&", int_param, "=", **v);
    }
  }
  if (auto since = call.request.Query("sinceTime")) StrAppend(&query, query.empty() ? "?" : "&", "sinceTime=", *since);
  std::string path = StrCat("/containerLogs/", call.info.namespace_, "/", call.info.name, "/", container, query);
  auto follow = QueryBool(call.request, "follow");
  const bool following = follow.ok() && follow->value_or(false);
  std::shared_ptr<httpserver::Responder> responder = call.responder;
  KubeletClient* kubelets = kubelets_;
  KubeletEndpoint target = *endpoint;
  bool started = long_running_->Start([=](const std::shared_ptr<Cancellation>& cancel) {
    std::shared_ptr<httpserver::Stream> stream;
    int upstream_status = 0;
    std::string error_body;
    // A follow waits for new lines as long as the client stays; the rest are one read.
    absl::Duration read_timeout = following ? absl::Hours(24) : absl::Minutes(1);
    absl::Status streamed = kubelets->Stream(
        target, path, read_timeout, *cancel,
        [&](int status) {
          upstream_status = status;
          if (status != 200) return;
          httpserver::Headers headers;
          headers.Add("Content-Type", "text/plain");
          stream = responder->StartStream(200, std::move(headers));
          // A client that leaves ends the kubelet request too, even while it is silent.
          stream->OnClose([cancel] { cancel->Cancel(); });
        },
        [&](std::string_view data) {
          if (upstream_status != 200) {
            error_body.append(data);
            return error_body.size() < 64 * 1024;
          }
          return stream->Write(std::string(data));
        });
    if (stream != nullptr) {
      stream->Finish();
      return;
    }
    if (!streamed.ok()) return responder->Send(ErrorResponse(apierrors::InternalError(ToStd(streamed.message()))));
    if (upstream_status != 200 && upstream_status != 0) {
      apierrors::ApiStatus status{upstream_status >= 400 && upstream_status < 600 ? upstream_status : 500,
                                  upstream_status == 404 ? "NotFound" : upstream_status == 400 ? "BadRequest" : "InternalError",
                                  error_body, std::nullopt};
      return responder->Send(ErrorResponse(apierrors::Make(std::move(status))));
    }
    httpserver::Response empty;  // an empty log
    empty.headers.Add("Content-Type", "text/plain");
    responder->Send(std::move(empty));
  });
  if (!started) {
    call.responder->Send(ErrorResponse(apierrors::TooManyRequests("too many log streams are open, please try again later", 1)));
  }
}

void FinalizeNamespace(const ResourceHandler& namespaces, const Call& call, const schema::Schema& schema) {
  auto body = ParseBody(call.request.body, BodyFormat::kJson);
  if (!body.ok()) return call.responder->Send(ErrorResponse(body.status()));
  absl::Status decoded = DecodeObject(schema, "io.k8s.api.core.v1.Namespace", "v1", "Namespace", &*body,
                                      FieldValidation::kStrict, nullptr);
  if (!decoded.ok()) return call.responder->Send(ErrorResponse(decoded));
  json::Value finalizers = json::Value::EmptyArray();
  if (const json::Value* f = body->value.FindPath({"spec", "finalizers"}); f != nullptr && f->is_array()) finalizers = *f;
  std::vector<apierrors::Cause> causes;
  const json::Array& items = finalizers.AsArray();
  for (size_t i = 0; i < items.size(); ++i) {
    for (const std::string& m : registry::QualifiedNameErrors(items[i].AsString())) {
      causes.push_back(apierrors::InvalidCause(StrCat("spec.finalizers[", i, "]"), items[i], m));
    }
  }
  if (!causes.empty()) {
    return call.responder->Send(ErrorResponse(apierrors::Invalid("", "Namespace", call.info.name, std::move(causes))));
  }
  const std::string wanted_rv = body->value.GetString({"metadata", "resourceVersion"});
  auto updated = namespaces.resource().store->StorageUpdate(
      "", call.info.name, [&](const json::Value& current) -> absl::StatusOr<json::Value> {
        if (!wanted_rv.empty() && wanted_rv != current.GetString({"metadata", "resourceVersion"})) {
          return apierrors::StaleConflict({"", "namespaces"}, call.info.name);
        }
        json::Value next = current;
        next.Ensure({"spec"}).Set("finalizers", finalizers);
        return next;
      });
  if (!updated.ok()) return call.responder->Send(ErrorResponse(updated.status()));
  namespaces.RespondObject(call, 200, *(*updated)->object);
}

}  // namespace cubelet::apiserver
