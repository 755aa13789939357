#include "kuberuntime/etc_hosts.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_join.h"
#include "common/strings.h"

namespace cubelet::kuberuntime {

std::string MakeEtcHostsContent(const api::Pod& pod, const std::vector<std::string>& pod_ips,
                                const std::string& hostname, const std::string& fqdn) {
  std::string out =
      "# Kubernetes-managed hosts file.\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  for (const auto& ip : pod_ips) {
    if (fqdn.empty()) {
      StrAppend(&out, ip, "\t", hostname, "\n");
    } else {
      StrAppend(&out, ip, "\t", fqdn, "\t", hostname, "\n");
    }
  }
  if (!pod.spec.host_aliases.empty()) {
    out += "\n# Entries added by HostAliases.\n";
    for (const auto& a : pod.spec.host_aliases) {
      StrAppend(&out, a.ip, "\t", absl::StrJoin(a.hostnames, "\t"), "\n");
    }
  }
  return out;
}

absl::Status WriteEtcHosts(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << content;
    if (!f) return absl::FailedPreconditionError(StrCat("write ", tmp));
  }
  ::chmod(tmp.c_str(), 0644);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return absl::FailedPreconditionError(StrCat("rename ", tmp));
  return absl::OkStatus();
}

}  // namespace cubelet::kuberuntime
