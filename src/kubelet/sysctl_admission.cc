#include "kubelet/sysctl_admission.h"

#include <algorithm>
#include <optional>

#include "common/strings.h"

namespace cubelet::kubelet {
namespace {

// upstream's safe sysctls (pkg/kubelet/sysctl/safe_sysctls.go), namespaced and harmless.
const std::vector<std::string>& SafeSysctls() {
  static const auto* safe = new std::vector<std::string>{
      "kernel.shm_rmid_forced",         "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
      "net.ipv4.ping_group_range",      "net.ipv4.ip_unprivileged_port_start",
      "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl",   "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"};
  return *safe;
}

// Policy validation's SysctlContainSlashPatternFmt:
// ([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*([a-z0-9][-_a-z0-9]*)?[a-z0-9*], at most 253 characters.
constexpr char kPatternRegex[] = "([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]";

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsValidSysctlPattern(std::string_view p) {
  if (p.empty() || p.size() > 253) return false;
  size_t start = 0;
  while (true) {
    const size_t sep = p.find_first_of("./", start);
    const std::string_view seg = p.substr(start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
    if (seg.empty()) return false;
    const bool last = sep == std::string_view::npos;
    // Every segment: [a-z0-9] first, [-_a-z0-9] inside; its end is [a-z0-9], or '*' for the last.
    const char end = seg.back();
    if (!(IsLowerAlnum(end) || (last && end == '*'))) return false;
    if (seg.size() > 1 && !IsLowerAlnum(seg.front())) return false;
    for (size_t i = 1; i + 1 < seg.size(); ++i) {
      if (!IsLowerAlnum(seg[i]) && seg[i] != '-' && seg[i] != '_') return false;
    }
    if (last) return true;
    start = sep + 1;
  }
}

std::string_view NamespaceName(SysctlNamespace ns) { return ns == SysctlNamespace::kIpc ? "ipc" : "net"; }

}  // namespace

SysctlNamespace NamespacedBy(std::string_view sysctl) {
  if (sysctl == "kernel.sem") return SysctlNamespace::kIpc;
  for (std::string_view prefix : {"kernel.shm", "kernel.msg", "fs.mqueue."}) {
    if (sysctl.starts_with(prefix)) return SysctlNamespace::kIpc;
  }
  if (sysctl.starts_with("net.")) return SysctlNamespace::kNet;
  return SysctlNamespace::kUnknown;
}

std::string NormalizeSysctlName(std::string_view name) {
  std::string out(name);
  const size_t first = out.find_first_of("./");
  if (first == std::string::npos || out[first] == '.') return out;
  for (char& c : out) {
    if (c == '.') c = '/';
    else if (c == '/') c = '.';
  }
  return out;
}

absl::StatusOr<SysctlAllowlist> SysctlAllowlist::Create(const std::vector<std::string>& allowed_unsafe) {
  SysctlAllowlist list;
  std::vector<std::string> patterns = SafeSysctls();
  patterns.insert(patterns.end(), allowed_unsafe.begin(), allowed_unsafe.end());
  for (const std::string& raw : patterns) {
    if (!IsValidSysctlPattern(raw)) {
      return absl::InvalidArgumentError(
          StrCat("sysctl \"", raw, "\" must have at most 253 characters and match regex ", kPatternRegex));
    }
    const std::string s = NormalizeSysctlName(raw);
    if (s.ends_with('*')) {
      const std::string prefix = s.substr(0, s.size() - 1);
      const SysctlNamespace ns = NamespacedBy(prefix);
      if (ns == SysctlNamespace::kUnknown) {
        return absl::InvalidArgumentError(StrCat("the sysctls \"", s, "\" are not known to be namespaced"));
      }
      list.prefixes_[prefix] = ns;
    } else {
      const SysctlNamespace ns = NamespacedBy(s);
      if (ns == SysctlNamespace::kUnknown) {
        return absl::InvalidArgumentError(StrCat("the sysctl \"", s, "\" are not known to be namespaced"));
      }
      list.sysctls_[s] = ns;
    }
  }
  return list;
}

absl::Status SysctlAllowlist::Admit(const api::Pod& pod) const {
  if (!pod.spec.security_context) return absl::OkStatus();
  for (const auto& sysctl : pod.spec.security_context->sysctls) {
    const std::string name = NormalizeSysctlName(sysctl.name);
    auto refuse = [&](std::string_view why) {
      return absl::FailedPreconditionError(StrCat("forbidden sysctl: \"", name, "\" ", why));
    };
    // The namespace of the entry that allows it, as upstream looks it up (exact, then prefix).
    std::optional<SysctlNamespace> ns;
    if (auto it = sysctls_.find(name); it != sysctls_.end()) {
      ns = it->second;
    } else {
      for (const auto& [prefix, prefix_ns] : prefixes_) {
        if (name.starts_with(prefix)) {
          ns = prefix_ns;
          break;
        }
      }
    }
    if (!ns) return refuse("not allowlisted");
    if ((*ns == SysctlNamespace::kIpc && pod.spec.host_ipc) || (*ns == SysctlNamespace::kNet && pod.spec.host_network)) {
      return refuse(StrCat("not allowed with host ", NamespaceName(*ns), " enabled"));
    }
  }
  return absl::OkStatus();
}

absl::Status AdmitSysctls(const api::Pod& pod, const std::vector<std::string>& allowed_unsafe) {
  if (!pod.spec.security_context || pod.spec.security_context->sysctls.empty()) return absl::OkStatus();
  auto allowlist = SysctlAllowlist::Create(allowed_unsafe);
  if (!allowlist.ok()) {
    return absl::FailedPreconditionError(
        StrCat("forbidden sysctl: --allowed-unsafe-sysctls is invalid: ", allowlist.status().message()));
  }
  return allowlist->Admit(pod);
}

}  // namespace cubelet::kubelet
