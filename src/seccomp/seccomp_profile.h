// Owns: checking a Localhost seccomp profile (the OCI/Docker JSON that containerd loads) with
// libseccomp before a container uses it, so a broken profile is the pod's clear error instead of
// a runtime failure deep in container start.
// Does not own: resolving the profile path (kuberuntime) or applying the filter (the runtime).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace cubelet::seccomp {

// Builds the profile's filter in libseccomp (without loading it). InvalidArgument naming the
// field for malformed JSON, an unknown defaultAction/action/flag/comparison, an architecture
// libseccomp does not know, or a syscall name libseccomp knows on none of the profile's
// architectures (a syscall of another architecture, like arm_fadvise64_64, is fine: libseccomp
// knows it everywhere and it simply never matches here).
absl::Status ValidateSeccompProfile(std::string_view json);

// Reads `path` (at most 1 MiB) and validates it; errors start with the path.
absl::Status ValidateSeccompProfileFile(const std::string& path);

}  // namespace cubelet::seccomp
