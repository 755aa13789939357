// Owns: reading the query parameters of API requests as upstream's parameter codec does:
// Go-style booleans and integers with errors naming the parameter, label and field selectors,
// dryRun, and DeleteOptions merged from a request body and the query.
// Does not own: what the options mean (registry/).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "httpserver/http_server.h"
#include "registry/resource_store.h"

namespace cubelet::apiserver {

// nullopt when absent; 400 BadRequest naming the parameter when malformed.
absl::StatusOr<std::optional<bool>> QueryBool(const httpserver::Request& request, std::string_view name);
absl::StatusOr<std::optional<int64_t>> QueryInt(const httpserver::Request& request, std::string_view name);

// labelSelector and fieldSelector (400 with the parser's message).
absl::StatusOr<selectors::LabelSelector> LabelSelectorOf(const httpserver::Request& request);
absl::StatusOr<selectors::FieldSelector> FieldSelectorOf(const httpserver::Request& request);

// dryRun=All → true; absent → false; anything else → 400.
absl::StatusOr<bool> DryRunOf(const httpserver::Request& request);

// List options: limit, continue, resourceVersion, resourceVersionMatch and the selectors.
absl::StatusOr<registry::ListOptions> ListOptionsOf(const httpserver::Request& request);

// DeleteOptions from the body (when it has one) and from the query (gracePeriodSeconds,
// propagationPolicy, orphanDependents, dryRun), as the Python client sends them.
absl::StatusOr<registry::DeleteOptions> DeleteOptionsOf(const httpserver::Request& request);

}  // namespace cubelet::apiserver
