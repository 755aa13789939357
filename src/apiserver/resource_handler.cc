#include "apiserver/resource_handler.h"

#include <random>

#include "apierrors/apierrors.h"
#include "apiserver/body.h"
#include "apiserver/negotiation.h"
#include "apiserver/patcher.h"
#include "apiserver/query.h"
#include "apiserver/responses.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/write.h"

namespace cubelet::apiserver {
namespace {

// Upstream gives a watch without timeoutSeconds a random time between the minimum request
// timeout (30 min) and twice that, so reconnects spread out.
absl::Duration DefaultWatchTimeout() {
  thread_local std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> seconds(1800, 3600);
  return absl::Seconds(seconds(rng));
}

}  // namespace

absl::Status CheckFieldManager(const std::string& manager) {
  if (manager.size() <= 128) return absl::OkStatus();
  return apierrors::Invalid("meta.k8s.io", "CreateOptions", "",
                            {apierrors::InvalidCause("fieldManager", json::Value(manager),
                                                     "must be no more than 128 characters")});
}

std::string FieldManagerOf(const httpserver::Request& request) {
  if (auto m = request.Query("fieldManager"); m && !m->empty()) return std::string(*m);
  std::string agent = std::string(request.headers.Get("User-Agent").value_or("unknown"));
  agent = agent.substr(0, agent.find('/'));
  std::string out;
  for (char c : agent) {
    if (c >= 0x20 && c < 0x7f) out.push_back(c);
  }
  if (out.size() > 128) out.resize(128);
  return out.empty() ? "unknown" : out;
}

ResourceHandler::ResourceHandler(ServedResource resource, HandlerDeps deps)
    : resource_(std::move(resource)), deps_(std::move(deps)) {}

void ResourceHandler::Fail(const Call& call, const absl::Status& error) const {
  call.responder->Send(ErrorResponse(error));
}

registry::Admission ResourceHandler::AdmissionFor(const Call& call, admission::Operation op,
                                                  const std::string& subresource, bool dry_run,
                                                  std::shared_ptr<json::Value> admitted) const {
  if (deps_.admission == nullptr) return {};
  auto request = std::make_shared<admission::Request>();
  request->user = &call.user;
  request->operation = op;
  request->resource = &resource_.store->info();
  request->subresource = subresource;
  request->namespace_ = call.info.namespace_;
  request->name = call.info.name;
  request->dry_run = dry_run;
  const admission::Chain* chain = deps_.admission;
  registry::Admission out;
  // The operation follows what the store is about to do: a PUT or an apply that finds nothing
  // creates, a create that races into an existing object updates.
  auto operation_for = [](admission::Operation op, const json::Value* old) {
    if (op == admission::Operation::kDelete) return op;
    return old == nullptr ? admission::Operation::kCreate : admission::Operation::kUpdate;
  };
  out.mutate = [chain, request, admitted, operation_for](json::Value* object, const json::Value* old) {
    admission::Request r = *request;
    r.operation = operation_for(r.operation, old);
    if (r.name.empty() && object != nullptr) r.name = object->GetString({"metadata", "name"});
    absl::Status s = chain->Admit(r, object, old);
    if (s.ok() && admitted != nullptr && object != nullptr) *admitted = *object;
    return s;
  };
  out.validate = [chain, request, operation_for](const json::Value& object, const json::Value* old) {
    admission::Request r = *request;
    r.operation = operation_for(r.operation, old);
    if (r.name.empty()) r.name = object.GetString({"metadata", "name"});
    return chain->Validate(r, r.operation == admission::Operation::kDelete ? nullptr : &object, old);
  };
  return out;
}

void ResourceHandler::Release(const Call& call, const json::Value& object) const {
  if (deps_.admission == nullptr) return;
  admission::Request request;
  request.user = &call.user;
  request.operation = admission::Operation::kCreate;  // what Abandon undoes: the create's allocations
  request.resource = &resource_.store->info();
  request.namespace_ = object.GetString({"metadata", "namespace"}, call.info.namespace_);
  request.name = object.GetString({"metadata", "name"});
  deps_.admission->Abandon(request, object);
}

void ResourceHandler::RespondObject(const Call& call, int code, const json::Value& object,
                                    const std::vector<std::string>& warnings) const {
  json::Value served = resource_.to_served ? resource_.to_served(object) : object;
  auto format = NegotiateOutput(call.request);
  httpserver::Response response;
  if (format.ok() && format->kind == OutputKind::kTable && code == 200) {
    ListMeta meta{served.GetString({"metadata", "resourceVersion"}), "", std::nullopt};
    response = JsonResponse(code, json::Write(Table(resource_.info, {&served}, *format, meta, true, deps_.clock->Now())));
  } else if (format.ok() && format->kind == OutputKind::kPartialObjectMetadata) {
    response = JsonResponse(code, json::Write(PartialObjectMetadata(served)));
  } else {
    response = JsonResponse(code, json::Write(served));
  }
  AddWarnings(&response, warnings);
  call.responder->Send(std::move(response));
}

void ResourceHandler::Handle(const Call& call) const {
  const std::string& verb = call.info.verb;
  const std::string& sub = call.info.subresource;
  if (!sub.empty() && sub != "status") {
    return Fail(call, apierrors::NotFound({"", ""}, ""));
  }
  if (sub == "status" && verb != "get" && verb != "update" && verb != "patch") {
    return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), verb));
  }
  if (verb == "get") return Get(call);
  if (verb == "list") return List(call);
  if (verb == "watch") return Watch(call);
  if (verb == "create") return Create(call);
  if (verb == "update") return Update(call);
  if (verb == "patch") return Patch(call);
  if (verb == "delete") return Delete(call);
  if (verb == "deletecollection") return DeleteCollection(call);
  Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), verb));
}

void ResourceHandler::Get(const Call& call) const {
  if (!resource_.info.HasVerb("get")) return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), "get"));
  auto format = NegotiateOutput(call.request);
  if (!format.ok()) return Fail(call, format.status());
  registry::GetOptions options;
  options.resource_version = std::string(call.request.Query("resourceVersion").value_or(""));
  auto object = resource_.store->Get(call.info.namespace_, call.info.name, options);
  if (!object.ok()) return Fail(call, object.status());
  if (!resource_.to_served && format->kind == OutputKind::kJson) {
    return call.responder->Send(JsonResponse(200, (*object)->json));
  }
  RespondObject(call, 200, *(*object)->object);
}

void ResourceHandler::List(const Call& call) const {
  if (!resource_.info.HasVerb("list")) return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), "list"));
  auto format = NegotiateOutput(call.request);
  if (!format.ok()) return Fail(call, format.status());
  auto options = ListOptionsOf(call.request);
  if (!options.ok()) return Fail(call, options.status());
  auto listed = resource_.store->List(call.info.namespace_, *options);
  if (!listed.ok()) return Fail(call, listed.status());
  ListMeta meta{std::to_string(listed->revision), listed->continue_token, listed->remaining};
  if (format->kind == OutputKind::kJson && !resource_.to_served) {
    std::vector<const std::string*> items;
    items.reserve(listed->items.size());
    for (const auto& item : listed->items) items.push_back(&item->json);
    return call.responder->Send(JsonResponse(200, ListJson(resource_.info, meta, items)));
  }
  std::vector<json::Value> converted;
  std::vector<const json::Value*> objects;
  if (resource_.to_served) {
    converted.reserve(listed->items.size());
    for (const auto& item : listed->items) converted.push_back(resource_.to_served(*item->object));
    for (const json::Value& v : converted) objects.push_back(&v);
  } else {
    for (const auto& item : listed->items) objects.push_back(item->object.get());
  }
  if (format->kind == OutputKind::kTable) {
    return call.responder->Send(
        JsonResponse(200, json::Write(Table(resource_.info, objects, *format, meta, true, deps_.clock->Now()))));
  }
  std::vector<std::string> texts;
  texts.reserve(objects.size());
  for (const json::Value* o : objects) {
    texts.push_back(json::Write(format->kind == OutputKind::kPartialObjectMetadata ? PartialObjectMetadata(*o) : *o));
  }
  std::vector<const std::string*> items;
  for (const std::string& t : texts) items.push_back(&t);
  registry::ResourceInfo list_info = resource_.info;
  if (format->kind == OutputKind::kPartialObjectMetadata) {
    list_info.kind = "PartialObjectMetadata";
    list_info.group = "meta.k8s.io";
  }
  call.responder->Send(JsonResponse(200, ListJson(list_info, meta, items)));
}

void ResourceHandler::Watch(const Call& call) const {
  if (!resource_.info.HasVerb("watch")) return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), "watch"));
  auto format = NegotiateOutput(call.request);
  if (!format.ok()) return Fail(call, format.status());
  registry::ResourceStore::WatchOptions options;
  auto labels = LabelSelectorOf(call.request);
  if (!labels.ok()) return Fail(call, labels.status());
  auto fields = FieldSelectorOf(call.request);
  if (!fields.ok()) return Fail(call, fields.status());
  options.labels = *labels;
  options.fields = *fields;
  if (!call.info.name.empty() && !fields->RequiresExactMatch("metadata.name")) {
    // A watch on one object by its URL (.../pods/web?watch=true).
    auto narrowed = selectors::FieldSelector::Parse(
        StrCat(fields->empty() ? "" : StrCat(fields->String(), ","), "metadata.name=", call.info.name));
    if (narrowed.ok()) options.fields = *narrowed;
  }
  options.resource_version = std::string(call.request.Query("resourceVersion").value_or(""));
  if (!options.resource_version.empty() &&
      options.resource_version.find_first_not_of("0123456789") != std::string::npos) {
    return Fail(call, apierrors::BadRequest(StrCat("invalid resource version \"", options.resource_version, "\"")));
  }
  auto bookmarks = QueryBool(call.request, "allowWatchBookmarks");
  if (!bookmarks.ok()) return Fail(call, bookmarks.status());
  options.allow_bookmarks = bookmarks->value_or(false);
  auto initial = QueryBool(call.request, "sendInitialEvents");
  if (!initial.ok()) return Fail(call, initial.status());
  options.send_initial_events = initial->value_or(false);
  std::string match = std::string(call.request.Query("resourceVersionMatch").value_or(""));
  if (options.send_initial_events) {
    apierrors::Details d;
    std::vector<apierrors::Cause> causes;
    if (match != "NotOlderThan") {
      causes.push_back(apierrors::ForbiddenCause("resourceVersionMatch",
                                                 "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
    }
    if (!options.allow_bookmarks) {
      causes.push_back(apierrors::ForbiddenCause("allowWatchBookmarks",
                                                 "allowWatchBookmarks must be set to true when sendInitialEvents is true"));
    }
    if (!causes.empty()) return Fail(call, apierrors::Invalid("meta.k8s.io", "ListOptions", "", std::move(causes)));
  } else if (!match.empty()) {
    return Fail(call, apierrors::Invalid("meta.k8s.io", "ListOptions", "",
                                         {apierrors::ForbiddenCause("resourceVersionMatch",
                                                                    "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")}));
  }
  auto timeout = QueryInt(call.request, "timeoutSeconds");
  if (!timeout.ok()) return Fail(call, timeout.status());
  // Unsupported fields and bad resource versions are answered before the stream starts.
  std::vector<std::string> supported = {"metadata.name", "metadata.namespace"};
  const registry::ResourceInfo& stored = resource_.store->info();
  supported.insert(supported.end(), stored.selectable_fields.begin(), stored.selectable_fields.end());
  if (absl::Status s = options.fields.CheckSupported(supported); !s.ok()) {
    return Fail(call, apierrors::BadRequest(ToStd(s.message())));
  }
  WatchRequestOptions watch;
  watch.resource = &resource_.info;
  watch.format = *format;
  watch.converter = resource_.to_served;
  watch.timeout = timeout->has_value() && **timeout > 0 ? absl::Seconds(**timeout) : DefaultWatchTimeout();
  registry::ResourceStore* store = resource_.store;
  std::string ns = call.info.namespace_;
  deps_.watches->Serve(call.responder, std::move(watch), [store, ns, options](storage::cacher::WatchSink* sink) {
    return store->Watch(ns, options, sink);
  });
}

absl::StatusOr<ResourceHandler::Write> ResourceHandler::DecodeWrite(const Call& call) const {
  ASSIGN_OR_RETURN(BodyFormat body_format, NegotiateBody(call.request));
  ASSIGN_OR_RETURN(FieldValidation validation, FieldValidationOf(call.request));
  Write out;
  ASSIGN_OR_RETURN(out.options.dry_run, DryRunOf(call.request));
  ASSIGN_OR_RETURN(ParsedBody body, ParseBody(call.request.body, body_format, *deps_.schema, resource_.info.schema_type));
  RETURN_IF_ERROR(DecodeObject(*deps_.schema, resource_.info.schema_type, resource_.info.GroupVersion(),
                               resource_.info.kind, &body, validation, &out.warnings, /*whole_object=*/true));
  if (resource_.validate_served) {
    registry::FieldErrors errors = resource_.validate_served(body.value);
    if (!errors.empty()) {
      return apierrors::Invalid(resource_.info.group, resource_.info.kind, body.value.GetString({"metadata", "name"}),
                                std::move(errors));
    }
  }
  out.object = resource_.to_stored ? resource_.to_stored(body.value) : std::move(body.value);
  out.options.field_manager = FieldManagerOf(call.request);
  RETURN_IF_ERROR(CheckFieldManager(out.options.field_manager));
  return out;
}

void ResourceHandler::Create(const Call& call) const {
  if (!resource_.info.HasVerb("create")) return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), "create"));
  auto write = DecodeWrite(call);
  if (!write.ok()) return Fail(call, write.status());
  auto admitted = std::make_shared<json::Value>();
  write->options.admission = AdmissionFor(call, admission::Operation::kCreate, "", write->options.dry_run, admitted);
  write->options.warnings = &write->warnings;
  auto created = resource_.store->Create(call.info.namespace_, std::move(write->object), write->options);
  if (!created.ok()) {
    // What admission allocated for the object (a service's cluster IP) is given back.
    if (!admitted->is_null()) Release(call, *admitted);
    return Fail(call, created.status());
  }
  RespondObject(call, 201, *(*created)->object, write->warnings);
}

void ResourceHandler::Update(const Call& call) const {
  if (!resource_.info.HasVerb("update")) return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), "update"));
  auto write = DecodeWrite(call);
  if (!write.ok()) return Fail(call, write.status());
  write->options.admission =
      AdmissionFor(call, admission::Operation::kUpdate, call.info.subresource, write->options.dry_run);
  write->options.warnings = &write->warnings;
  bool existed = true;
  if (resource_.store->AllowCreateOnUpdate()) {
    existed = resource_.store->Get(call.info.namespace_, call.info.name, {}).ok();
  }
  auto updated =
      call.info.subresource == "status"
          ? resource_.store->UpdateStatus(call.info.namespace_, call.info.name, std::move(write->object), write->options)
          : resource_.store->Update(call.info.namespace_, call.info.name, std::move(write->object), write->options);
  if (!updated.ok()) return Fail(call, updated.status());
  RespondObject(call, existed ? 200 : 201, *(*updated)->object, write->warnings);
}

void ResourceHandler::Patch(const Call& call) const {
  if (!resource_.info.HasVerb("patch")) return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), "patch"));
  auto dry_run = DryRunOf(call.request);
  if (!dry_run.ok()) return Fail(call, dry_run.status());
  auto request = ParsePatchRequest(call.request, FieldManagerOf(call.request));
  if (!request.ok()) return Fail(call, request.status());
  std::vector<std::string> warnings;
  const schema::Schema* schema = deps_.schema;
  const Clock* clock = deps_.clock;
  const ServedResource& served = resource_;
  bool created = false;
  registry::UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    created = current.is_null();
    json::Value shown = current.is_null() || !served.to_served ? current : served.to_served(current);
    warnings.clear();
    ASSIGN_OR_RETURN(json::Value patched, ApplyPatch(*schema, served.info, *request, shown, clock->Now(), &warnings));
    if (current.is_null()) {
      // An apply that creates: the object takes its name and namespace from the URL.
      json::Value& meta = patched.Ensure({"metadata"});
      std::string name = meta.GetString({"name"});
      if (!name.empty() && name != call.info.name) {
        return apierrors::BadRequest(StrCat("the name of the object (", name, ") does not match the name on the URL (",
                                            call.info.name, ")"));
      }
      meta.Set("name", call.info.name);
    }
    return served.to_stored ? served.to_stored(patched) : patched;
  };
  registry::WriteOptions options;
  options.dry_run = *dry_run;
  options.field_manager = request->type == PatchType::kApply ? "" : request->field_manager;
  auto admitted = std::make_shared<json::Value>();
  options.admission = AdmissionFor(call, admission::Operation::kUpdate, call.info.subresource, *dry_run, admitted);
  options.warnings = &warnings;
  auto patched = resource_.store->GuaranteedUpdate(call.info.namespace_, call.info.name, transform,
                                                   call.info.subresource == "status",
                                                   request->type == PatchType::kApply && call.info.subresource.empty(),
                                                   options);
  if (!patched.ok()) {
    if (created && !admitted->is_null() && !*dry_run) Release(call, *admitted);
    return Fail(call, patched.status());
  }
  RespondObject(call, created ? 201 : 200, *(*patched)->object, warnings);
}

void ResourceHandler::Delete(const Call& call) const {
  if (!resource_.info.HasVerb("delete")) return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), "delete"));
  auto options = DeleteOptionsOf(call.request);
  if (!options.ok()) return Fail(call, options.status());
  options->admission = AdmissionFor(call, admission::Operation::kDelete, "", options->dry_run);
  auto deleted = resource_.store->Delete(call.info.namespace_, call.info.name, *options);
  if (!deleted.ok()) return Fail(call, deleted.status());
  if (deleted->removed && !options->dry_run) Release(call, *deleted->object->object);
  // Upstream answers 200 with the object while removal is pending (a grace period,
  // finalizers); once it is gone, with the object for kinds that return it (pods, services,
  // ...) and a Status naming it for the rest.
  const json::Value& last = *deleted->object->object;
  if (deleted->removed && !resource_.info.return_deleted_object) {
    return call.responder->Send(
        SuccessStatus(200, &resource_.info, call.info.name, last.GetString({"metadata", "uid"})));
  }
  RespondObject(call, 200, last);
}

void ResourceHandler::DeleteCollection(const Call& call) const {
  if (!resource_.info.HasVerb("deletecollection")) {
    return Fail(call, apierrors::MethodNotSupported(resource_.info.GroupResource(), "deletecollection"));
  }
  auto list_options = ListOptionsOf(call.request);
  if (!list_options.ok()) return Fail(call, list_options.status());
  auto options = DeleteOptionsOf(call.request);
  if (!options.ok()) return Fail(call, options.status());
  options->admission = AdmissionFor(call, admission::Operation::kDelete, "", options->dry_run);
  auto deleted = resource_.store->DeleteCollection(call.info.namespace_, *list_options, *options);
  if (!deleted.ok()) return Fail(call, deleted.status());
  for (const auto& o : *deleted) {
    if (o->object->FindPath({"metadata", "deletionTimestamp"}) == nullptr && !options->dry_run) Release(call, *o->object);
  }
  std::vector<std::string> texts;
  for (const auto& o : *deleted) {
    texts.push_back(resource_.to_served ? json::Write(resource_.to_served(*o->object)) : o->json);
  }
  std::vector<const std::string*> items;
  for (const std::string& t : texts) items.push_back(&t);
  call.responder->Send(JsonResponse(200, ListJson(resource_.info, ListMeta{}, items)));
}

}  // namespace cubelet::apiserver
