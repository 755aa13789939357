#include "apiserver/responses.h"

#include "apierrors/apierrors.h"
#include "common/strings.h"
#include "json/write.h"
#include "printers/printers.h"

namespace cubelet::apiserver {

httpserver::Response JsonResponse(int status, std::string body) {
  httpserver::Response r;
  r.status = status;
  r.headers.Add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

httpserver::Response ErrorResponse(const absl::Status& error) {
  apierrors::ApiStatus status = apierrors::FromStatus(error);
  httpserver::Response r = JsonResponse(status.code, json::Write(status.ToJson()));
  if (status.details && status.details->retry_after_seconds) {
    r.headers.Add("Retry-After", std::to_string(*status.details->retry_after_seconds));
  }
  return r;
}

httpserver::Response SuccessStatus(int code, const registry::ResourceInfo* resource, std::string_view name,
                                   std::string_view uid) {
  apierrors::ApiStatus status;
  status.code = code;
  if (resource != nullptr) {
    status.details = apierrors::Details{};
    status.details->name = std::string(name);
    status.details->group = resource->group;
    status.details->kind = resource->resource;
    status.details->uid = std::string(uid);
  }
  return JsonResponse(code, json::Write(status.ToJson()));
}

void AddWarnings(httpserver::Response* response, const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) {
    std::string quoted;
    json::WriteString(w, &quoted);  // RFC 7234 quoted-string; JSON escaping is a compatible subset
    response->headers.Add("Warning", StrCat("299 - ", quoted));
  }
}

namespace {

json::Value MetaJson(const ListMeta& meta) {
  json::Value m = json::Value::EmptyObject();
  m.Set("resourceVersion", meta.resource_version);
  if (!meta.continue_token.empty()) m.Set("continue", meta.continue_token);
  if (meta.remaining) m.Set("remainingItemCount", *meta.remaining);
  return m;
}

}  // namespace

std::string ListJson(const registry::ResourceInfo& resource, const ListMeta& meta,
                     const std::vector<const std::string*>& items) {
  size_t size = 128;
  for (const std::string* item : items) size += item->size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"kind\":";
  json::WriteString(StrCat(resource.kind, "List"), &out);
  out += ",\"apiVersion\":";
  json::WriteString(resource.GroupVersion(), &out);
  out += ",\"metadata\":";
  json::WriteTo(MetaJson(meta), &out);
  out += ",\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += *items[i];
  }
  out += "]}";
  return out;
}

json::Value PartialObjectMetadata(const json::Value& object) {
  json::Value out = json::Value::EmptyObject();
  out.Set("kind", "PartialObjectMetadata");
  out.Set("apiVersion", "meta.k8s.io/v1");
  const json::Value* meta = object.Find("metadata");
  out.Set("metadata", meta != nullptr ? *meta : json::Value::EmptyObject());
  return out;
}

json::Value Table(const registry::ResourceInfo& resource, const std::vector<const json::Value*>& objects,
                  const OutputFormat& format, const ListMeta& meta, bool with_columns, absl::Time now) {
  const printers::TablePrinter& printer = printers::PrinterFor(resource.group, resource.resource);
  json::Value table = json::Value::EmptyObject();
  table.Set("kind", "Table");
  table.Set("apiVersion", StrCat("meta.k8s.io/", format.table_version));
  table.Set("metadata", MetaJson(meta));
  if (with_columns) {
    json::Value columns = json::Value::EmptyArray();
    for (const printers::Column& c : printer.Columns()) {
      json::Value col = json::Value::EmptyObject();
      col.Set("name", c.name);
      col.Set("type", c.type);
      col.Set("format", c.format);
      col.Set("description", c.description);
      col.Set("priority", c.priority);
      columns.Append(std::move(col));
    }
    table.Set("columnDefinitions", std::move(columns));
  }
  json::Value rows = json::Value::EmptyArray();
  for (const json::Value* object : objects) {
    json::Value row = json::Value::EmptyObject();
    row.Set("cells", json::Array(printer.Cells(*object, now)));
    std::vector<json::Value> conditions = printer.Conditions(*object);
    if (!conditions.empty()) row.Set("conditions", json::Array(std::move(conditions)));
    if (format.include_object == "Metadata") {
      row.Set("object", PartialObjectMetadata(*object));
    } else if (format.include_object == "Object") {
      row.Set("object", *object);
    }
    rows.Append(std::move(row));
  }
  table.Set("rows", std::move(rows));
  return table;
}

}  // namespace cubelet::apiserver
