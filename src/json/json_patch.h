// Owns: JSON Patch (RFC 6902): add, remove, replace, move, copy and test operations applied
// atomically to a document.
// Does not own: the content type dispatch (the API server picks the patch type).
#pragma once

#include "absl/status/statusor.h"
#include "json/value.h"

namespace cubelet::json {

// The document after every operation of `patch` (an array of operation objects), or an error
// naming the failing operation by index ("operation 2 (test) at /spec/replicas: value differs");
// `doc` is never partly patched. InvalidArgument for a malformed patch, FailedPrecondition for a
// failed test or a missing path.
absl::StatusOr<Value> ApplyJsonPatch(const Value& doc, const Value& patch);

}  // namespace cubelet::json
