// Owns: PATCH (upstream apiserver/pkg/endpoints/handlers/patch.go): the four patch types
// chosen by Content-Type (JSON patch, merge patch, strategic merge patch, server-side apply),
// their preconditions (metadata.uid and metadata.resourceVersion in a patch), and the decoding
// of the patched object, as the transform of a guaranteed update.
// Does not own: the algorithms (json/, patch/), the update loop (registry/).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "apiserver/body.h"
#include "httpserver/http_server.h"
#include "json/value.h"
#include "registry/resource.h"
#include "schema/schema.h"

namespace cubelet::apiserver {

enum class PatchType { kJsonPatch, kMergePatch, kStrategicMergePatch, kApply };

// The patch type of the Content-Type header; 415 for anything else.
absl::StatusOr<PatchType> PatchTypeOf(const httpserver::Request& request);

struct PatchRequest {
  PatchType type = PatchType::kMergePatch;
  json::Value patch;             // the parsed body (apply: the configuration)
  std::string field_manager;
  bool force = false;            // apply only
  FieldValidation validation = FieldValidation::kWarn;
  std::vector<std::string> duplicate_fields;
};

// Parses the body and the patch parameters of a PATCH request (400 for a malformed body,
// fieldManager missing on apply, force on other types).
absl::StatusOr<PatchRequest> ParsePatchRequest(const httpserver::Request& request, std::string field_manager);

// Applies the patch to `current` (null for an apply that creates) as an object of `resource`
// shown as `group_version`/`kind`; checks the patch's preconditions and decodes the result.
// Warnings (unknown fields under Warn) are appended.
absl::StatusOr<json::Value> ApplyPatch(const schema::Schema& schema, const registry::ResourceInfo& resource,
                                       const PatchRequest& request, const json::Value& current, absl::Time now,
                                       std::vector<std::string>* warnings);

}  // namespace cubelet::apiserver
