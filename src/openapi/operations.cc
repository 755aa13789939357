#include "openapi/operations.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace cubelet::openapi {
namespace {

struct QueryParameterDoc {
  std::string_view name;
  std::string_view type;
  std::string_view description;
};

// Every query parameter an operation may declare.
constexpr QueryParameterDoc kQueryParameters[] = {
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

constexpr std::string_view kJson[] = {"application/json"};
constexpr std::string_view kJsonOrWatch[] = {"application/json", "application/json;stream=watch"};
constexpr std::string_view kText[] = {"text/plain"};

Parameter QueryParameter(std::string_view name) {
  for (const QueryParameterDoc& doc : kQueryParameters) {
    if (doc.name == name) return {"query", doc.name, doc.type, std::string(doc.description)};
  }
  return {"query", name, "string", ""};  // not reached: every name is in the table
}

std::vector<Parameter> QueryParameters(Names names) {
  std::vector<Parameter> out;
  for (std::string_view name : names) out.push_back(QueryParameter(name));
  return out;
}

std::string UpperFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = absl::ascii_toupper(static_cast<unsigned char>(out[0]));
  return out;
}

// The group as upstream's operation ids spell it: "" → Core, coordination.k8s.io →
// Coordination, rbac.authorization.k8s.io → RbacAuthorization.
std::string GroupPascal(std::string_view group) {
  if (group.empty()) return "Core";
  constexpr std::string_view kSuffix = ".k8s.io";
  if (group.size() > kSuffix.size() && group.ends_with(kSuffix)) group.remove_suffix(kSuffix.size());
  std::string out;
  for (absl::string_view part : absl::StrSplit(absl::string_view(group.data(), group.size()), '.')) {
    out += UpperFirst(ToStd(part));
  }
  return out;
}

// Builds the operations of one resource, named after it as upstream names them.
class ResourceBuilder {
 public:
  ResourceBuilder(const registry::ResourceInfo& info, DocumentOperations* out)
      : info_(info),
        out_(out),
        prefix_(StrCat("/", GroupVersionPath(info.group, info.version))),
        op_infix_(GroupPascal(info.group) + UpperFirst(info.version)),
        scope_(info.namespaced ? "Namespaced" : ""),
        id_tail_(StrCat(op_infix_, scope_, info.kind)),
        gvk_{info.group, info.version, info.kind} {
    std::string group = GroupPascal(info.group);
    group[0] = absl::ascii_tolower(static_cast<unsigned char>(group[0]));
    tag_ = StrCat(group, "_", info.version);
  }

  void AddResource() {
    const std::string& kind = info_.kind;
    const std::string& kind_schema = info_.schema_type;
    const std::string collection = info_.namespaced ? StrCat(prefix_, "/namespaces/{namespace}/", info_.resource)
                                                    : StrCat(prefix_, "/", info_.resource);
    item_ = StrCat(collection, "/{name}");

    PathItem& coll = AddPath(collection, false, info_.namespaced);
    if (info_.HasVerb("list")) coll.operations.push_back(List(StrCat("list", id_tail_)));
    if (info_.HasVerb("create")) {
      Operation op = NewOperation("post", "post", StrCat("create a ", kind), StrCat("create", id_tail_), gvk_);
      Write(&op, kWriteParams, kind_schema, {200, 201, 202}, kind_schema);
      coll.operations.push_back(std::move(op));
    }
    if (info_.HasVerb("deletecollection")) {
      Operation op = NewOperation("delete", "deletecollection", StrCat("delete collection of ", kind),
                                  StrCat("delete", op_infix_, "Collection", scope_, kind), gvk_);
      Delete(&op, kDeleteCollectionParams, {200});
      coll.operations.push_back(std::move(op));
    }

    PathItem& one = AddPath(item_, true, info_.namespaced);
    if (info_.HasVerb("get")) {
      Operation op = NewOperation("get", "get", StrCat("read the specified ", kind), StrCat("read", id_tail_), gvk_);
      Read(&op, kJson, kind_schema);
      one.operations.push_back(std::move(op));
    }
    if (info_.HasVerb("update")) {
      Operation op =
          NewOperation("put", "put", StrCat("replace the specified ", kind), StrCat("replace", id_tail_), gvk_);
      Write(&op, kWriteParams, kind_schema, {200, 201}, kind_schema);
      one.operations.push_back(std::move(op));
    }
    if (info_.HasVerb("patch")) {
      Operation op = NewOperation("patch", "patch", StrCat("partially update the specified ", kind),
                                  StrCat("patch", id_tail_), gvk_);
      Patch(&op, kind_schema);
      one.operations.push_back(std::move(op));
    }
    if (info_.HasVerb("delete")) {
      Operation op = NewOperation("delete", "delete", StrCat("delete a ", kind), StrCat("delete", id_tail_), gvk_);
      Delete(&op, kDeleteParams, {200, 202});
      one.operations.push_back(std::move(op));
    }

    if (info_.namespaced && info_.HasVerb("list")) {
      AddPath(StrCat(prefix_, "/", info_.resource), false, false)
          .operations.push_back(List(StrCat("list", op_infix_, kind, "ForAllNamespaces")));
    }
  }

  void AddSubresource(const registry::SubresourceInfo& sub, const std::string& sub_schema) {
    const std::string op_tail = id_tail_ + UpperFirst(sub.name);  // "CoreV1NamespacedPodStatus"
    const std::string& kind = info_.kind;
    const schema::GroupVersionKind gvk{sub.group, sub.version, sub.kind};
    PathItem& path = AddPath(StrCat(item_, "/", sub.name), true, info_.namespaced);
    for (const std::string& verb : sub.verbs) {
      Operation op;
      if (verb == "get") {
        op = NewOperation("get", "get", StrCat("read ", sub.name, " of the specified ", kind), StrCat("read", op_tail),
                          gvk);
        if (sub.name == "log") {
          op.parameters = QueryParameters(kLogParams);
          Read(&op, kText, "");
        } else {
          Read(&op, kJson, sub_schema);
        }
      } else if (verb == "update") {
        op = NewOperation("put", "put", StrCat("replace ", sub.name, " of the specified ", kind),
                          StrCat("replace", op_tail), gvk);
        Write(&op, kWriteParams, sub_schema, {200, 201}, sub_schema);
      } else if (verb == "patch") {
        op = NewOperation("patch", "patch", StrCat("partially update ", sub.name, " of the specified ", kind),
                          StrCat("patch", op_tail), gvk);
        Patch(&op, sub_schema);
      } else if (verb == "create") {
        op = NewOperation("post", "post", StrCat("create ", sub.name, " of a ", kind), StrCat("create", op_tail), gvk);
        Write(&op, kWriteParams, sub_schema, {200, 201, 202}, sub_schema);
      } else {
        continue;  // no other verb of a subresource has an operation upstream
      }
      path.operations.push_back(std::move(op));
    }
  }

 private:
  // The path item at `path`; a new one gets its path-level parameters: the path's own and
  // `pretty`.
  PathItem& AddPath(const std::string& path, bool with_name, bool with_namespace) {
    auto [it, inserted] = out_->paths.try_emplace(path);
    PathItem& item = it->second;
    if (!inserted) return item;
    if (with_name) item.parameters.push_back({"path", "name", "string", StrCat("name of the ", info_.kind), true});
    if (with_namespace) {
      item.parameters.push_back(
          {"path", "namespace", "string", "object name and auth scope, such as for teams and projects", true});
    }
    item.parameters.push_back(QueryParameter("pretty"));
    return item;
  }

  Operation NewOperation(std::string_view method, std::string_view action, std::string description,
                         std::string operation_id, schema::GroupVersionKind gvk) const {
    Operation op;
    op.method = method;
    op.action = action;
    op.operation_id = std::move(operation_id);
    op.description = std::move(description);
    op.tag = tag_;
    op.gvk = std::move(gvk);
    return op;
  }

  static void Read(Operation* op, MediaTypes produces, std::string response) {
    op->produces = produces;
    op->codes = {200};
    op->response = std::move(response);
  }

  static void Write(Operation* op, Names params, std::string body, std::vector<int> codes, std::string response) {
    op->parameters = QueryParameters(params);
    op->body = std::move(body);
    op->body_required = true;
    op->produces = kJson;
    op->codes = std::move(codes);
    op->response = std::move(response);
  }

  static void Patch(Operation* op, std::string response) {
    Write(op, kPatchParams, std::string(kPatchSchemaName), {200, 201}, std::move(response));
    op->consumes = kPatchContentTypes;
  }

  static void Delete(Operation* op, Names params, std::vector<int> codes) {
    Write(op, params, std::string(kDeleteOptionsSchemaName), std::move(codes), std::string(kStatusSchemaName));
    op->body_required = false;
  }

  Operation List(std::string operation_id) const {
    Operation op = NewOperation("get", "list", StrCat("list or watch objects of kind ", info_.kind),
                                std::move(operation_id), gvk_);
    op.parameters = QueryParameters(kListParams);
    Read(&op, kJsonOrWatch, info_.schema_type + "List");
    return op;
  }

  const registry::ResourceInfo& info_;
  DocumentOperations* out_;
  const std::string prefix_;    // "/api/v1"
  const std::string op_infix_;  // "CoreV1"
  const std::string scope_;     // "Namespaced" or ""
  const std::string id_tail_;   // "CoreV1NamespacedPod"
  const schema::GroupVersionKind gvk_;
  std::string tag_;   // "core_v1"
  std::string item_;  // the item path: "/api/v1/namespaces/{namespace}/pods/{name}"
};

}  // namespace

DocumentOperations BuildOperations(const schema::Schema& schema,
                                   const std::vector<const registry::ResourceInfo*>& resources,
                                   std::vector<std::string>* problems) {
  DocumentOperations out;
  for (const registry::ResourceInfo* info : resources) {
    if (schema.Find(info->schema_type) == nullptr) {
      problems->push_back(StrCat(info->resource, ".", info->GroupVersion(), ": no schema type ", info->schema_type));
      continue;
    }
    out.kind_schemas.insert(info->schema_type);
    if (info->HasVerb("list")) out.lists.push_back(info);
    ResourceBuilder builder(*info, &out);
    builder.AddResource();
    for (const registry::SubresourceInfo& sub : info->subresources) {
      const schema::StructType* sub_type = schema.FindKind({sub.group, sub.version, sub.kind});
      if (sub_type == nullptr) {
        problems->push_back(StrCat(info->resource, "/", sub.name, ": no schema type for kind ",
                                   sub.group.empty() ? "" : sub.group + "/", sub.version, ", Kind=", sub.kind));
        continue;
      }
      out.kind_schemas.insert(sub_type->name);
      builder.AddSubresource(sub, sub_type->name);
    }
  }
  return out;
}

json::Value ResponseSchema(const Operation& op, schema::OpenApiVersion version) {
  if (!op.response.empty()) return schema::RefSchema(op.response, version);
  json::Value text = json::Value::EmptyObject();
  text.Set("type", "string");
  return text;
}

std::string GroupVersionPath(std::string_view group, std::string_view version) {
  return group.empty() ? StrCat("api/", version) : StrCat("apis/", group, "/", version);
}

std::string_view ResponseDescription(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    default: return "";
  }
}

absl::Status IncompleteStatus(std::string_view document, const std::vector<std::string>& problems) {
  if (problems.empty()) return absl::OkStatus();
  std::string message = StrCat(document, " is incomplete:");
  for (const std::string& p : problems) StrAppend(&message, " ", p, ";");
  message.pop_back();
  return absl::InternalError(message);
}

}  // namespace cubelet::openapi
