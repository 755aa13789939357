#include "kuberuntime/container_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/str_join.h"
#include "api/qos.h"
#include "cgroups/resource_config.h"
#include "cm/pod_resources.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "kuberuntime/labels.h"
#include "seccomp/seccomp_profile.h"
#include "kuberuntime/sandbox_config.h"

namespace cubelet::kuberuntime {
namespace {

absl::StatusOr<std::string> FieldRefValue(const api::Pod& pod, const std::string& path,
                                          const std::vector<std::string>& pod_ips, const RuntimeOptions& options) {
  auto keyed = [&](const std::string& prefix, const api::StringMap& m) -> std::optional<std::string> {
    if (path.rfind(prefix, 0) != 0 || path.size() < prefix.size() + 4) return std::nullopt;
    std::string key = path.substr(prefix.size() + 2, path.size() - prefix.size() - 4);  // ['key']
    auto it = m.find(key);
    return it == m.end() ? "" : it->second;
  };
  if (path == "metadata.name") return pod.metadata.name;
  if (path == "metadata.namespace") return pod.metadata.namespace_;
  if (path == "metadata.uid") return pod.metadata.uid;
  if (path == "spec.nodeName") return pod.spec.node_name.empty() ? options.node_name : pod.spec.node_name;
  if (path == "spec.serviceAccountName") return std::string();
  if (path == "status.hostIP") return options.node_ips.empty() ? "" : options.node_ips[0];
  if (path == "status.hostIPs") return absl::StrJoin(options.node_ips, ",");
  if (path == "status.podIP") return pod.spec.host_network ? (options.node_ips.empty() ? "" : options.node_ips[0])
                                                           : (pod_ips.empty() ? "" : pod_ips[0]);
  if (path == "status.podIPs") return absl::StrJoin(pod.spec.host_network ? options.node_ips : pod_ips, ",");
  if (auto v = keyed("metadata.labels", pod.metadata.labels)) return *v;
  if (auto v = keyed("metadata.annotations", pod.metadata.annotations)) return *v;
  return absl::InvalidArgumentError(StrCat("unsupported fieldRef fieldPath \"", path, "\""));
}

absl::StatusOr<std::string> ResourceRefValue(const api::Pod& pod, const api::Container& self,
                                             const api::ResourceFieldSelector& sel, const RuntimeOptions& options) {
  const api::Container* c = &self;
  if (!sel.container_name.empty()) {
    c = nullptr;
    for (const auto* list : {&pod.spec.containers, &pod.spec.init_containers}) {
      for (const auto& x : *list) {
        if (x.name == sel.container_name) c = &x;
      }
    }
    if (c == nullptr) return absl::InvalidArgumentError(StrCat("resourceFieldRef: container \"", sel.container_name, "\" not found"));
  }
  const auto dot = sel.resource.find('.');
  if (dot == std::string::npos) return absl::InvalidArgumentError(StrCat("unsupported resource \"", sel.resource, "\""));
  const std::string kind = sel.resource.substr(0, dot), name = sel.resource.substr(dot + 1);
  const api::ResourceList& list = kind == "limits" ? c->resources.limits : c->resources.requests;
  std::optional<api::Quantity> q;
  if (auto it = list.find(name); it != list.end()) q = it->second;
  if (!q && kind == "limits") {
    // No limit: the node's allocatable, as upstream reports it.
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    if (name == "cpu") q = api::Quantity::FromInt(cpus);
    if (name == "memory") q = api::Quantity::FromInt(options.memory_capacity_bytes, api::Quantity::Format::kBinarySI);
  }
  if (!q) q = api::Quantity();
  const api::Quantity divisor = sel.divisor.value_or(api::Quantity::FromInt(1));
  // Rounded up, as upstream's ExtractResourceValueByContainerName; v / d + remainder cannot
  // overflow near the int64 maximum where v + d - 1 would.
  auto ceil_div = [](int64_t v, int64_t d) { return v / d + (v % d > 0 ? 1 : 0); };
  if (name == "cpu") return std::to_string(ceil_div(q->MilliValue(), std::max<int64_t>(1, divisor.MilliValue())));
  return std::to_string(ceil_div(q->Value(), std::max<int64_t>(1, divisor.Value())));
}

cri::MountPropagation Propagation(const std::string& p) {
  if (p == "HostToContainer") return cri::MountPropagation::kHostToContainer;
  if (p == "Bidirectional") return cri::MountPropagation::kBidirectional;
  return cri::MountPropagation::kPrivate;
}

// upstream's defaults for /proc and /sys (securitycontext.DefaultProcMountPaths): masked or
// read-only unless the container is privileged or asks for an unmasked /proc.
const std::vector<std::string> kMaskedPaths = {
    "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
    "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"};
const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};

}  // namespace

cri::LinuxContainerSecurityContext ContainerSecurityContext(const api::Pod& pod, const api::Container& container,
                                                            const RuntimeOptions& options) {
  cri::LinuxContainerSecurityContext sc;
  const api::SecurityContext c = container.security_context.value_or(api::SecurityContext{});
  const api::PodSecurityContext p = pod.spec.security_context.value_or(api::PodSecurityContext{});
  sc.run_as_user = c.run_as_user ? c.run_as_user : p.run_as_user;
  sc.run_as_group = c.run_as_group ? c.run_as_group : p.run_as_group;
  sc.supplemental_groups = p.supplemental_groups;
  if (p.fs_group) sc.supplemental_groups.push_back(*p.fs_group);
  sc.privileged = c.privileged.value_or(false);
  if (c.capabilities) sc.capabilities = cri::Capabilities{c.capabilities->add, c.capabilities->drop, {}};
  sc.readonly_rootfs = c.read_only_root_filesystem.value_or(false);
  // no_new_privs only when allowPrivilegeEscalation is explicitly false, as upstream.
  sc.no_new_privs = c.allow_privilege_escalation.has_value() && !*c.allow_privilege_escalation;
  if (!sc.privileged && c.proc_mount != "Unmasked") {
    sc.masked_paths = kMaskedPaths;
    sc.readonly_paths = kReadonlyPaths;
  }
  const std::optional<api::SeccompProfile> profile = c.seccomp_profile ? c.seccomp_profile : p.seccomp_profile;
  if (profile && profile->type == "Localhost") {
    sc.seccomp = cri::SecurityProfile{cri::SecurityProfile::Type::kLocalhost,
                                      StrCat(options.root_dir, "/seccomp/", profile->localhost_profile)};
  } else if ((profile && profile->type == "RuntimeDefault") || (!profile && options.seccomp_default)) {
    sc.seccomp = cri::SecurityProfile{cri::SecurityProfile::Type::kRuntimeDefault, ""};
  } else {
    sc.seccomp = cri::SecurityProfile{cri::SecurityProfile::Type::kUnconfined, ""};
  }
  return sc;
}

std::string ExpandVars(const std::string& input, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '$' || i + 1 >= input.size()) {
      out.push_back(input[i]);
      continue;
    }
    if (input[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (input[i + 1] == '(') {
      const size_t close = input.find(')', i + 2);
      if (close != std::string::npos) {
        const std::string name = input.substr(i + 2, close - i - 2);
        if (auto it = vars.find(name); it != vars.end()) {
          out += it->second;
          i = close;
          continue;
        }
        out += input.substr(i, close - i + 1);
        i = close;
        continue;
      }
    }
    out.push_back(input[i]);
  }
  return out;
}

absl::StatusOr<std::vector<cri::KeyValue>> MakeEnvironment(const api::Pod& pod, const api::Container& container,
                                                           const std::vector<std::string>& pod_ips,
                                                           const RuntimeOptions& options) {
  std::map<std::string, std::string> vars;
  std::vector<cri::KeyValue> out;
  for (size_t i = 0; i < container.env.size(); ++i) {
    const auto& e = container.env[i];
    std::string value;
    if (e.value_from) {
      if (e.value_from->field_ref) {
        auto v = FieldRefValue(pod, e.value_from->field_ref->field_path, pod_ips, options);
        if (!v.ok()) return Annotate(v.status(), StrCat("env[", i, "] ", e.name));
        value = *v;
      } else if (e.value_from->resource_field_ref) {
        auto v = ResourceRefValue(pod, container, *e.value_from->resource_field_ref, options);
        if (!v.ok()) return Annotate(v.status(), StrCat("env[", i, "] ", e.name));
        value = *v;
      } else {
        return absl::InvalidArgumentError(StrCat("env[", i, "] ", e.name, ": valueFrom needs the API server"));
      }
    } else {
      value = ExpandVars(e.value, vars);
    }
    vars[e.name] = value;
    // A later definition of the same name wins, in place.
    auto it = std::find_if(out.begin(), out.end(), [&](const cri::KeyValue& kv) { return kv.key == e.name; });
    if (it != out.end()) it->value = value;
    else out.push_back({e.name, value});
  }
  return out;
}

int64_t OomScoreAdjust(const api::Pod& pod, const api::Container& container, int64_t memory_capacity) {
  const std::string qos = api::GetPodQos(pod);
  if (qos == api::kQosGuaranteed) return -997;
  if (qos == api::kQosBestEffort) return 1000;
  const int64_t request = api::ValueOf(container.resources.requests, "memory");
  if (memory_capacity <= 0) return 999;
  // In 128 bits: 1000 * request overflows int64 for requests above ~8 PiB.
  const __int128 scaled = static_cast<__int128>(1000) * request / memory_capacity;
  const int64_t adj = scaled >= 1000 ? 0 : 1000 - static_cast<int64_t>(scaled);
  if (adj < 3) return 3;
  if (adj == 1000) return 999;
  return adj;
}

cri::LinuxContainerResources ContainerResources(const api::Pod& pod, const api::Container& c,
                                                const RuntimeOptions& options) {
  cri::LinuxContainerResources r;
  const int64_t cpu_request = api::MilliValueOf(c.resources.requests, "cpu");
  const int64_t cpu_limit = api::MilliValueOf(c.resources.limits, "cpu");
  r.cpu_shares = cgroups::MilliCpuToShares(cpu_request != 0 ? cpu_request : cpu_limit);
  if (options.cpu_cfs_quota) {
    const int64_t period = absl::ToInt64Microseconds(options.cpu_cfs_quota_period);
    r.cpu_period = period;
    r.cpu_quota = cgroups::MilliCpuToQuota(cpu_limit, period);
  }
  r.memory_limit_in_bytes = api::ValueOf(c.resources.limits, "memory");
  r.oom_score_adj = OomScoreAdjust(pod, c, options.memory_capacity_bytes);
  // Every host page size gets a limit, 0 unless the container asks for that size, so a
  // container cannot use huge pages it did not request.
  std::map<int64_t, int64_t> hugepages;
  for (int64_t size : options.huge_page_sizes) hugepages[size] = 0;
  for (const auto& [size, limit] : cm::HugePageLimits(c.resources.limits)) hugepages[size] = limit;
  for (const auto& [size, limit] : hugepages) {
    r.hugepage_limits.push_back({cgroups::HugePageSizeName(size), static_cast<uint64_t>(limit)});
  }
  return r;
}

absl::StatusOr<cri::ContainerConfig> GenerateContainerConfig(const api::Pod& pod, const api::Container& container,
                                                             const ContainerContext& ctx,
                                                             const RuntimeOptions& options) {
  cri::ContainerConfig c;
  c.metadata = {container.name, static_cast<uint32_t>(ctx.restart_count)};
  c.image.image = ctx.image_ref.empty() ? container.image : ctx.image_ref;
  c.image.user_specified_image = container.image;
  ASSIGN_OR_RETURN(c.envs, MakeEnvironment(pod, container, ctx.pod_ips, options));
  std::map<std::string, std::string> vars;
  for (const auto& kv : c.envs) vars[kv.key] = kv.value;
  for (const auto& s : container.command) c.command.push_back(ExpandVars(s, vars));
  for (const auto& s : container.args) c.args.push_back(ExpandVars(s, vars));
  c.working_dir = container.working_dir;

  bool mounts_etc_hosts = false;
  for (size_t i = 0; i < container.volume_mounts.size(); ++i) {
    const api::VolumeMount& m = container.volume_mounts[i];
    auto vol = ctx.volumes.find(m.name);
    if (vol == ctx.volumes.end()) {
      return absl::InvalidArgumentError(StrCat("cannot find volume \"", m.name, "\" to mount into container \"",
                                               container.name, "\""));
    }
    std::string host_path = vol->second;
    if (!m.sub_path.empty()) {
      auto prepared = ctx.sub_paths.find(i);
      if (prepared == ctx.sub_paths.end()) {
        // A caller's bug, not the pod's: mounting volume path + subPath here would reopen the
        // symlink race that PrepareSubPaths closes.
        return absl::InternalError(StrCat("volumeMounts[", i, "].subPath \"", m.sub_path, "\" of container \"",
                                          container.name, "\" was not prepared (volumes::PrepareSubPaths)"));
      }
      host_path = prepared->second;
    }
    if (m.mount_path == "/etc/hosts") mounts_etc_hosts = true;
    c.mounts.push_back({m.mount_path, host_path, m.read_only, false, Propagation(m.mount_propagation)});
  }
  if (!ctx.etc_hosts_path.empty() && !mounts_etc_hosts && !pod.spec.host_network) {
    c.mounts.push_back({"/etc/hosts", ctx.etc_hosts_path, false, false, cri::MountPropagation::kPrivate});
  }
  if (!ctx.termination_message_host_path.empty() && !container.termination_message_path.empty()) {
    c.mounts.push_back({container.termination_message_path, ctx.termination_message_host_path, false, false,
                        cri::MountPropagation::kPrivate});
  }

  c.labels = ContainerLabels(pod, container);
  c.annotations[kContainerHashAnnotation] = HashContainer(container);
  c.annotations[kContainerRestartCountAnnotation] = std::to_string(ctx.restart_count);
  c.annotations[kTerminationMessagePathAnnotation] = container.termination_message_path;
  c.annotations[kTerminationMessagePolicyAnnotation] = container.termination_message_policy;
  if (!ctx.termination_message_host_path.empty()) {
    c.annotations[kTerminationMessageHostPathAnnotation] = ctx.termination_message_host_path;
  }
  if (pod.spec.termination_grace_period_seconds) {
    c.annotations[kPodTerminationGracePeriodAnnotation] = std::to_string(*pod.spec.termination_grace_period_seconds);
  }
  if (ctx.is_init) c.annotations[kContainerTypeAnnotation] = "init";
  if (!container.ports.empty()) {
    std::vector<std::string> ports;
    for (const auto& p : container.ports) {
      std::string j = "{";
      if (!p.name.empty()) j += StrCat("\"name\":\"", p.name, "\",");
      j += StrCat("\"containerPort\":", p.container_port, ",\"protocol\":\"", p.protocol, "\"}");
      ports.push_back(j);
    }
    c.annotations[kContainerPortsAnnotation] = StrCat("[", absl::StrJoin(ports, ","), "]");
  }
  c.log_path = StrCat(container.name, "/", ctx.restart_count, ".log");
  c.stdin = container.stdin;
  c.stdin_once = container.stdin_once;
  c.tty = container.tty;
  c.linux.resources = ContainerResources(pod, container, options);
  for (const auto* sp : {container.security_context ? &container.security_context->seccomp_profile : nullptr,
                         pod.spec.security_context ? &pod.spec.security_context->seccomp_profile : nullptr}) {
    if (sp == nullptr || !*sp || (*sp)->type != "Localhost") continue;
    const std::string& rel = (*sp)->localhost_profile;
    bool escapes = rel.empty() || rel[0] == '/';
    for (const auto& part : std::filesystem::path(rel)) escapes |= part == "..";
    if (escapes) {
      return absl::InvalidArgumentError(StrCat("seccomp profile \"", rel,
                                               "\" must be a relative path inside ", options.root_dir, "/seccomp"));
    }
  }
  cri::LinuxContainerSecurityContext sc = ContainerSecurityContext(pod, container, options);
  if (sc.seccomp && sc.seccomp->type == cri::SecurityProfile::Type::kLocalhost) {
    // Checked here so that a broken profile is this container's CreateContainerConfigError
    // with the reason, and nothing starts.
    RETURN_IF_ERROR(Annotate(seccomp::ValidateSeccompProfileFile(sc.seccomp->localhost_ref), "invalid seccomp profile"));
  }
  sc.namespace_options = PodNamespaceOptions(pod);
  c.linux.security_context = sc;
  return c;
}

}  // namespace cubelet::kuberuntime
