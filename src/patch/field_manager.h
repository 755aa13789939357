// Owns: metadata.managedFields and server-side apply (upstream apiserver/pkg/endpoints/handlers/
// fieldmanager and structured-merge-diff, to the extent kubectl needs): field sets in the
// FieldsV1 form ({"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}),
// recording which manager set which field on every update, applying a configuration for a
// manager (merge, removal of fields the manager applied before and no longer does, conflicts
// with other managers' fields), and forcing through conflicts.
// Does not own: the HTTP verbs (apiserver/), strategic merge (strategic_merge.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "json/value.h"
#include "schema/schema.h"

namespace cubelet::patch {

// A field another manager owns with a different value.
struct Conflict {
  std::string manager;      // "kubectl-client-side-apply"
  std::string api_version;  // of that manager's entry: "v1"
  // The field as upstream prints it: .spec.containers[name="web"].image, .metadata.labels.app
  std::string field;
};

struct ApplyRequest {
  std::string manager;      // fieldManager (required for apply)
  std::string api_version;  // "v1", "coordination.k8s.io/v1"
  bool force = false;
  absl::Time now;
};

struct ApplyResult {
  // When `conflicts` is empty: the object after the apply, its managedFields updated.
  json::Value object;
  std::vector<Conflict> conflicts;
};

// Server-side apply of `config` (the applied configuration, an object of struct type
// `type_name`) onto `live` (nullptr when the object does not exist yet: the result is then the
// object to create). Status/metadata the server owns (resourceVersion, uid, ...) are not
// touched here. InvalidArgument for a configuration that cannot be applied (a list element
// missing its key, duplicate keys).
absl::StatusOr<ApplyResult> Apply(const schema::Schema& schema, std::string_view type_name, const json::Value* live,
                                  const json::Value& config, const ApplyRequest& request);

// Records an update (create, PUT, a non-apply PATCH) by `manager` in `updated`'s
// metadata.managedFields: the fields that differ from `old` (nullptr for a create) become the
// manager's (operation Update), and other managers lose them. Upstream folds the time into one
// entry per manager and operation.
void RecordUpdate(const schema::Schema& schema, std::string_view type_name, const json::Value* old,
                  json::Value* updated, std::string_view manager, std::string_view api_version, absl::Time now);

}  // namespace cubelet::patch
