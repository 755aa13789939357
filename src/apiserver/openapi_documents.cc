#include "apiserver/openapi_documents.h"

#include <openssl/evp.h>

#include <algorithm>
#include <set>
#include <span>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/strings.h"
#include "json/write.h"
#include "schema/openapi.h"

namespace cubelet::apiserver {
namespace {

using json::Value;

constexpr std::string_view kRootPath = "/openapi/v3";
constexpr std::string_view kGroupVersionPrefix = "/openapi/v3/";
constexpr std::string_view kPatchSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
constexpr std::string_view kStatusSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
constexpr std::string_view kDeleteOptionsSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
constexpr std::string_view kListMetaSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

// The request body types a PATCH accepts, in the order upstream lists them. kubectl's
// client-side apply computes a strategic merge patch from these documents only when the
// operation lists application/strategic-merge-patch+json.
constexpr std::string_view kPatchContentTypes[] = {
    "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
    "application/strategic-merge-patch+json"};

struct ParamDoc {
  std::string_view name;
  std::string_view type;
  std::string_view description;
};

// Every query parameter an operation may declare. They are written inline in each operation
// (as upstream's v3 documents do): kubectl compares parameter names without resolving $refs.
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

// The query parameters of each kind of operation, as upstream declares them.
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

Value Object() { return Value::EmptyObject(); }

Value Parameter(std::string_view in, std::string_view name, std::string_view type, std::string_view description,
                bool required) {
  Value p = Object();
  p.Set("description", description);
  p.Set("in", in);
  p.Set("name", name);
  if (required) p.Set("required", true);
  Value schema = Object();
  schema.Set("type", type);
  p.Set("schema", std::move(schema));
  return p;
}

Value QueryParameter(std::string_view name) {
  for (const ParamDoc& doc : kQueryParams) {
    if (doc.name == name) return Parameter("query", doc.name, doc.type, doc.description, false);
  }
  return Parameter("query", name, "string", "", false);  // not reached: every name is in the table
}

Value QueryParameters(Names names) {
  Value list = Value::EmptyArray();
  for (std::string_view name : names) list.Append(QueryParameter(name));
  return list;
}

Value SchemaRefObject(std::string_view schema_name) {
  Value v = Object();
  v.Set("$ref", schema::SchemaRef(schema_name));
  return v;
}

// {"<content type>": {"schema": ...}, ...}
Value Content(const std::vector<std::string_view>& content_types, const Value& schema) {
  Value content = Object();
  for (std::string_view type : content_types) {
    Value media = Object();
    media.Set("schema", schema);
    content.Set(type, std::move(media));
  }
  return content;
}

Value RequestBody(const std::vector<std::string_view>& content_types, std::string_view schema_name, bool required) {
  Value body = Object();
  body.Set("content", Content(content_types, SchemaRefObject(schema_name)));
  if (required) body.Set("required", true);
  return body;
}

std::string_view CodeDescription(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    default: return "";
  }
}

// Responses with the given success codes, all carrying `schema` as `content_types`, plus 401.
Value Responses(const std::vector<int>& codes, const std::vector<std::string_view>& content_types, const Value& schema) {
  Value responses = Object();
  for (int code : codes) {
    Value r = Object();
    r.Set("content", Content(content_types, schema));
    r.Set("description", CodeDescription(code));
    responses.Set(std::to_string(code), std::move(r));
  }
  Value unauthorized = Object();
  unauthorized.Set("description", "Unauthorized");
  responses.Set("401", std::move(unauthorized));
  return responses;
}

Value JsonResponses(const std::vector<int>& codes, std::string_view schema_name) {
  return Responses(codes, {"application/json"}, SchemaRefObject(schema_name));
}

std::string UpperFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = absl::ascii_toupper(static_cast<unsigned char>(out[0]));
  return out;
}

std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = absl::ascii_tolower(static_cast<unsigned char>(out[0]));
  return out;
}

// The group as upstream's operation ids spell it: "" → Core, coordination.k8s.io →
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

std::string GroupVersionPath(std::string_view group, std::string_view version) {
  return group.empty() ? StrCat("api/", version) : StrCat("apis/", group, "/", version);
}

std::string ToHexUpper(const unsigned char* data, size_t size) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

// Uppercase hex SHA-512 of `bytes`: what upstream's handler3 publishes as a document's hash and
// ETag, so a client's cache keyed by it behaves the same.
std::string Sha512Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha512(), nullptr) != 1) {
    return "";  // OpenSSL cannot fail to hash memory short of allocation failure
  }
  return ToHexUpper(digest, size);
}

std::string Quote(std::string_view etag) { return StrCat("\"", etag, "\""); }

// What one resource's operations are named after.
struct ResourceNaming {
  const registry::ResourceInfo* info;
  std::string prefix;       // "/api/v1"
  std::string op_infix;     // "CoreV1"
  std::string tag;          // "core_v1"
  std::string scope;        // "Namespaced" or ""
  std::string kind_schema;  // "io.k8s.api.core.v1.Pod"
  std::string list_schema;  // "io.k8s.api.core.v1.PodList"
  Value gvk;                // {"group":..,"kind":..,"version":..}
};

Value Operation(const ResourceNaming& n, std::string_view description, std::string_view operation_id,
                std::string_view action, Value gvk) {
  Value op = Object();
  op.Set("description", description);
  op.Set("operationId", operation_id);
  Value tags = Value::EmptyArray();
  tags.Append(n.tag);
  op.Set("tags", std::move(tags));
  op.Set("x-kubernetes-action", action);
  op.Set("x-kubernetes-group-version-kind", std::move(gvk));
  return op;
}

// The parameters every operation of a path shares: the path's own and `pretty`.
Value PathParameters(const ResourceNaming& n, bool with_name, bool with_namespace) {
  Value params = Value::EmptyArray();
  if (with_name) {
    params.Append(Parameter("path", "name", "string", StrCat("name of the ", n.info->kind), true));
  }
  if (with_namespace) {
    params.Append(
        Parameter("path", "namespace", "string", "object name and auth scope, such as for teams and projects", true));
  }
  params.Append(QueryParameter("pretty"));
  return params;
}

Value ListOperation(const ResourceNaming& n, std::string_view operation_id) {
  const std::string& kind = n.info->kind;
  Value op = Operation(n, StrCat("list or watch objects of kind ", kind), operation_id, "list", n.gvk);
  op.Set("parameters", QueryParameters(kListParams));
  op.Set("responses", Responses({200}, {"application/json", "application/json;stream=watch"},
                                SchemaRefObject(n.list_schema)));
  return op;
}

Value PatchOperation(const ResourceNaming& n, std::string_view description, std::string_view operation_id,
                     Value gvk, std::string_view response_schema) {
  Value op = Operation(n, description, operation_id, "patch", std::move(gvk));
  op.Set("parameters", QueryParameters(kPatchParams));
  op.Set("requestBody", RequestBody({std::begin(kPatchContentTypes), std::end(kPatchContentTypes)}, kPatchSchemaName,
                                    true));
  op.Set("responses", JsonResponses({200, 201}, response_schema));
  return op;
}

Value DeleteOperation(const ResourceNaming& n, std::string_view description, std::string_view operation_id,
                      std::string_view action, Names params, const std::vector<int>& codes) {
  Value op = Operation(n, description, operation_id, action, n.gvk);
  op.Set("parameters", QueryParameters(params));
  op.Set("requestBody", RequestBody({"application/json"}, kDeleteOptionsSchemaName, false));
  op.Set("responses", JsonResponses(codes, kStatusSchemaName));
  return op;
}

// A list kind's schema, as upstream generates it for <Kind>List.
Value ListSchema(const registry::ResourceInfo& info, const std::string& kind_schema) {
  Value properties = Object();
  Value api_version = Object();
  api_version.Set("description", "API version of this representation of the list.");
  api_version.Set("type", "string");
  properties.Set("apiVersion", std::move(api_version));
  Value items = Object();
  items.Set("description", StrCat("List of ", info.resource, "."));
  items.Set("items", SchemaRefObject(kind_schema));
  items.Set("type", "array");
  properties.Set("items", std::move(items));
  Value kind = Object();
  kind.Set("description", StrCat("Kind of the list; ", info.kind, "List here."));
  kind.Set("type", "string");
  properties.Set("kind", std::move(kind));
  Value metadata = Object();
  Value all_of = Value::EmptyArray();
  all_of.Append(SchemaRefObject(kListMetaSchemaName));
  metadata.Set("allOf", std::move(all_of));
  metadata.Set("description", "Standard list metadata: resourceVersion, and continue for chunked lists.");
  properties.Set("metadata", std::move(metadata));

  Value list = Object();
  list.Set("description", StrCat(info.kind, "List is a list of ", info.kind, " objects."));
  list.Set("properties", std::move(properties));
  Value required = Value::EmptyArray();
  required.Append("items");
  list.Set("required", std::move(required));
  list.Set("type", "object");
  Value gvks = Value::EmptyArray();
  gvks.Append(schema::GroupVersionKindJson({info.group, info.version, info.kind + "List"}));
  list.Set("x-kubernetes-group-version-kind", std::move(gvks));
  return list;
}

Value PatchSchema() {
  Value v = Object();
  v.Set("description",
        "Patch is the body of a PATCH request; its format is given by the Content-Type: a JSON patch (RFC 6902), a "
        "JSON merge patch (RFC 7386), a strategic merge patch, or an apply configuration for server-side apply.");
  v.Set("type", "object");
  return v;
}

// Builds the paths and component schema names of the resources of one group version.
class GroupVersionBuilder {
 public:
  GroupVersionBuilder(const schema::Schema& schema, std::string_view group, std::string_view version,
                      std::vector<std::string>* problems)
      : schema_(schema), group_(group), version_(version), problems_(problems) {}

  void AddResource(const registry::ResourceInfo& info) {
    if (schema_.Find(info.schema_type) == nullptr) {
      problems_->push_back(StrCat(info.resource, ".", info.GroupVersion(), ": no schema type ", info.schema_type));
      return;
    }
    ResourceNaming n;
    n.info = &info;
    n.prefix = StrCat("/", GroupVersionPath(group_, version_));
    n.op_infix = GroupPascal(group_) + UpperFirst(version_);
    n.tag = StrCat(LowerFirst(GroupPascal(group_)), "_", version_);
    n.scope = info.namespaced ? "Namespaced" : "";
    n.kind_schema = info.schema_type;
    n.list_schema = info.schema_type + "List";
    n.gvk = schema::GroupVersionKindJson({info.group, info.version, info.kind});
    roots_.insert(info.schema_type);
    if (info.HasVerb("list")) lists_.emplace_back(&info);

    const std::string& kind = info.kind;
    const std::string collection =
        info.namespaced ? StrCat(n.prefix, "/namespaces/{namespace}/", info.resource) : StrCat(n.prefix, "/", info.resource);
    const std::string item = StrCat(collection, "/{name}");
    const std::string id_tail = StrCat(n.op_infix, n.scope, kind);  // "CoreV1NamespacedPod"

    Value& coll = PathItem(collection, PathParameters(n, false, info.namespaced));
    if (info.HasVerb("list")) coll.Set("get", ListOperation(n, StrCat("list", id_tail)));
    if (info.HasVerb("create")) {
      Value op = Operation(n, StrCat("create a ", kind), StrCat("create", id_tail), "post", n.gvk);
      op.Set("parameters", QueryParameters(kWriteParams));
      op.Set("requestBody", RequestBody({"application/json"}, n.kind_schema, true));
      op.Set("responses", JsonResponses({200, 201, 202}, n.kind_schema));
      coll.Set("post", std::move(op));
    }
    if (info.HasVerb("deletecollection")) {
      coll.Set("delete", DeleteOperation(n, StrCat("delete collection of ", kind),
                                         StrCat("delete", n.op_infix, "Collection", n.scope, kind), "deletecollection",
                                         kDeleteCollectionParams, {200}));
    }

    Value& one = PathItem(item, PathParameters(n, true, info.namespaced));
    if (info.HasVerb("get")) {
      Value op = Operation(n, StrCat("read the specified ", kind), StrCat("read", id_tail), "get", n.gvk);
      op.Set("responses", JsonResponses({200}, n.kind_schema));
      one.Set("get", std::move(op));
    }
    if (info.HasVerb("update")) {
      Value op = Operation(n, StrCat("replace the specified ", kind), StrCat("replace", id_tail), "put", n.gvk);
      op.Set("parameters", QueryParameters(kWriteParams));
      op.Set("requestBody", RequestBody({"application/json"}, n.kind_schema, true));
      op.Set("responses", JsonResponses({200, 201}, n.kind_schema));
      one.Set("put", std::move(op));
    }
    if (info.HasVerb("patch")) {
      one.Set("patch", PatchOperation(n, StrCat("partially update the specified ", kind), StrCat("patch", id_tail),
                                      n.gvk, n.kind_schema));
    }
    if (info.HasVerb("delete")) {
      one.Set("delete",
              DeleteOperation(n, StrCat("delete a ", kind), StrCat("delete", id_tail), "delete", kDeleteParams, {200, 202}));
    }

    if (info.namespaced && info.HasVerb("list")) {
      Value& all = PathItem(StrCat(n.prefix, "/", info.resource), PathParameters(n, false, false));
      all.Set("get", ListOperation(n, StrCat("list", n.op_infix, kind, "ForAllNamespaces")));
    }

    for (const registry::SubresourceInfo& sub : info.subresources) AddSubresource(n, sub, item, id_tail);
  }

  // {"paths": ..., "components": {"schemas": ...}} merged into `document`.
  void Finish(Value* document) {
    Value paths = Object();
    for (auto& [path, item] : paths_) paths.AsObject().emplace_back(path, std::move(item));
    document->Set("paths", std::move(paths));

    for (std::string_view name : {kStatusSchemaName, kDeleteOptionsSchemaName, kListMetaSchemaName}) {
      roots_.insert(std::string(name));
    }
    std::vector<std::string> roots;
    for (const std::string& name : roots_) {
      if (schema_.Find(name) != nullptr) {
        roots.push_back(name);
      } else {
        problems_->push_back(StrCat(GroupVersionPath(group_, version_), ": no schema type ", name));
      }
    }
    absl::StatusOr<Value> schemas = schema::ComponentSchemas(schema_, roots);
    Value components_schemas = schemas.ok() ? std::move(*schemas) : Object();
    if (!schemas.ok()) problems_->push_back(std::string(schemas.status().message()));
    for (const registry::ResourceInfo* info : lists_) {
      components_schemas.Set(info->schema_type + "List", ListSchema(*info, info->schema_type));
    }
    components_schemas.Set(kPatchSchemaName, PatchSchema());
    json::Object& members = components_schemas.AsObject();
    std::sort(members.begin(), members.end(), [](const json::Member& a, const json::Member& b) { return a.first < b.first; });
    Value components = Object();
    components.Set("schemas", std::move(components_schemas));
    document->Set("components", std::move(components));
  }

 private:
  // The path item at `path`, created with `parameters` (the path-level parameters) if new.
  Value& PathItem(const std::string& path, Value parameters) {
    auto [it, inserted] = paths_.try_emplace(path, Object());
    if (inserted) it->second.Set("parameters", std::move(parameters));
    return it->second;
  }

  void AddSubresource(const ResourceNaming& n, const registry::SubresourceInfo& sub, const std::string& item,
                      const std::string& id_tail) {
    schema::GroupVersionKind sub_gvk{sub.group, sub.version, sub.kind};
    std::optional<std::string> sub_schema = schema::KindSchemaName(schema_, sub_gvk);
    if (!sub_schema) {
      problems_->push_back(StrCat(n.info->resource, "/", sub.name, ": no schema type for kind ",
                                  sub.group.empty() ? "" : sub.group + "/", sub.version, ", Kind=", sub.kind));
      return;
    }
    roots_.insert(*sub_schema);
    const std::string op_tail = id_tail + UpperFirst(sub.name);  // "CoreV1NamespacedPodStatus"
    const std::string& kind = n.info->kind;
    Value& path = PathItem(StrCat(item, "/", sub.name), PathParameters(n, true, n.info->namespaced));
    for (const std::string& verb : sub.verbs) {
      if (verb == "get") {
        Value op = Operation(n, StrCat("read ", sub.name, " of the specified ", kind), StrCat("read", op_tail), "get",
                             schema::GroupVersionKindJson(sub_gvk));
        if (sub.name == "log") {
          op.Set("parameters", QueryParameters(kLogParams));
          Value text = Object();
          text.Set("type", "string");
          op.Set("responses", Responses({200}, {"text/plain"}, text));
        } else {
          op.Set("responses", JsonResponses({200}, *sub_schema));
        }
        path.Set("get", std::move(op));
      } else if (verb == "update") {
        Value op = Operation(n, StrCat("replace ", sub.name, " of the specified ", kind), StrCat("replace", op_tail),
                             "put", schema::GroupVersionKindJson(sub_gvk));
        op.Set("parameters", QueryParameters(kWriteParams));
        op.Set("requestBody", RequestBody({"application/json"}, *sub_schema, true));
        op.Set("responses", JsonResponses({200, 201}, *sub_schema));
        path.Set("put", std::move(op));
      } else if (verb == "patch") {
        path.Set("patch", PatchOperation(n, StrCat("partially update ", sub.name, " of the specified ", kind),
                                         StrCat("patch", op_tail), schema::GroupVersionKindJson(sub_gvk), *sub_schema));
      } else if (verb == "create") {
        Value op = Operation(n, StrCat("create ", sub.name, " of a ", kind), StrCat("create", op_tail), "post",
                             schema::GroupVersionKindJson(sub_gvk));
        op.Set("parameters", QueryParameters(kWriteParams));
        op.Set("requestBody", RequestBody({"application/json"}, *sub_schema, true));
        op.Set("responses", JsonResponses({200, 201, 202}, *sub_schema));
        path.Set("post", std::move(op));
      }
    }
  }

  const schema::Schema& schema_;
  std::string group_;
  std::string version_;
  std::vector<std::string>* problems_;
  std::map<std::string, Value> paths_;  // sorted, as upstream's documents are
  std::set<std::string> roots_;
  std::vector<const registry::ResourceInfo*> lists_;
};

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether the Accept header admits application/json: an absent header, application/json,
// application/* or */* with a non-zero quality.
bool AcceptsJson(const httpserver::Request& request) {
  std::optional<std::string_view> accept = request.headers.Get("Accept");
  if (!accept || Trim(*accept).empty()) return true;
  for (absl::string_view clause : absl::StrSplit(absl::string_view(accept->data(), accept->size()), ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(clause, ';');
    std::string media(Trim(ToStd(parts[0])));
    absl::AsciiStrToLower(&media);
    bool zero_quality = false;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view param = Trim(ToStd(parts[i]));
      if (StartsWith(param, "q=") || StartsWith(param, "Q=")) {
        std::string_view q = param.substr(2);
        zero_quality = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (zero_quality) continue;
    if (media == "application/json" || media == "application/*" || media == "*/*" || media == "*") return true;
  }
  return false;
}

// Whether If-None-Match names `etag` (weak comparison, as Go's net/http does) or is "*".
bool NoneMatchHits(const httpserver::Request& request, std::string_view quoted_etag) {
  for (std::string_view header : request.headers.GetAll("If-None-Match")) {
    for (absl::string_view raw : absl::StrSplit(absl::string_view(header.data(), header.size()), ',')) {
      std::string_view tag = Trim(ToStd(raw));
      if (tag == "*") return true;
      if (StartsWith(tag, "W/")) tag.remove_prefix(2);
      if (tag == quoted_etag) return true;
    }
  }
  return false;
}

httpserver::Response NotModified(httpserver::Headers headers) {
  httpserver::Response r;
  r.status = 304;
  r.headers = std::move(headers);
  return r;
}

// An HTTP-date a calendar year after `now`, as upstream's Expires (Go's AddDate(1, 0, 0)).
std::string OneYearLater(absl::Time now) {
  absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilSecond c = absl::ToCivilSecond(now, utc);
  absl::CivilSecond later(c.year() + 1, c.month(), c.day(), c.hour(), c.minute(), c.second());
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", absl::FromCivil(later, utc), utc);
}

}  // namespace

OpenApiDocuments::OpenApiDocuments(const schema::Schema& schema, const std::vector<registry::ResourceInfo>& resources,
                                   std::string kubernetes_version, const Clock* clock)
    : clock_(clock != nullptr ? clock : &real_clock_) {
  // Group versions in first-seen order of `resources`, each with its resources in order.
  std::vector<std::pair<std::string, std::vector<const registry::ResourceInfo*>>> group_versions;
  for (const registry::ResourceInfo& info : resources) {
    std::string path = GroupVersionPath(info.group, info.version);
    auto it = std::find_if(group_versions.begin(), group_versions.end(), [&](const auto& gv) { return gv.first == path; });
    if (it == group_versions.end()) it = group_versions.insert(group_versions.end(), {path, {}});
    it->second.push_back(&info);
  }

  std::vector<std::string> problems;
  for (const auto& [path, infos] : group_versions) {
    Value document = Object();
    document.Set("openapi", "3.0.0");
    Value info_object = Object();
    info_object.Set("title", "Kubernetes");
    info_object.Set("version", kubernetes_version);
    document.Set("info", std::move(info_object));
    GroupVersionBuilder builder(schema, infos.front()->group, infos.front()->version, &problems);
    for (const registry::ResourceInfo* info : infos) builder.AddResource(*info);
    builder.Finish(&document);
    GroupVersionDocument& doc = documents_[path];
    doc.body = json::Write(document);
    doc.hash = Sha512Hex(doc.body);
    doc.document = std::move(document);
  }

  Value root_paths = Object();
  for (const auto& [path, doc] : documents_) {
    Value entry = Object();
    entry.Set("serverRelativeURL", StrCat(kGroupVersionPrefix, path, "?hash=", doc.hash));
    root_paths.Set(path, std::move(entry));
  }
  Value root = Object();
  root.Set("paths", std::move(root_paths));
  root_body_ = json::Write(root);
  root_hash_ = Sha512Hex(root_body_);

  if (!problems.empty()) {
    std::string message = "OpenAPI documents are incomplete:";
    for (const std::string& p : problems) StrAppend(&message, " ", p, ";");
    message.pop_back();
    build_status_ = absl::InternalError(message);
  }
}

std::vector<std::string> OpenApiDocuments::GroupVersionPaths() const {
  std::vector<std::string> out;
  for (const auto& [path, doc] : documents_) out.push_back(path);
  return out;
}

const json::Value* OpenApiDocuments::Document(std::string_view group_version_path) const {
  auto it = documents_.find(group_version_path);
  return it == documents_.end() ? nullptr : &it->second.document;
}

std::string OpenApiDocuments::Hash(std::string_view group_version_path) const {
  auto it = documents_.find(group_version_path);
  return it == documents_.end() ? "" : it->second.hash;
}

std::optional<httpserver::Response> OpenApiDocuments::Serve(const httpserver::Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  if (request.path == kRootPath) return ServeRoot(request);
  if (!StartsWith(request.path, kGroupVersionPrefix)) return std::nullopt;
  std::string_view path = std::string_view(request.path).substr(kGroupVersionPrefix.size());
  auto it = documents_.find(path);
  if (it == documents_.end()) return std::nullopt;
  return ServeGroupVersion(request, it->first, it->second);
}

httpserver::Response OpenApiDocuments::ServeRoot(const httpserver::Request& request) const {
  httpserver::Headers headers;
  headers.Add("Content-Type", "application/json");
  headers.Add("ETag", Quote(root_hash_));
  if (NoneMatchHits(request, Quote(root_hash_))) return NotModified(std::move(headers));
  httpserver::Response r;
  r.headers = std::move(headers);
  if (request.method != "HEAD") r.body = root_body_;
  return r;
}

httpserver::Response OpenApiDocuments::ServeGroupVersion(const httpserver::Request& request, std::string_view path,
                                                         const GroupVersionDocument& doc) const {
  httpserver::Response r;
  r.headers.Add("Vary", "Accept");
  if (!AcceptsJson(request)) {
    // Upstream would also offer protobuf; cubelet-server serves JSON only.
    r.status = 406;
    r.headers.Add("Content-Type", "text/plain; charset=utf-8");
    r.body = "only application/json is served\n";
    return r;
  }
  r.headers.Add("ETag", Quote(doc.hash));
  std::optional<std::string_view> hash = request.Query("hash");
  if (hash && !hash->empty() && *hash != doc.hash) {
    // A stale hash (the client's root document is older than this server): send it to the
    // current document, as upstream does.
    std::string location = StrCat(kGroupVersionPrefix, path, "?hash=", doc.hash);
    r.status = 301;
    r.headers.Add("Location", location);
    r.headers.Add("Content-Type", "text/html; charset=utf-8");
    if (request.method != "HEAD") r.body = StrCat("<a href=\"", location, "\">Moved Permanently</a>.\n\n");
    return r;
  }
  r.headers.Add("Content-Type", "application/json");
  if (hash && !hash->empty()) {
    // The hash names this content for good: caches may keep it without asking again.
    r.headers.Add("Cache-Control", "public, immutable");
    r.headers.Add("Expires", OneYearLater(clock_->Now()));
  }
  if (NoneMatchHits(request, Quote(doc.hash))) return NotModified(std::move(r.headers));
  if (request.method != "HEAD") r.body = doc.body;
  return r;
}

}  // namespace cubelet::apiserver
