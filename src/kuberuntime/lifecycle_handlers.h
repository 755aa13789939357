// Owns: running a container's postStart and preStop hooks (exec, httpGet, sleep), as upstream's
// lifecycle handler runner.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "api/types.h"
#include "cri/runtime_service.h"

namespace cubelet::kuberuntime {

// Runs `handler` for the container; an error says why the hook failed. `timeout` bounds httpGet
// and exec; sleep runs its whole duration unless it exceeds `timeout`.
absl::Status RunLifecycleHandler(cri::RuntimeService& runtime, const api::LifecycleHandler& handler,
                                 const std::string& container_id, const api::Container& container,
                                 const std::vector<std::string>& pod_ips, absl::Duration timeout);

}  // namespace cubelet::kuberuntime
