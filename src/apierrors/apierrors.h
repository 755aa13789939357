// Owns: Kubernetes API errors (upstream apimachinery/pkg/api/errors): a metav1.Status with
// reason, code, message and details carried inside an absl::Status, so errors flow through
// StatusOr like any other and the HTTP layer writes exactly what upstream would ("pods \"x\" not
// found", 404 NotFound). An absl::Status without a Status payload maps to a generic reason by
// its code.
// Does not own: writing responses (apiserver/), field validation itself (registry/ strategies).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "json/value.h"

namespace cubelet::apierrors {

// A StatusCause: one field problem ("FieldValueInvalid", "spec.containers[0].image", "Required value").
struct Cause {
  std::string reason;
  std::string message;
  std::string field;
};

// Which object an error is about (StatusDetails).
struct Details {
  std::string name;
  std::string group;
  std::string kind;  // upstream puts the resource here for most errors ("pods")
  std::string uid;
  std::vector<Cause> causes;
  std::optional<int> retry_after_seconds;
};

struct ApiStatus {
  int code = 500;
  std::string reason;  // "NotFound", "AlreadyExists", ... ("" for 500 without a reason)
  std::string message;
  std::optional<Details> details;

  json::Value ToJson() const;  // a v1 Status object
};

// A group-qualified resource for messages: "pods", "leases.coordination.k8s.io".
struct GroupResource {
  std::string group;
  std::string resource;
  std::string String() const { return group.empty() ? resource : resource + "." + group; }
};

// The absl::Status that carries `status` (its code chosen from the HTTP code).
absl::Status Make(ApiStatus status);
// The ApiStatus inside `s`, or one derived from its code and message when `s` carries none
// (kNotFound → 404 NotFound, kInvalidArgument → 400 BadRequest, kDeadlineExceeded → 504 Timeout,
// ..., kInternal and the rest → 500 InternalError "Internal error occurred: <message>").
ApiStatus FromStatus(const absl::Status& s);
// The reason of `s` (as FromStatus would give it).
std::string ReasonOf(const absl::Status& s);
bool IsNotFound(const absl::Status& s);
bool IsAlreadyExists(const absl::Status& s);
bool IsConflict(const absl::Status& s);

absl::Status NotFound(const GroupResource& resource, std::string_view name);
absl::Status AlreadyExists(const GroupResource& resource, std::string_view name);
// 409 'Operation cannot be fulfilled on pods "x": <why>'.
absl::Status Conflict(const GroupResource& resource, std::string_view name, std::string_view why);
// The optimistic-lock conflict of a stale resourceVersion.
absl::Status StaleConflict(const GroupResource& resource, std::string_view name);
// 422 '<Kind> "<name>" is invalid: <errors>' with one cause per error.
absl::Status Invalid(std::string_view group, std::string_view kind, std::string_view name, std::vector<Cause> causes);
absl::Status BadRequest(std::string_view message);
absl::Status Forbidden(const GroupResource& resource, std::string_view name, std::string_view why);
// 403 without an object: 'forbidden: <why>' as upstream's NewForbidden with an empty name.
absl::Status Unauthorized(std::string_view message);
absl::Status MethodNotSupported(const GroupResource& resource, std::string_view action);
absl::Status NotAcceptable(std::string_view message);
absl::Status UnsupportedMediaType(std::string_view content_type);
absl::Status RequestEntityTooLarge(std::string_view message);
absl::Status Gone(std::string_view message);
// 410 Expired ("too old resource version: 5 (100)").
absl::Status Expired(std::string_view message);
absl::Status Timeout(std::string_view message, int retry_after_seconds);
// 504 "Too large resource version: N, current: M" with the ResourceVersionTooLarge cause
// client-go's reflector looks for to fall back to a relist.
absl::Status TooLargeResourceVersion(int64_t requested, int64_t current);
absl::Status ServiceUnavailable(std::string_view message);
absl::Status TooManyRequests(std::string_view message, int retry_after_seconds);
absl::Status InternalError(std::string_view message);

// A field error cause from a validation message of the form "path: Kind: detail" (the form
// src/api's validation writes), e.g. "spec.containers[0].name: Required value".
Cause CauseFromMessage(std::string_view message);
// The cause reasons upstream uses (field.ErrorType).
inline constexpr char kFieldValueRequired[] = "FieldValueRequired";
inline constexpr char kFieldValueInvalid[] = "FieldValueInvalid";
inline constexpr char kFieldValueDuplicate[] = "FieldValueDuplicate";
inline constexpr char kFieldValueNotSupported[] = "FieldValueNotSupported";
inline constexpr char kFieldValueForbidden[] = "FieldValueForbidden";
inline constexpr char kFieldValueNotFound[] = "FieldValueNotFound";
inline constexpr char kFieldValueTooLong[] = "FieldValueTooLong";
inline constexpr char kFieldValueTypeInvalid[] = "FieldValueTypeInvalid";

// Builds causes with upstream's messages ('Invalid value: "x": why', 'Required value', ...).
Cause RequiredCause(std::string_view field, std::string_view detail = "");
Cause InvalidCause(std::string_view field, const json::Value& value, std::string_view detail);
Cause ForbiddenCause(std::string_view field, std::string_view detail);
Cause NotSupportedCause(std::string_view field, const json::Value& value, const std::vector<std::string>& supported);
Cause DuplicateCause(std::string_view field, const json::Value& value);
Cause TooLongCause(std::string_view field, size_t max);

}  // namespace cubelet::apierrors
