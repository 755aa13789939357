// Owns: kubelet admission of a pod's sysctls (upstream's sysctl allowlist): the safe set is
// always allowed, others only when they match allowedUnsafeSysctls ("name" or "prefix*").
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "api/types.h"

namespace cubelet::kubelet {

// FailedPrecondition "forbidden sysctl: \"kernel.msgmax\" not allowlisted" for the first
// sysctl that is neither safe nor allowed.
absl::Status AdmitSysctls(const api::Pod& pod, const std::vector<std::string>& allowed_unsafe);

}  // namespace cubelet::kubelet
