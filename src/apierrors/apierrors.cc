#include "apierrors/apierrors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "json/parse.h"
#include "json/write.h"

namespace cubelet::apierrors {
namespace {

constexpr char kPayloadUrl[] = "type.cubelet.dev/k8s.io/apimachinery/Status";

absl::StatusCode CodeFor(int http, std::string_view reason) {
  switch (http) {
    case 400: case 406: case 415: case 422: return absl::StatusCode::kInvalidArgument;
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kNotFound;
    case 405: return absl::StatusCode::kUnimplemented;
    case 409: return reason == "AlreadyExists" ? absl::StatusCode::kAlreadyExists : absl::StatusCode::kAborted;
    case 410: return absl::StatusCode::kOutOfRange;
    case 413: case 429: return absl::StatusCode::kResourceExhausted;
    case 503: return absl::StatusCode::kUnavailable;
    case 504: return absl::StatusCode::kDeadlineExceeded;
    default: return absl::StatusCode::kInternal;
  }
}

// How upstream's field errors print a value: strings quoted, numbers and booleans bare.
std::string FormatValue(const json::Value& v) {
  switch (v.type()) {
    case json::Type::kString: {
      std::string out;
      json::WriteString(v.AsString(), &out);
      return out;
    }
    case json::Type::kNumber: return v.number_literal();
    case json::Type::kBool: return v.AsBool() ? "true" : "false";
    case json::Type::kNull: return "null";
    default: return json::Write(v);
  }
}

std::string Quoted(std::string_view s) {
  std::string out;
  json::WriteString(s, &out);
  return out;
}

ApiStatus FromJson(const json::Value& v) {
  ApiStatus s;
  if (auto code = v.Find("code"); code != nullptr && code->AsInt64()) s.code = static_cast<int>(*code->AsInt64());
  s.reason = v.GetString({"reason"});
  s.message = v.GetString({"message"});
  if (const json::Value* d = v.Find("details"); d != nullptr && d->is_object()) {
    Details details;
    details.name = d->GetString({"name"});
    details.group = d->GetString({"group"});
    details.kind = d->GetString({"kind"});
    details.uid = d->GetString({"uid"});
    if (const json::Value* r = d->Find("retryAfterSeconds"); r != nullptr && r->AsInt64()) {
      details.retry_after_seconds = static_cast<int>(*r->AsInt64());
    }
    if (const json::Value* causes = d->Find("causes"); causes != nullptr && causes->is_array()) {
      for (const json::Value& c : causes->AsArray()) {
        details.causes.push_back({c.GetString({"reason"}), c.GetString({"message"}), c.GetString({"field"})});
      }
    }
    s.details = std::move(details);
  }
  return s;
}

ApiStatus Simple(int code, std::string reason, std::string_view message) {
  return ApiStatus{code, std::move(reason), std::string(message), std::nullopt};
}

ApiStatus WithObject(int code, std::string reason, std::string message, const GroupResource& r, std::string_view name) {
  Details d;
  d.name = std::string(name);
  d.group = r.group;
  d.kind = r.resource;
  return ApiStatus{code, std::move(reason), std::move(message), std::move(d)};
}

}  // namespace

json::Value ApiStatus::ToJson() const {
  json::Value v = json::Value::EmptyObject();
  v.Set("kind", "Status");
  v.Set("apiVersion", "v1");
  v.Set("metadata", json::Value::EmptyObject());
  v.Set("status", code >= 200 && code < 300 ? "Success" : "Failure");
  if (!message.empty()) v.Set("message", message);
  if (!reason.empty()) v.Set("reason", reason);
  if (details) {
    json::Value d = json::Value::EmptyObject();
    if (!details->name.empty()) d.Set("name", details->name);
    if (!details->group.empty()) d.Set("group", details->group);
    if (!details->kind.empty()) d.Set("kind", details->kind);
    if (!details->uid.empty()) d.Set("uid", details->uid);
    if (!details->causes.empty()) {
      json::Value causes = json::Value::EmptyArray();
      for (const Cause& c : details->causes) {
        json::Value cv = json::Value::EmptyObject();
        if (!c.reason.empty()) cv.Set("reason", c.reason);
        if (!c.message.empty()) cv.Set("message", c.message);
        if (!c.field.empty()) cv.Set("field", c.field);
        causes.Append(std::move(cv));
      }
      d.Set("causes", std::move(causes));
    }
    if (details->retry_after_seconds) d.Set("retryAfterSeconds", *details->retry_after_seconds);
    v.Set("details", std::move(d));
  }
  v.Set("code", code);
  return v;
}

absl::Status Make(ApiStatus status) {
  absl::Status s(CodeFor(status.code, status.reason), status.message);
  s.SetPayload(kPayloadUrl, absl::Cord(json::Write(status.ToJson())));
  return s;
}

ApiStatus FromStatus(const absl::Status& s) {
  if (auto payload = s.GetPayload(kPayloadUrl)) {
    auto v = json::Parse(std::string(*payload));
    if (v.ok()) return FromJson(*v);
  }
  std::string msg = std::string(ToStd(s.message()));
  switch (s.code()) {
    case absl::StatusCode::kOk: return Simple(200, "", "");
    case absl::StatusCode::kInvalidArgument: return Simple(400, "BadRequest", msg);
    case absl::StatusCode::kUnauthenticated: return Simple(401, "Unauthorized", msg);
    case absl::StatusCode::kPermissionDenied: return Simple(403, "Forbidden", msg);
    case absl::StatusCode::kNotFound: return Simple(404, "NotFound", msg);
    case absl::StatusCode::kAlreadyExists: return Simple(409, "AlreadyExists", msg);
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition: return Simple(409, "Conflict", msg);
    case absl::StatusCode::kOutOfRange: return Simple(410, "Expired", msg);
    case absl::StatusCode::kResourceExhausted: return Simple(429, "TooManyRequests", msg);
    case absl::StatusCode::kUnavailable: return Simple(503, "ServiceUnavailable", msg);
    case absl::StatusCode::kDeadlineExceeded: return Simple(504, "Timeout", msg);
    case absl::StatusCode::kUnimplemented: return Simple(405, "MethodNotAllowed", msg);
    default: {
      ApiStatus out = Simple(500, "InternalError", StrCat("Internal error occurred: ", msg));
      out.details = Details{};
      out.details->causes.push_back({"", msg, ""});
      return out;
    }
  }
}

std::string ReasonOf(const absl::Status& s) { return FromStatus(s).reason; }
bool IsNotFound(const absl::Status& s) { return !s.ok() && ReasonOf(s) == "NotFound"; }
bool IsAlreadyExists(const absl::Status& s) { return !s.ok() && ReasonOf(s) == "AlreadyExists"; }
bool IsConflict(const absl::Status& s) { return !s.ok() && ReasonOf(s) == "Conflict"; }

absl::Status NotFound(const GroupResource& r, std::string_view name) {
  return Make(WithObject(404, "NotFound", StrCat(r.String(), " ", Quoted(name), " not found"), r, name));
}

absl::Status AlreadyExists(const GroupResource& r, std::string_view name) {
  return Make(WithObject(409, "AlreadyExists", StrCat(r.String(), " ", Quoted(name), " already exists"), r, name));
}

absl::Status Conflict(const GroupResource& r, std::string_view name, std::string_view why) {
  return Make(WithObject(409, "Conflict", StrCat("Operation cannot be fulfilled on ", r.String(), " ", Quoted(name), ": ", why),
                         r, name));
}

absl::Status StaleConflict(const GroupResource& r, std::string_view name) {
  return Conflict(r, name, "the object has been modified; please apply your changes to the latest version and try again");
}

absl::Status Invalid(std::string_view group, std::string_view kind, std::string_view name, std::vector<Cause> causes) {
  std::vector<std::string> parts;
  for (const Cause& c : causes) parts.push_back(c.field.empty() ? c.message : StrCat(c.field, ": ", c.message));
  std::string aggregate = parts.size() == 1 ? parts[0] : StrCat("[", absl::StrJoin(parts, ", "), "]");
  Details d;
  d.name = std::string(name);
  d.group = std::string(group);
  d.kind = std::string(kind);
  d.causes = std::move(causes);
  // Upstream names the group-qualified kind (schema.GroupKind.String()): "Lease.coordination.k8s.io".
  std::string qualified = group.empty() ? std::string(kind) : StrCat(kind, ".", group);
  return Make(ApiStatus{422, "Invalid", StrCat(qualified, " ", Quoted(name), " is invalid: ", aggregate), std::move(d)});
}

absl::Status BadRequest(std::string_view message) { return Make(Simple(400, "BadRequest", message)); }

absl::Status Forbidden(const GroupResource& r, std::string_view name, std::string_view why) {
  std::string subject = name.empty() ? r.String() : StrCat(r.String(), " ", Quoted(name));
  if (r.resource.empty()) subject = "forbidden";
  std::string message = r.resource.empty() ? StrCat("forbidden: ", why) : StrCat(subject, " is forbidden: ", why);
  return Make(WithObject(403, "Forbidden", message, r, name));
}

absl::Status Unauthorized(std::string_view message) { return Make(Simple(401, "Unauthorized", message)); }

absl::Status MethodNotSupported(const GroupResource& r, std::string_view action) {
  ApiStatus s = WithObject(405, "MethodNotAllowed",
                           StrCat(action, " is not supported on resources of kind ", Quoted(r.String())), r, "");
  return Make(std::move(s));
}

absl::Status NotAcceptable(std::string_view message) { return Make(Simple(406, "NotAcceptable", message)); }

absl::Status UnsupportedMediaType(std::string_view content_type) {
  return Make(Simple(415, "UnsupportedMediaType",
                     StrCat("the body of the request was in an unknown format - accepted media types include: ",
                            "application/json, application/yaml (got ", Quoted(content_type), ")")));
}

absl::Status RequestEntityTooLarge(std::string_view message) {
  return Make(Simple(413, "RequestEntityTooLarge", StrCat("Request entity too large: ", message)));
}

absl::Status Gone(std::string_view message) { return Make(Simple(410, "Gone", message)); }
absl::Status Expired(std::string_view message) { return Make(Simple(410, "Expired", message)); }

absl::Status Timeout(std::string_view message, int retry_after_seconds) {
  ApiStatus s = Simple(504, "Timeout", message);
  s.details = Details{};
  s.details->retry_after_seconds = retry_after_seconds;
  return Make(std::move(s));
}

absl::Status TooLargeResourceVersion(int64_t requested, int64_t current) {
  ApiStatus s = Simple(504, "Timeout", StrCat("Too large resource version: ", requested, ", current: ", current));
  s.details = Details{};
  s.details->causes.push_back({"ResourceVersionTooLarge", "Too large resource version", ""});
  s.details->retry_after_seconds = 1;
  return Make(std::move(s));
}

absl::Status ServiceUnavailable(std::string_view message) { return Make(Simple(503, "ServiceUnavailable", message)); }

absl::Status TooManyRequests(std::string_view message, int retry_after_seconds) {
  ApiStatus s = Simple(429, "TooManyRequests", message);
  s.details = Details{};
  s.details->retry_after_seconds = retry_after_seconds;
  return Make(std::move(s));
}

absl::Status InternalError(std::string_view message) {
  ApiStatus s = Simple(500, "InternalError", StrCat("Internal error occurred: ", message));
  s.details = Details{};
  s.details->causes.push_back({"", std::string(message), ""});
  return Make(std::move(s));
}

Cause CauseFromMessage(std::string_view message) {
  // "path: Kind[: detail]"; the path ends at the first ": " followed by a known error kind.
  struct KindReason {
    std::string_view prefix;
    const char* reason;
  };
  static constexpr KindReason kKinds[] = {
      {"Required value", kFieldValueRequired},     {"Invalid value", kFieldValueInvalid},
      {"Duplicate value", kFieldValueDuplicate},   {"Unsupported value", kFieldValueNotSupported},
      {"Forbidden", kFieldValueForbidden},         {"Not found", kFieldValueNotFound},
      {"Too long", kFieldValueTooLong},            {"Invalid value type", kFieldValueTypeInvalid},
  };
  for (size_t pos = message.find(": "); pos != std::string_view::npos; pos = message.find(": ", pos + 2)) {
    std::string_view rest = message.substr(pos + 2);
    for (const KindReason& k : kKinds) {
      if (rest.substr(0, k.prefix.size()) == k.prefix) {
        return Cause{k.reason, std::string(rest), std::string(message.substr(0, pos))};
      }
    }
  }
  return Cause{kFieldValueInvalid, std::string(message), ""};
}

Cause RequiredCause(std::string_view field, std::string_view detail) {
  return {kFieldValueRequired, detail.empty() ? "Required value" : StrCat("Required value: ", detail), std::string(field)};
}

Cause InvalidCause(std::string_view field, const json::Value& value, std::string_view detail) {
  std::string msg = StrCat("Invalid value: ", FormatValue(value));
  if (!detail.empty()) StrAppend(&msg, ": ", detail);
  return {kFieldValueInvalid, msg, std::string(field)};
}

Cause ForbiddenCause(std::string_view field, std::string_view detail) {
  return {kFieldValueForbidden, StrCat("Forbidden: ", detail), std::string(field)};
}

Cause NotSupportedCause(std::string_view field, const json::Value& value, const std::vector<std::string>& supported) {
  std::vector<std::string> quoted;
  for (const auto& s : supported) quoted.push_back(Quoted(s));
  return {kFieldValueNotSupported,
          StrCat("Unsupported value: ", FormatValue(value), ": supported values: ", absl::StrJoin(quoted, ", ")),
          std::string(field)};
}

Cause DuplicateCause(std::string_view field, const json::Value& value) {
  return {kFieldValueDuplicate, StrCat("Duplicate value: ", FormatValue(value)), std::string(field)};
}

Cause TooLongCause(std::string_view field, size_t max) {
  return {kFieldValueTooLong, StrCat("Too long: may not be more than ", max, " bytes"), std::string(field)};
}

}  // namespace cubelet::apierrors
