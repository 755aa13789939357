// Owns: the DefaultTolerationSeconds admission plugin (upstream
// plugin/pkg/admission/defaulttolerationseconds): every pod written (create, and update, as
// upstream) that does not already tolerate node.kubernetes.io/not-ready:NoExecute, or
// node.kubernetes.io/unreachable:NoExecute, gets a toleration for it with operator Exists and
// tolerationSeconds 300, so its pods leave a dead node five minutes after the node controller
// taints it instead of at once.
// Does not own: the taints (controllers/node_lifecycle_controller.h) or the evictions
// (controllers/taint_eviction_controller.h).
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "admission/admission.h"
#include "json/value.h"

namespace cubelet::admission {

// Upstream's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds.
inline constexpr int64_t kDefaultNotReadyTolerationSeconds = 300;
inline constexpr int64_t kDefaultUnreachableTolerationSeconds = 300;

// Mutating; only pods proper (no subresources), on create and update. A toleration counts as
// tolerating a taint when its key is the taint's or empty and its effect NoExecute or empty,
// as upstream decides (the operator is not looked at). Never fails.
absl::Status AdmitDefaultTolerationSeconds(const Request& request, json::Value* object,
                                           int64_t not_ready_seconds = kDefaultNotReadyTolerationSeconds,
                                           int64_t unreachable_seconds = kDefaultUnreachableTolerationSeconds);

}  // namespace cubelet::admission
