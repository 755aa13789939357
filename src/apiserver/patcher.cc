#include "apiserver/patcher.h"

#include "apierrors/apierrors.h"
#include "apiserver/negotiation.h"
#include "apiserver/request_info.h"
#include "common/strings.h"
#include "json/json_patch.h"
#include "json/merge_patch.h"
#include "patch/conflict_message.h"
#include "patch/field_manager.h"
#include "patch/strategic_merge.h"

namespace cubelet::apiserver {
namespace {

constexpr size_t kMaxFieldManagerLength = 128;

absl::Status PatchFailed(const absl::Status& s) {
  // Upstream answers patches that cannot apply with 422 and the patch library's message.
  return apierrors::Make(apierrors::ApiStatus{422, "Invalid", std::string(ToStd(s.message())), std::nullopt});
}

absl::Status ConflictsError(const registry::ResourceInfo& resource, const std::string& name,
                            const std::vector<patch::Conflict>& conflicts) {
  apierrors::ApiStatus status;
  status.code = 409;
  status.reason = "Conflict";
  status.message = patch::ConflictMessage(conflicts);
  apierrors::Details details;
  details.name = name;
  details.group = resource.group;
  details.kind = resource.resource;
  for (const patch::Conflict& c : conflicts) {
    details.causes.push_back({"FieldManagerConflict", patch::ConflictCauseMessage(c), c.field});
  }
  status.details = std::move(details);
  return apierrors::Make(std::move(status));
}

}  // namespace

absl::StatusOr<PatchType> PatchTypeOf(const httpserver::Request& request) {
  auto header = request.headers.Get("Content-Type");
  std::string type = header ? MediaTypeOf(*header) : "";
  if (type == "application/json-patch+json") return PatchType::kJsonPatch;
  if (type == "application/merge-patch+json") return PatchType::kMergePatch;
  if (type == "application/strategic-merge-patch+json") return PatchType::kStrategicMergePatch;
  if (type == "application/apply-patch+yaml") return PatchType::kApply;
  return apierrors::Make(apierrors::ApiStatus{
      415, "UnsupportedMediaType",
      StrCat("the body of the request was in an unknown format - accepted media types include: "
             "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
             "application/strategic-merge-patch+json (got \"", type, "\")"),
      std::nullopt});
}

absl::StatusOr<PatchRequest> ParsePatchRequest(const httpserver::Request& request, std::string field_manager) {
  PatchRequest out;
  auto type = PatchTypeOf(request);
  if (!type.ok()) return type.status();
  out.type = *type;
  auto validation = FieldValidationOf(request);
  if (!validation.ok()) return validation.status();
  out.validation = *validation;
  auto parsed = ParseBody(request.body, out.type == PatchType::kApply ? BodyFormat::kYaml : BodyFormat::kJson);
  if (!parsed.ok()) return parsed.status();
  out.patch = std::move(parsed->value);
  out.duplicate_fields = std::move(parsed->duplicate_fields);
  out.field_manager = std::move(field_manager);
  // Upstream's ValidatePatchOptions: PatchOptions problems are 422 Invalid with causes.
  auto invalid_options = [](apierrors::Cause cause) {
    return apierrors::Invalid("meta.k8s.io", "PatchOptions", "", {std::move(cause)});
  };
  if (out.field_manager.size() > kMaxFieldManagerLength) {
    return invalid_options(apierrors::TooLongCause("fieldManager", kMaxFieldManagerLength));
  }
  if (auto force = request.Query("force")) {
    bool v = false;
    if (!ParseGoBool(*force, &v)) return apierrors::BadRequest(StrCat("invalid boolean value for force: \"", *force, "\""));
    if (out.type != PatchType::kApply) {
      return invalid_options(apierrors::ForbiddenCause("force", "may not be specified for non-apply patch"));
    }
    out.force = v;
  }
  if (out.type == PatchType::kApply) {
    if (request.Query("fieldManager").value_or("").empty()) {
      return invalid_options(apierrors::RequiredCause("fieldManager", "is required for apply patch"));
    }
    if (!out.patch.is_object()) return apierrors::BadRequest("the apply configuration must be an object");
  } else if (out.type == PatchType::kJsonPatch) {
    if (!out.patch.is_array()) return apierrors::BadRequest("a JSON patch must be an array of operations");
  } else if (!out.patch.is_object()) {
    return apierrors::BadRequest("a merge or strategic merge patch must be a JSON object");
  }
  return out;
}

absl::StatusOr<json::Value> ApplyPatch(const schema::Schema& schema, const registry::ResourceInfo& resource,
                                       const PatchRequest& request, const json::Value& current, absl::Time now,
                                       std::vector<std::string>* warnings) {
  const std::string name = current.GetString({"metadata", "name"}, request.patch.GetString({"metadata", "name"}));
  json::Value patched;
  switch (request.type) {
    case PatchType::kJsonPatch: {
      auto r = json::ApplyJsonPatch(current, request.patch);
      if (!r.ok()) return PatchFailed(r.status());
      patched = std::move(*r);
      break;
    }
    case PatchType::kMergePatch:
      patched = json::ApplyMergePatch(current, request.patch);
      break;
    case PatchType::kStrategicMergePatch: {
      auto r = patch::ApplyStrategicMergePatch(schema, resource.schema_type, current, request.patch);
      if (!r.ok()) return PatchFailed(r.status());
      patched = std::move(*r);
      break;
    }
    case PatchType::kApply: {
      // The configuration is checked like a body first: an unknown field in it is the user's.
      ParsedBody config{request.patch, request.duplicate_fields};
      absl::Status decoded = DecodeObject(schema, resource.schema_type, resource.GroupVersion(), resource.kind, &config,
                                          request.validation, warnings);
      if (!decoded.ok()) return decoded;
      patch::ApplyRequest apply{request.field_manager, resource.GroupVersion(), request.force, now};
      auto r = patch::Apply(schema, resource.schema_type, current.is_null() ? nullptr : &current, config.value, apply);
      if (!r.ok()) return apierrors::BadRequest(ToStd(r.status().message()));
      if (!r->conflicts.empty()) return ConflictsError(resource, name, r->conflicts);
      patched = std::move(r->object);
      break;
    }
  }
  if (!current.is_null()) {
    // A uid or resourceVersion in the patch is a precondition (the kubelet's status patches
    // carry the pod's uid).
    const std::string uid = current.GetString({"metadata", "uid"});
    const std::string patched_uid = patched.GetString({"metadata", "uid"});
    if (!patched_uid.empty() && patched_uid != uid) {
      return apierrors::Conflict(resource.GroupResource(), name,
                                 StrCat("Precondition failed: UID in precondition: ", patched_uid,
                                        ", UID in object meta: ", uid));
    }
    const std::string rv = current.GetString({"metadata", "resourceVersion"});
    const std::string patched_rv = patched.GetString({"metadata", "resourceVersion"});
    if (!patched_rv.empty() && patched_rv != rv) return apierrors::StaleConflict(resource.GroupResource(), name);
  }
  ParsedBody result{std::move(patched), request.type == PatchType::kApply ? std::vector<std::string>{} : request.duplicate_fields};
  absl::Status decoded = DecodeObject(schema, resource.schema_type, resource.GroupVersion(), resource.kind, &result,
                                      request.type == PatchType::kApply ? FieldValidation::kIgnore : request.validation,
                                      warnings);
  if (!decoded.ok()) return decoded;
  return std::move(result.value);
}

}  // namespace cubelet::apiserver
