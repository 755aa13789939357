#include "apiserver/openapi_documents.h"

#include <algorithm>
#include <utility>

#include "absl/time/civil_time.h"
#include "common/strings.h"
#include "json/write.h"
#include "openapi/operations.h"
#include "openapi/schemas.h"
#include "openapi/serving.h"
#include "schema/openapi.h"

namespace cubelet::apiserver {
namespace {

using json::Value;

constexpr std::string_view kRootPath = "/openapi/v3";
constexpr std::string_view kGroupVersionPrefix = "/openapi/v3/";
constexpr auto kV3 = schema::OpenApiVersion::kV3;
constexpr std::string_view kJson[] = {"application/json"};

Value Object() { return Value::EmptyObject(); }

// Query and path parameters: OpenAPI 3 types them by a schema.
Value Parameter(const openapi::Parameter& p) {
  Value v = Object();
  v.Set("description", p.description);
  v.Set("in", p.in);
  v.Set("name", p.name);
  if (p.required) v.Set("required", true);
  Value schema = Object();
  schema.Set("type", p.type);
  v.Set("schema", std::move(schema));
  return v;
}

Value Parameters(const std::vector<openapi::Parameter>& parameters) {
  Value list = Value::EmptyArray();
  for (const openapi::Parameter& p : parameters) list.Append(Parameter(p));
  return list;
}

// {"<media type>": {"schema": ...}, ...}, sorted by media type as upstream's documents (Go maps)
// are.
Value Content(openapi::MediaTypes media_types, const Value& schema) {
  std::vector<std::string_view> sorted(media_types.begin(), media_types.end());
  std::sort(sorted.begin(), sorted.end());
  Value content = Object();
  for (std::string_view type : sorted) {
    Value media = Object();
    media.Set("schema", schema);
    content.Set(type, std::move(media));
  }
  return content;
}

Value RequestBody(const openapi::Operation& op) {
  Value body = Object();
  // Without media types of its own an operation takes the JSON the server decodes.
  body.Set("content", Content(op.consumes.empty() ? openapi::MediaTypes(kJson) : op.consumes,
                              schema::RefSchema(op.body, kV3)));
  if (op.body_required) body.Set("required", true);
  return body;
}

Value Responses(const openapi::Operation& op) {
  Value responses = Object();
  for (int code : op.codes) {
    Value r = Object();
    r.Set("content", Content(op.produces, openapi::ResponseSchema(op, kV3)));
    r.Set("description", openapi::ResponseDescription(code));
    responses.Set(std::to_string(code), std::move(r));
  }
  Value unauthorized = Object();
  unauthorized.Set("description", "Unauthorized");
  responses.Set("401", std::move(unauthorized));
  return responses;
}

Value Operation(const openapi::Operation& op) {
  Value v = Object();
  v.Set("description", op.description);
  v.Set("operationId", op.operation_id);
  Value tags = Value::EmptyArray();
  tags.Append(op.tag);
  v.Set("tags", std::move(tags));
  v.Set("x-kubernetes-action", op.action);
  v.Set("x-kubernetes-group-version-kind", schema::GroupVersionKindJson(op.gvk));
  if (!op.parameters.empty()) v.Set("parameters", Parameters(op.parameters));
  if (!op.body.empty()) v.Set("requestBody", RequestBody(op));
  v.Set("responses", Responses(op));
  return v;
}

// The document of one group version: its paths and components.schemas.
Value BuildGroupVersionDocument(const schema::Schema& schema,
                                const std::vector<const registry::ResourceInfo*>& resources,
                                std::string_view kubernetes_version, std::vector<std::string>* problems) {
  const openapi::DocumentOperations operations = openapi::BuildOperations(schema, resources, problems);
  Value document = Object();
  document.Set("openapi", "3.0.0");
  Value info = Object();
  info.Set("title", "Kubernetes");
  info.Set("version", kubernetes_version);
  document.Set("info", std::move(info));
  Value paths = Object();
  for (const auto& [path, item] : operations.paths) {
    Value v = Object();
    v.Set("parameters", Parameters(item.parameters));
    for (const openapi::Operation& op : item.operations) v.Set(op.method, Operation(op));
    paths.AsObject().emplace_back(path, std::move(v));
  }
  document.Set("paths", std::move(paths));
  Value components = Object();
  components.Set("schemas", openapi::DocumentSchemas(schema, operations, kV3, problems));
  document.Set("components", std::move(components));
  return document;
}

std::string Quote(std::string_view etag) { return StrCat("\"", etag, "\""); }

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
    std::string path = openapi::GroupVersionPath(info.group, info.version);
    auto it = std::find_if(group_versions.begin(), group_versions.end(), [&](const auto& gv) { return gv.first == path; });
    if (it == group_versions.end()) it = group_versions.insert(group_versions.end(), {path, {}});
    it->second.push_back(&info);
  }

  std::vector<std::string> problems;
  for (const auto& [path, infos] : group_versions) {
    GroupVersionDocument& doc = documents_[path];
    doc.document = BuildGroupVersionDocument(schema, infos, kubernetes_version, &problems);
    doc.body = json::Write(doc.document);
    doc.hash = openapi::ComputeETag(doc.body);
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
  root_hash_ = openapi::ComputeETag(root_body_);
  build_status_ = openapi::IncompleteStatus("OpenAPI documents", problems);
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
  if (!request.path.starts_with(kGroupVersionPrefix)) return std::nullopt;
  std::string_view path = std::string_view(request.path).substr(kGroupVersionPrefix.size());
  auto it = documents_.find(path);
  if (it == documents_.end()) return std::nullopt;
  return ServeGroupVersion(request, it->first, it->second);
}

httpserver::Response OpenApiDocuments::ServeRoot(const httpserver::Request& request) const {
  httpserver::Headers headers;
  headers.Add("Content-Type", "application/json");
  headers.Add("ETag", Quote(root_hash_));
  if (openapi::IfNoneMatchHits(request, root_hash_)) return NotModified(std::move(headers));
  httpserver::Response r;
  r.headers = std::move(headers);
  if (request.method != "HEAD") r.body = root_body_;
  return r;
}

httpserver::Response OpenApiDocuments::ServeGroupVersion(const httpserver::Request& request, std::string_view path,
                                                         const GroupVersionDocument& doc) const {
  httpserver::Response r;
  r.headers.Add("Vary", "Accept");
  if (!openapi::NegotiateAccept(request, kJson)) {
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
  if (openapi::IfNoneMatchHits(request, doc.hash)) return NotModified(std::move(r.headers));
  if (request.method != "HEAD") r.body = doc.body;
  return r;
}

}  // namespace cubelet::apiserver
