#include "openapiv2/internal/paths.h"

#include <span>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "openapiv2/internal/definitions.h"

namespace cubelet::openapiv2::internal {

using json::Value;

namespace {

struct ParamDoc {
  std::string_view name;
  std::string_view type;
  std::string_view description;
};

// Every query parameter an operation may declare. kube-apiserver's v2 document refers to shared
// #/parameters entries; these are written inline, which kubectl reads the same way
// (query_param_verifier.go looks at inline parameters first).
constexpr ParamDoc kQueryParams[] = {
    {"allowWatchBookmarks", "boolean",
     "Asks for BOOKMARK watch events, which carry only a resourceVersion to resume from. Ignored unless watch is "
     "set."},
    {"container", "string", "The container whose log to read; may be omitted when the pod has only one."},
    {"continue", "string",
     "The continue token of the previous page of a chunked list; the next page is served at the same resource "
     "version. An expired token is answered with 410 Gone."},
    {"dryRun", "string", "When All, the request is validated and processed but nothing is persisted."},
    {"fieldManager", "string",
     "Name of the actor making the change, recorded in managedFields. Required for apply patches "
     "(application/apply-patch+yaml)."},
    {"fieldSelector", "string",
     "Restricts the returned objects by their fields: field=value, field==value or field!=value, comma-separated "
     "for AND. Defaults to everything."},
    {"fieldValidation", "string",
     "How unknown or duplicate fields in the request body are treated: Ignore drops them, Warn answers with a "
     "warning for each, Strict fails the request."},
    {"follow", "boolean", "Streams the log as it is written."},
    {"force", "boolean",
     "Apply patches only: take over the fields other managers own instead of failing with a conflict. Must be "
     "unset for other patch types."},
    {"gracePeriodSeconds", "integer",
     "Seconds before the object is deleted; 0 deletes it at once. Defaults to the kind's own period."},
    {"insecureSkipTLSVerifyBackend", "boolean",
     "Skips verifying the serving certificate of the kubelet the log is read from."},
    {"labelSelector", "string", "Restricts the returned objects by their labels. Defaults to everything."},
    {"limit", "integer",
     "Maximum number of items in a list response. When more remain, the list metadata carries a continue token "
     "that fetches the next page."},
    {"limitBytes", "integer", "Stops the log after this many bytes."},
    {"orphanDependents", "boolean",
     "Deprecated: use propagationPolicy. Whether the dependents are orphaned instead of garbage collected."},
    {"pretty", "string", "If 'true', the output is pretty printed."},
    {"previous", "boolean", "Returns the log of the previous, terminated instance of the container."},
    {"propagationPolicy", "string",
     "How dependents are garbage collected: Orphan, Background or Foreground. Defaults to the kind's own "
     "policy."},
    {"resourceVersion", "string",
     "Which resource version the request may be served from: unset means the most recent, 0 any, any other "
     "value not older than it."},
    {"resourceVersionMatch", "string", "How resourceVersion applies to a list: NotOlderThan or Exact."},
    {"sendInitialEvents", "boolean",
     "With watch: the stream starts with the current objects as ADDED events, ended by a BOOKMARK annotated "
     "k8s.io/initial-events-end. Requires resourceVersionMatch=NotOlderThan and allowWatchBookmarks."},
    {"sinceSeconds", "integer", "Returns only log lines newer than this many seconds."},
    {"tailLines", "integer", "Returns only this many lines from the end of the log."},
    {"timeoutSeconds", "integer", "Ends a list or watch call after this many seconds."},
    {"timestamps", "boolean", "Prefixes every log line with its RFC 3339 timestamp."},
    {"watch", "boolean",
     "Streams add, update and delete notifications for the described objects instead of listing them. Give "
     "resourceVersion to start after a known state."},
};

// The query parameters of each kind of operation, as kube-apiserver declares them.
using Names = std::span<const std::string_view>;
constexpr std::string_view kListParams[] = {"allowWatchBookmarks", "continue", "fieldSelector", "labelSelector",
                                            "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents",
                                            "timeoutSeconds", "watch"};
constexpr std::string_view kWriteParams[] = {"dryRun", "fieldManager", "fieldValidation"};
constexpr std::string_view kPatchParams[] = {"dryRun", "fieldManager", "fieldValidation", "force"};
constexpr std::string_view kDeleteParams[] = {"dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"};
constexpr std::string_view kDeleteCollectionParams[] = {
    "continue", "dryRun", "fieldSelector", "gracePeriodSeconds", "labelSelector", "limit", "orphanDependents",
    "propagationPolicy", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds"};
constexpr std::string_view kLogParams[] = {"container", "follow", "insecureSkipTLSVerifyBackend", "limitBytes",
                                           "previous", "sinceSeconds", "tailLines", "timestamps"};

// The request bodies a PATCH accepts. kubectl's client-side apply sends a strategic merge patch
// only when the PATCH operation consumes application/strategic-merge-patch+json.
constexpr std::string_view kPatchContentTypes[] = {
    "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
    "application/apply-patch+yaml"};

Value Strings(std::initializer_list<std::string_view> values) {
  Value list = Value::EmptyArray();
  for (std::string_view v : values) list.Append(v);
  return list;
}

Value StringsOf(Names values) {
  Value list = Value::EmptyArray();
  for (std::string_view v : values) list.Append(v);
  return list;
}

Value QueryParameter(std::string_view name) {
  Value p = Value::EmptyObject();
  std::string_view type = "string";
  for (const ParamDoc& doc : kQueryParams) {
    if (doc.name == name) {
      p.Set("description", doc.description);
      type = doc.type;
    }
  }
  p.Set("in", "query");
  p.Set("name", name);
  p.Set("type", type);
  p.Set("uniqueItems", true);
  return p;
}

Value PathParameter(std::string_view name, std::string_view description) {
  Value p = Value::EmptyObject();
  p.Set("description", description);
  p.Set("in", "path");
  p.Set("name", name);
  p.Set("required", true);
  p.Set("type", "string");
  p.Set("uniqueItems", true);
  return p;
}

Value BodyParameter(std::string_view definition, bool required) {
  Value p = Value::EmptyObject();
  p.Set("in", "body");
  p.Set("name", "body");
  if (required) p.Set("required", true);
  p.Set("schema", RefSchema(definition));
  return p;
}

std::string_view CodeDescription(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    default: return "";
  }
}

// Responses with the given success codes, all carrying `schema`, plus 401.
Value Responses(std::initializer_list<int> codes, const Value& schema) {
  Value responses = Value::EmptyObject();
  for (int code : codes) {
    Value r = Value::EmptyObject();
    r.Set("description", CodeDescription(code));
    r.Set("schema", schema);
    responses.Set(std::to_string(code), std::move(r));
  }
  Value unauthorized = Value::EmptyObject();
  unauthorized.Set("description", "Unauthorized");
  responses.Set("401", std::move(unauthorized));
  return responses;
}

std::string UpperFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = absl::ascii_toupper(static_cast<unsigned char>(out[0]));
  return out;
}

// The group as kube-apiserver's operation ids spell it: "" → Core, coordination.k8s.io →
// Coordination, rbac.authorization.k8s.io → RbacAuthorization.
std::string GroupPascal(std::string_view group) {
  if (group.empty()) return "Core";
  constexpr std::string_view kSuffix = ".k8s.io";
  if (group.size() > kSuffix.size() && group.substr(group.size() - kSuffix.size()) == kSuffix) {
    group.remove_suffix(kSuffix.size());
  }
  std::string out;
  for (absl::string_view part : absl::StrSplit(absl::string_view(group.data(), group.size()), '.')) {
    out += UpperFirst(ToStd(part));
  }
  return out;
}

}  // namespace

// What one resource's operations are named after.
struct PathsBuilder::Naming {
  const registry::ResourceInfo* info = nullptr;
  std::string prefix;       // "/api/v1"
  std::string tag;          // "core_v1"
  std::string id_tail;      // "CoreV1NamespacedPod"
  std::string op_infix;     // "CoreV1"
  std::string scope;        // "Namespaced" or ""
  Value gvk;                // {"group":..,"kind":..,"version":..}

  Value Operation(std::string_view description, std::string_view operation_id, std::string_view action,
                  Value operation_gvk) const {
    Value op = Value::EmptyObject();
    op.Set("consumes", Strings({"*/*"}));
    op.Set("description", description);
    op.Set("operationId", operation_id);
    op.Set("produces", Strings({"application/json"}));
    op.Set("schemes", Strings({"https"}));
    op.Set("tags", Strings({tag}));
    op.Set("x-kubernetes-action", action);
    op.Set("x-kubernetes-group-version-kind", std::move(operation_gvk));
    return op;
  }

  // Path-level parameters: the path's own and `pretty`.
  Value PathParameters(bool with_name, bool with_namespace) const {
    Value params = Value::EmptyArray();
    if (with_name) params.Append(PathParameter("name", StrCat("name of the ", info->kind)));
    if (with_namespace) {
      params.Append(PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
    }
    params.Append(QueryParameter("pretty"));
    return params;
  }
};

namespace {

Value Parameters(Names names, std::optional<Value> body = std::nullopt) {
  Value list = Value::EmptyArray();
  if (body) list.Append(std::move(*body));
  for (std::string_view name : names) list.Append(QueryParameter(name));
  return list;
}

}  // namespace

PathsBuilder::PathsBuilder(const schema::Schema& schema, std::vector<std::string>* problems)
    : schema_(schema), problems_(problems) {
  referenced_.insert(std::string(kStatusDefinition));
}

Value& PathsBuilder::PathItem(const std::string& path, Value parameters) {
  auto [it, inserted] = paths_.try_emplace(path, Value::EmptyObject());
  if (inserted) it->second.Set("parameters", std::move(parameters));
  return it->second;
}

void PathsBuilder::AddResource(const registry::ResourceInfo& info) {
  if (schema_.Find(info.schema_type) == nullptr) {
    problems_->push_back(StrCat(info.resource, ".", info.GroupVersion(), ": no schema type ", info.schema_type));
    return;
  }
  Naming n;
  n.info = &info;
  n.prefix = info.group.empty() ? StrCat("/api/", info.version) : StrCat("/apis/", info.group, "/", info.version);
  n.op_infix = GroupPascal(info.group) + UpperFirst(info.version);
  std::string group_pascal = GroupPascal(info.group);
  group_pascal[0] = absl::ascii_tolower(static_cast<unsigned char>(group_pascal[0]));
  n.tag = StrCat(group_pascal, "_", info.version);
  n.scope = info.namespaced ? "Namespaced" : "";
  n.id_tail = StrCat(n.op_infix, n.scope, info.kind);
  n.gvk = GroupVersionKindJson(info.group, info.version, info.kind);
  referenced_.insert(info.schema_type);
  if (info.HasVerb("list")) lists_.push_back(&info);

  const std::string& kind = info.kind;
  const std::string& kind_def = info.schema_type;
  const std::string collection = info.namespaced ? StrCat(n.prefix, "/namespaces/{namespace}/", info.resource)
                                                 : StrCat(n.prefix, "/", info.resource);
  const std::string item = StrCat(collection, "/{name}");

  Value& coll = PathItem(collection, n.PathParameters(false, info.namespaced));
  if (info.HasVerb("list")) {
    Value op = n.Operation(StrCat("list or watch objects of kind ", kind), StrCat("list", n.id_tail), "list", n.gvk);
    op.Set("parameters", Parameters(kListParams));
    op.Set("produces", Strings({"application/json", "application/json;stream=watch"}));
    op.Set("responses", Responses({200}, RefSchema(kind_def + "List")));
    coll.Set("get", std::move(op));
  }
  if (info.HasVerb("create")) {
    Value op = n.Operation(StrCat("create a ", kind), StrCat("create", n.id_tail), "post", n.gvk);
    op.Set("parameters", Parameters(kWriteParams, BodyParameter(kind_def, true)));
    op.Set("responses", Responses({200, 201, 202}, RefSchema(kind_def)));
    coll.Set("post", std::move(op));
  }
  if (info.HasVerb("deletecollection")) {
    Value op = n.Operation(StrCat("delete collection of ", kind),
                           StrCat("delete", n.op_infix, "Collection", n.scope, kind), "deletecollection", n.gvk);
    op.Set("parameters", Parameters(kDeleteCollectionParams, BodyParameter(kDeleteOptionsDefinition, false)));
    op.Set("responses", Responses({200}, RefSchema(kStatusDefinition)));
    coll.Set("delete", std::move(op));
    referenced_.insert(std::string(kDeleteOptionsDefinition));
  }

  Value& one = PathItem(item, n.PathParameters(true, info.namespaced));
  if (info.HasVerb("get")) {
    Value op = n.Operation(StrCat("read the specified ", kind), StrCat("read", n.id_tail), "get", n.gvk);
    op.Set("responses", Responses({200}, RefSchema(kind_def)));
    one.Set("get", std::move(op));
  }
  if (info.HasVerb("update")) {
    Value op = n.Operation(StrCat("replace the specified ", kind), StrCat("replace", n.id_tail), "put", n.gvk);
    op.Set("parameters", Parameters(kWriteParams, BodyParameter(kind_def, true)));
    op.Set("responses", Responses({200, 201}, RefSchema(kind_def)));
    one.Set("put", std::move(op));
  }
  if (info.HasVerb("patch")) {
    Value op =
        n.Operation(StrCat("partially update the specified ", kind), StrCat("patch", n.id_tail), "patch", n.gvk);
    op.Set("consumes", StringsOf(kPatchContentTypes));
    op.Set("parameters", Parameters(kPatchParams, BodyParameter(kPatchDefinition, true)));
    op.Set("responses", Responses({200, 201}, RefSchema(kind_def)));
    one.Set("patch", std::move(op));
    referenced_.insert(std::string(kPatchDefinition));
  }
  if (info.HasVerb("delete")) {
    Value op = n.Operation(StrCat("delete a ", kind), StrCat("delete", n.id_tail), "delete", n.gvk);
    op.Set("parameters", Parameters(kDeleteParams, BodyParameter(kDeleteOptionsDefinition, false)));
    op.Set("responses", Responses({200, 202}, RefSchema(kStatusDefinition)));
    one.Set("delete", std::move(op));
    referenced_.insert(std::string(kDeleteOptionsDefinition));
  }

  if (info.namespaced && info.HasVerb("list")) {
    Value& all = PathItem(StrCat(n.prefix, "/", info.resource), n.PathParameters(false, false));
    Value op = n.Operation(StrCat("list or watch objects of kind ", kind),
                           StrCat("list", n.op_infix, kind, "ForAllNamespaces"), "list", n.gvk);
    op.Set("parameters", Parameters(kListParams));
    op.Set("produces", Strings({"application/json", "application/json;stream=watch"}));
    op.Set("responses", Responses({200}, RefSchema(kind_def + "List")));
    all.Set("get", std::move(op));
  }

  for (const registry::SubresourceInfo& sub : info.subresources) AddSubresource(n, sub, item);
}

void PathsBuilder::AddSubresource(const Naming& n, const registry::SubresourceInfo& sub, const std::string& item) {
  const schema::StructType* sub_type = schema_.FindKind({sub.group, sub.version, sub.kind});
  if (sub_type == nullptr) {
    problems_->push_back(StrCat(n.info->resource, "/", sub.name, ": no schema type for kind ",
                                sub.group.empty() ? "" : sub.group + "/", sub.version, ", Kind=", sub.kind));
    return;
  }
  const std::string& sub_def = sub_type->name;
  referenced_.insert(sub_def);
  const std::string op_tail = n.id_tail + UpperFirst(sub.name);  // "CoreV1NamespacedPodStatus"
  const std::string& kind = n.info->kind;
  Value& path = PathItem(StrCat(item, "/", sub.name), n.PathParameters(true, n.info->namespaced));
  for (const std::string& verb : sub.verbs) {
    Value gvk = GroupVersionKindJson(sub.group, sub.version, sub.kind);
    if (verb == "get") {
      Value op = n.Operation(StrCat("read ", sub.name, " of the specified ", kind), StrCat("read", op_tail), "get",
                             std::move(gvk));
      if (sub.name == "log") {
        op.Set("parameters", Parameters(kLogParams));
        op.Set("produces", Strings({"text/plain"}));
        Value text = Value::EmptyObject();
        text.Set("type", "string");
        op.Set("responses", Responses({200}, text));
      } else {
        op.Set("responses", Responses({200}, RefSchema(sub_def)));
      }
      path.Set("get", std::move(op));
    } else if (verb == "update") {
      Value op = n.Operation(StrCat("replace ", sub.name, " of the specified ", kind), StrCat("replace", op_tail),
                             "put", std::move(gvk));
      op.Set("parameters", Parameters(kWriteParams, BodyParameter(sub_def, true)));
      op.Set("responses", Responses({200, 201}, RefSchema(sub_def)));
      path.Set("put", std::move(op));
    } else if (verb == "patch") {
      Value op = n.Operation(StrCat("partially update ", sub.name, " of the specified ", kind),
                             StrCat("patch", op_tail), "patch", std::move(gvk));
      op.Set("consumes", StringsOf(kPatchContentTypes));
      op.Set("parameters", Parameters(kPatchParams, BodyParameter(kPatchDefinition, true)));
      op.Set("responses", Responses({200, 201}, RefSchema(sub_def)));
      path.Set("patch", std::move(op));
      referenced_.insert(std::string(kPatchDefinition));
    } else if (verb == "create") {
      Value op = n.Operation(StrCat("create ", sub.name, " of a ", kind), StrCat("create", op_tail), "post",
                             std::move(gvk));
      op.Set("parameters", Parameters(kWriteParams, BodyParameter(sub_def, true)));
      op.Set("responses", Responses({200, 201, 202}, RefSchema(sub_def)));
      path.Set("post", std::move(op));
    }
  }
}

Value PathsBuilder::Build() {
  Value paths = Value::EmptyObject();
  for (auto& [path, item] : paths_) paths.AsObject().emplace_back(path, std::move(item));
  paths_.clear();
  return paths;
}

}  // namespace cubelet::openapiv2::internal
