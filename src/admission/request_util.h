// Owns: small helpers every admission plugin uses to read a Request: which resource it is
// about, the operation's upstream name, and upstream's admission.NewForbidden (a 403 naming the
// request's object).
// Does not own: any plugin's decision.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "admission/admission.h"
#include "json/value.h"

namespace cubelet::admission {

// True when the request is about `group`/`resource` (the main resource or a subresource).
bool IsResource(const Request& request, std::string_view group, std::string_view resource);

// "CREATE", "UPDATE", "DELETE", "CONNECT" (upstream's admission.Operation).
std::string_view OperationName(Operation op);

// 403 '<resource> "<name>" is forbidden: <why>', the name taken from the request, else from the
// object's name or generateName, else "Unknown" (upstream's admission.NewForbidden).
absl::Status ForbiddenFor(const Request& request, const json::Value* object, std::string_view why);

}  // namespace cubelet::admission
