// Owns: kubelet admission of a pod's sysctls (upstream pkg/kubelet/sysctl): the safe set is
// always allowed, others only when they match allowedUnsafeSysctls ("name" or "prefix*"); every
// allowed sysctl must be known to be namespaced, and one in a namespace the pod shares with the
// host (net.* with hostNetwork, kernel.shm*/kernel.msg*/kernel.sem/fs.mqueue.* with hostIPC) is
// refused, since setting it would change the host's value.
// Does not own: API validation of sysctl names (api/validation), applying them (the runtime).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/types.h"

namespace cubelet::kubelet {

// The kernel namespace a sysctl lives in (component-helpers/node/util/sysctl NamespacedBy).
enum class SysctlNamespace { kUnknown, kIpc, kNet };
SysctlNamespace NamespacedBy(std::string_view sysctl);

// "net/ipv4/conf/eno2.100/rp_filter" -> "net.ipv4.conf.eno2/100.rp_filter": a name whose first
// separator is '/' has '.' and '/' swapped; others are returned as they are.
std::string NormalizeSysctlName(std::string_view name);

// upstream's patternAllowlist: the safe sysctls plus the node's allowed unsafe ones.
class SysctlAllowlist {
 public:
  // InvalidArgument naming the pattern when one is malformed or not known to be namespaced
  // (upstream's kubelet refuses to start then).
  static absl::StatusOr<SysctlAllowlist> Create(const std::vector<std::string>& allowed_unsafe);

  // OK, or FailedPrecondition with upstream's message for the first sysctl refused:
  // "forbidden sysctl: \"kernel.msgmax\" not allowlisted" or
  // "forbidden sysctl: \"net.core.somaxconn\" not allowed with host net enabled".
  absl::Status Admit(const api::Pod& pod) const;

 private:
  SysctlAllowlist() = default;
  std::map<std::string, SysctlNamespace> sysctls_;
  std::map<std::string, SysctlNamespace> prefixes_;
};

// SysctlAllowlist::Create(allowed_unsafe).Admit(pod); a malformed allowlist refuses every pod
// that sets a sysctl (FailedPrecondition naming the pattern). Cheap for a pod without sysctls.
absl::Status AdmitSysctls(const api::Pod& pod, const std::vector<std::string>& allowed_unsafe);

}  // namespace cubelet::kubelet
