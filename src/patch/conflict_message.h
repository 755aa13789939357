// Owns: the text upstream's apiserver returns for server-side apply conflicts (the Status
// message and each cause's message), so clients see the words kubectl users know:
//   Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.replicas
// Does not own: the Status object and its HTTP code (apiserver/: 409, reason Conflict, causes of
// type FieldManagerConflict with `field` set to Conflict::field).
#pragma once

#include <string>
#include <vector>

#include "patch/field_manager.h"

namespace cubelet::patch {

// "\"kubectl-client-side-apply\" using v1" for an updater, "\"kubectl\"" for an applier (whose
// Conflict::api_version is empty).
std::string ConflictManager(const Conflict& conflict);

// A cause's message: "conflict with \"kubectl-client-side-apply\" using v1".
std::string ConflictCauseMessage(const Conflict& conflict);

// The Status message: one conflict on one line; several grouped by manager, one "- <field>"
// line each.
std::string ConflictMessage(const std::vector<Conflict>& conflicts);

}  // namespace cubelet::patch
