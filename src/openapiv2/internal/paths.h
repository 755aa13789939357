// Owns: the `paths` of cubelet-server's OpenAPI v2 document: the published operations
// (openapi/operations.h) in kube-apiserver's v2 shape: consumes and produces lists, schemes, the
// request body as an `in: body` parameter ahead of the query parameters, parameters typed inline
// (no schema object), and responses carrying their schema directly. kubectl 1.27 and 1.28 decide
// on server-side field validation from these (cli-runtime query_param_verifier.go: the first
// PATCH operation carrying the kind's GVK must list the fieldValidation query parameter) and
// choose the patch type of client-side apply from the PATCH operation's consumes.
// Does not own: which operations there are (openapi/operations.h), the definitions they refer to
// (openapi/schemas.h).
#pragma once

#include "json/value.h"
#include "openapi/operations.h"

namespace cubelet::openapiv2::internal {

// The paths object, in the order of operations.paths (sorted by path, as kube-apiserver's
// document is).
json::Value WritePaths(const openapi::DocumentOperations& operations);

}  // namespace cubelet::openapiv2::internal
