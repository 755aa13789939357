// Owns: JSON merge patch (RFC 7386): applying a patch and computing one between two documents.
// Does not own: strategic merge patch (patch/ has the Kubernetes-specific algorithm).
#pragma once

#include "json/value.h"

namespace cubelet::json {

// `target` with `patch` merged in: object members merge recursively, null removes, anything
// else (arrays included) replaces.
Value ApplyMergePatch(const Value& target, const Value& patch);

// The merge patch that turns `original` into `modified` (members removed become null).
Value CreateMergePatch(const Value& original, const Value& modified);

}  // namespace cubelet::json
