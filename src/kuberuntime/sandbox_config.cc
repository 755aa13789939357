#include "kuberuntime/sandbox_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "api/qos.h"
#include "common/host_path.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "kuberuntime/labels.h"

namespace cubelet::kuberuntime {
namespace {

cri::DnsConfig ReadResolvConf(const std::string& path) {
  cri::DnsConfig out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find_first_of("#;"); hash != std::string::npos) line.resize(hash);
    std::vector<std::string> f = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.empty()) continue;
    if (f[0] == "nameserver" && f.size() > 1) out.servers.push_back(f[1]);
    if ((f[0] == "search" || f[0] == "domain") && f.size() > 1) out.searches.assign(f.begin() + 1, f.end());
    if (f[0] == "options") out.options.insert(out.options.end(), f.begin() + 1, f.end());
  }
  return out;
}

void AppendUnique(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& s : from) {
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  }
}

}  // namespace

cri::NamespaceOption PodNamespaceOptions(const api::Pod& pod) {
  cri::NamespaceOption ns;
  ns.network = pod.spec.host_network ? cri::NamespaceMode::kNode : cri::NamespaceMode::kPod;
  ns.ipc = pod.spec.host_ipc ? cri::NamespaceMode::kNode : cri::NamespaceMode::kPod;
  // The CRI's default PID namespace is the pod's; a v1 pod's is the container's.
  ns.pid = pod.spec.host_pid ? cri::NamespaceMode::kNode
           : pod.spec.share_process_namespace.value_or(false) ? cri::NamespaceMode::kPod
                                                              : cri::NamespaceMode::kContainer;
  return ns;
}

absl::StatusOr<std::string> BuildPodLogsDirectory(std::string_view pod_logs_dir, std::string_view pod_namespace,
                                                  std::string_view pod_name, std::string_view pod_uid) {
  // Each part alone first: "_" joins them, so only the parts can carry a '/' or be "..".
  for (const PathComponent& part :
       {PathComponent{"metadata.namespace", pod_namespace}, PathComponent{"metadata.name", pod_name},
        PathComponent{"metadata.uid", pod_uid}}) {
    RETURN_IF_ERROR(CheckPathComponent(part));
  }
  const std::string joined = StrCat(pod_namespace, "_", pod_name, "_", pod_uid);
  return HostPathUnder(pod_logs_dir, {{"pod log directory <namespace>_<name>_<uid>", joined}});
}

absl::StatusOr<std::string> BuildContainerLogsDirectory(std::string_view pod_logs_dir, std::string_view pod_namespace,
                                                        std::string_view pod_name, std::string_view pod_uid,
                                                        std::string_view container_name) {
  ASSIGN_OR_RETURN(const std::string pod_dir, BuildPodLogsDirectory(pod_logs_dir, pod_namespace, pod_name, pod_uid));
  return HostPathUnder(pod_dir, {{"container name", container_name}});
}

std::string PodHostname(const api::Pod& pod) {
  std::string h = pod.spec.hostname.empty() ? pod.metadata.name : pod.spec.hostname;
  if (h.size() > 63) {
    h.resize(63);
    while (!h.empty() && (h.back() == '-' || h.back() == '.')) h.pop_back();
  }
  return h;
}

std::string PodFqdn(const api::Pod& pod, const std::string& cluster_domain) {
  if (pod.spec.subdomain.empty() || cluster_domain.empty()) return "";
  return StrCat(PodHostname(pod), ".", pod.spec.subdomain, ".", pod.metadata.namespace_, ".svc.", cluster_domain);
}

absl::StatusOr<cri::DnsConfig> PodDnsConfig(const api::Pod& pod, const RuntimeOptions& options) {
  std::string policy = pod.spec.dns_policy;
  if (policy == "ClusterFirstWithHostNet") policy = "ClusterFirst";
  else if (policy == "ClusterFirst" && pod.spec.host_network) policy = "Default";
  // Without cluster DNS, ClusterFirst falls back to the node's resolver, as upstream does.
  if (policy == "ClusterFirst" && options.cluster_dns.empty()) policy = "Default";

  cri::DnsConfig dns;
  if (policy == "ClusterFirst") {
    dns.servers = options.cluster_dns;
    const std::string& d = options.cluster_domain;
    if (!d.empty()) {
      dns.searches = {StrCat(pod.metadata.namespace_, ".svc.", d), StrCat("svc.", d), d};
    }
    AppendUnique(dns.searches, ReadResolvConf(options.resolv_conf).searches);
    dns.options = {"ndots:5"};
  } else if (policy == "Default") {
    dns = ReadResolvConf(options.resolv_conf);
  }
  if (pod.spec.dns_config) {
    const auto& c = *pod.spec.dns_config;
    AppendUnique(dns.servers, c.nameservers);
    AppendUnique(dns.searches, c.searches);
    for (const auto& o : c.options) {
      const std::string text = o.value ? StrCat(o.name, ":", *o.value) : o.name;
      // A pod option replaces the same option from the policy.
      std::erase_if(dns.options, [&](const std::string& existing) {
        return existing == o.name || existing.rfind(StrCat(o.name, ":"), 0) == 0;
      });
      dns.options.push_back(text);
    }
  }
  if (dns.servers.size() > 3) dns.servers.resize(3);
  if (dns.searches.size() > 32) dns.searches.resize(32);
  return dns;
}

absl::StatusOr<cri::PodSandboxConfig> GeneratePodSandboxConfig(const api::Pod& pod, uint32_t attempt,
                                                               const RuntimeOptions& options) {
  cri::PodSandboxConfig c;
  c.metadata = {pod.metadata.name, pod.metadata.uid, pod.metadata.namespace_, attempt};
  c.labels = SandboxLabels(pod);
  c.annotations = SandboxAnnotations(pod);
  ASSIGN_OR_RETURN(c.dns_config, PodDnsConfig(pod, options));
  if (!pod.spec.host_network) {
    const std::string fqdn = PodFqdn(pod, options.cluster_domain);
    c.hostname = pod.spec.set_hostname_as_fqdn.value_or(false) && !fqdn.empty() ? fqdn : PodHostname(pod);
  }
  ASSIGN_OR_RETURN(c.log_directory, BuildPodLogsDirectory(options.pod_logs_dir, pod.metadata.namespace_,
                                                          pod.metadata.name, pod.metadata.uid));
  for (const auto& container : pod.spec.containers) {
    for (const auto& p : container.ports) {
      if (p.host_port <= 0) continue;
      cri::Protocol proto = p.protocol == "UDP" ? cri::Protocol::kUdp
                            : p.protocol == "SCTP" ? cri::Protocol::kSctp
                                                   : cri::Protocol::kTcp;
      c.port_mappings.push_back({proto, p.container_port, p.host_port, p.host_ip});
    }
  }
  ASSIGN_OR_RETURN(c.linux.cgroup_parent, cm::PodCgroupParent(options.cgroup_layout, pod));
  auto& sc = c.linux.security_context;
  sc.namespace_options = PodNamespaceOptions(pod);
  if (pod.spec.security_context) {
    const auto& psc = *pod.spec.security_context;
    sc.run_as_user = psc.run_as_user;
    sc.run_as_group = psc.run_as_group;
    sc.supplemental_groups = psc.supplemental_groups;
    if (psc.fs_group) sc.supplemental_groups.push_back(*psc.fs_group);
    for (const auto& s : psc.sysctls) {
      std::string name = s.name;
      std::replace(name.begin(), name.end(), '/', '.');
      c.linux.sysctls[name] = s.value;
    }
  }
  for (const auto& container : pod.spec.containers) {
    if (container.security_context && container.security_context->privileged.value_or(false)) sc.privileged = true;
  }
  return c;
}

}  // namespace cubelet::kuberuntime
