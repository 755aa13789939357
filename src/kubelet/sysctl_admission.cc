#include "kubelet/sysctl_admission.h"

#include <algorithm>

#include "common/strings.h"

namespace cubelet::kubelet {
namespace {

// upstream's safe sysctls (pkg/kubelet/sysctl/safe_sysctls.go), namespaced and harmless.
const std::vector<std::string> kSafeSysctls = {
    "kernel.shm_rmid_forced",         "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",      "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",   "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"};

bool Matches(const std::string& pattern, const std::string& name) {
  if (!pattern.empty() && pattern.back() == '*') return name.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  return pattern == name;
}

}  // namespace

absl::Status AdmitSysctls(const api::Pod& pod, const std::vector<std::string>& allowed_unsafe) {
  if (!pod.spec.security_context) return absl::OkStatus();
  for (const auto& s : pod.spec.security_context->sysctls) {
    std::string name = s.name;
    std::replace(name.begin(), name.end(), '/', '.');
    if (std::find(kSafeSysctls.begin(), kSafeSysctls.end(), name) != kSafeSysctls.end()) continue;
    if (std::any_of(allowed_unsafe.begin(), allowed_unsafe.end(), [&](const std::string& p) { return Matches(p, name); })) {
      continue;
    }
    return absl::FailedPreconditionError(StrCat("forbidden sysctl: \"", s.name, "\" not allowlisted"));
  }
  return absl::OkStatus();
}

}  // namespace cubelet::kubelet
