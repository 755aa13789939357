// Owns: strategic merge patch (upstream apimachinery/pkg/util/strategicpatch) over the schema
// table: lists of structs merge by their patchMergeKey, `merge` lists of scalars merge as sets,
// and the directives $patch (replace, delete, merge), $setElementOrder/<list>,
// $deleteFromPrimitiveList/<list> and $retainKeys are honoured.
// Does not own: choosing the patch type (apiserver/), JSON and merge patches (json/).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "schema/schema.h"

namespace cubelet::patch {

// `original` (an object of struct type `type_name`) with `patch` applied. InvalidArgument with
// the field path for a malformed patch (a directive with a bad value, a list element without its
// merge key, a patch value of the wrong type).
absl::StatusOr<json::Value> ApplyStrategicMergePatch(const schema::Schema& schema, std::string_view type_name,
                                                     const json::Value& original, const json::Value& patch);

}  // namespace cubelet::patch
