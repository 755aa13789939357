#include "cri/src/convert.h"

namespace cubelet::cri::internal {
namespace pb = runtime::v1;
namespace {

template <typename Map>
void CopyMap(const StringMap& in, Map* out) {
  for (const auto& [k, v] : in) (*out)[k] = v;
}

template <typename Map>
StringMap ToMap(const Map& in) {
  return StringMap(in.begin(), in.end());
}

template <typename Repeated>
std::vector<std::string> ToVector(const Repeated& in) {
  return std::vector<std::string>(in.begin(), in.end());
}

std::optional<uint64_t> Value(bool has, const pb::UInt64Value& v) {
  if (!has) return std::nullopt;
  return v.value();
}

void ToProto(const NamespaceOption& in, pb::NamespaceOption* out) {
  out->set_network(static_cast<pb::NamespaceMode>(in.network));
  out->set_pid(static_cast<pb::NamespaceMode>(in.pid));
  out->set_ipc(static_cast<pb::NamespaceMode>(in.ipc));
  out->set_target_id(in.target_id);
}

NamespaceOption FromProto(const pb::NamespaceOption& in) {
  return NamespaceOption{static_cast<NamespaceMode>(in.network()),
                         static_cast<NamespaceMode>(in.pid()),
                         static_cast<NamespaceMode>(in.ipc()), in.target_id()};
}

void ToProto(const SelinuxOption& in, pb::SELinuxOption* out) {
  out->set_user(in.user);
  out->set_role(in.role);
  out->set_type(in.type);
  out->set_level(in.level);
}

void ToProto(const SecurityProfile& in, pb::SecurityProfile* out) {
  out->set_profile_type(static_cast<pb::SecurityProfile::ProfileType>(in.type));
  out->set_localhost_ref(in.localhost_ref);
}

SecurityProfile FromProto(const pb::SecurityProfile& in) {
  return SecurityProfile{static_cast<SecurityProfile::Type>(in.profile_type()), in.localhost_ref()};
}

void ToProto(const Mount& in, pb::Mount* out) {
  out->set_container_path(in.container_path);
  out->set_host_path(in.host_path);
  out->set_readonly(in.readonly);
  out->set_selinux_relabel(in.selinux_relabel);
  out->set_propagation(static_cast<pb::MountPropagation>(in.propagation));
}

Mount FromProto(const pb::Mount& in) {
  return Mount{in.container_path(), in.host_path(), in.readonly(), in.selinux_relabel(),
               static_cast<MountPropagation>(in.propagation())};
}

void ToProto(const PodSandboxMetadata& in, pb::PodSandboxMetadata* out) {
  out->set_name(in.name);
  out->set_uid(in.uid);
  out->set_namespace_(in.namespace_);
  out->set_attempt(in.attempt);
}

PodSandboxMetadata FromProto(const pb::PodSandboxMetadata& in) {
  return PodSandboxMetadata{in.name(), in.uid(), in.namespace_(), in.attempt()};
}

ContainerMetadata FromProto(const pb::ContainerMetadata& in) {
  return ContainerMetadata{in.name(), in.attempt()};
}

CpuUsage FromProto(const pb::CpuUsage& in) {
  return CpuUsage{in.timestamp(), Value(in.has_usage_core_nano_seconds(), in.usage_core_nano_seconds()),
                  Value(in.has_usage_nano_cores(), in.usage_nano_cores())};
}

MemoryUsage FromProto(const pb::MemoryUsage& in) {
  return MemoryUsage{in.timestamp(),
                     Value(in.has_working_set_bytes(), in.working_set_bytes()),
                     Value(in.has_available_bytes(), in.available_bytes()),
                     Value(in.has_usage_bytes(), in.usage_bytes()),
                     Value(in.has_rss_bytes(), in.rss_bytes()),
                     Value(in.has_page_faults(), in.page_faults()),
                     Value(in.has_major_page_faults(), in.major_page_faults())};
}

}  // namespace

void ToProto(const LinuxContainerResources& in, pb::LinuxContainerResources* out) {
  out->set_cpu_period(in.cpu_period);
  out->set_cpu_quota(in.cpu_quota);
  out->set_cpu_shares(in.cpu_shares);
  out->set_memory_limit_in_bytes(in.memory_limit_in_bytes);
  out->set_oom_score_adj(in.oom_score_adj);
  out->set_cpuset_cpus(in.cpuset_cpus);
  out->set_cpuset_mems(in.cpuset_mems);
  for (const auto& h : in.hugepage_limits) {
    auto* l = out->add_hugepage_limits();
    l->set_page_size(h.page_size);
    l->set_limit(h.limit);
  }
  CopyMap(in.unified, out->mutable_unified());
  out->set_memory_swap_limit_in_bytes(in.memory_swap_limit_in_bytes);
}

LinuxContainerResources FromProto(const pb::LinuxContainerResources& in) {
  LinuxContainerResources out;
  out.cpu_period = in.cpu_period();
  out.cpu_quota = in.cpu_quota();
  out.cpu_shares = in.cpu_shares();
  out.memory_limit_in_bytes = in.memory_limit_in_bytes();
  out.oom_score_adj = in.oom_score_adj();
  out.cpuset_cpus = in.cpuset_cpus();
  out.cpuset_mems = in.cpuset_mems();
  for (const auto& h : in.hugepage_limits()) out.hugepage_limits.push_back({h.page_size(), h.limit()});
  out.unified = ToMap(in.unified());
  out.memory_swap_limit_in_bytes = in.memory_swap_limit_in_bytes();
  return out;
}

void ToProto(const ImageSpec& in, pb::ImageSpec* out) {
  out->set_image(in.image);
  CopyMap(in.annotations, out->mutable_annotations());
  out->set_user_specified_image(in.user_specified_image);
  out->set_runtime_handler(in.runtime_handler);
}

ImageSpec FromProto(const pb::ImageSpec& in) {
  return ImageSpec{in.image(), ToMap(in.annotations()), in.user_specified_image(),
                   in.runtime_handler()};
}

void ToProto(const PodSandboxConfig& in, pb::PodSandboxConfig* out) {
  ToProto(in.metadata, out->mutable_metadata());
  out->set_hostname(in.hostname);
  out->set_log_directory(in.log_directory);
  if (in.dns_config) {
    auto* dns = out->mutable_dns_config();
    for (const auto& s : in.dns_config->servers) dns->add_servers(s);
    for (const auto& s : in.dns_config->searches) dns->add_searches(s);
    for (const auto& s : in.dns_config->options) dns->add_options(s);
  }
  for (const auto& p : in.port_mappings) {
    auto* m = out->add_port_mappings();
    m->set_protocol(static_cast<pb::Protocol>(p.protocol));
    m->set_container_port(p.container_port);
    m->set_host_port(p.host_port);
    m->set_host_ip(p.host_ip);
  }
  CopyMap(in.labels, out->mutable_labels());
  CopyMap(in.annotations, out->mutable_annotations());
  auto* linux = out->mutable_linux();
  linux->set_cgroup_parent(in.linux.cgroup_parent);
  const auto& sc = in.linux.security_context;
  auto* psc = linux->mutable_security_context();
  ToProto(sc.namespace_options, psc->mutable_namespace_options());
  if (sc.selinux_options) ToProto(*sc.selinux_options, psc->mutable_selinux_options());
  if (sc.run_as_user) psc->mutable_run_as_user()->set_value(*sc.run_as_user);
  if (sc.run_as_group) psc->mutable_run_as_group()->set_value(*sc.run_as_group);
  psc->set_readonly_rootfs(sc.readonly_rootfs);
  for (int64_t g : sc.supplemental_groups) psc->add_supplemental_groups(g);
  psc->set_privileged(sc.privileged);
  if (sc.seccomp) ToProto(*sc.seccomp, psc->mutable_seccomp());
  if (sc.apparmor) ToProto(*sc.apparmor, psc->mutable_apparmor());
  CopyMap(in.linux.sysctls, linux->mutable_sysctls());
  if (in.linux.overhead) ToProto(*in.linux.overhead, linux->mutable_overhead());
  if (in.linux.resources) ToProto(*in.linux.resources, linux->mutable_resources());
}

PodSandboxConfig FromProto(const pb::PodSandboxConfig& in) {
  PodSandboxConfig out;
  out.metadata = FromProto(in.metadata());
  out.hostname = in.hostname();
  out.log_directory = in.log_directory();
  if (in.has_dns_config()) {
    out.dns_config = DnsConfig{ToVector(in.dns_config().servers()), ToVector(in.dns_config().searches()),
                               ToVector(in.dns_config().options())};
  }
  for (const auto& p : in.port_mappings()) {
    out.port_mappings.push_back(
        {static_cast<Protocol>(p.protocol()), p.container_port(), p.host_port(), p.host_ip()});
  }
  out.labels = ToMap(in.labels());
  out.annotations = ToMap(in.annotations());
  const auto& linux = in.linux();
  out.linux.cgroup_parent = linux.cgroup_parent();
  const auto& psc = linux.security_context();
  auto& sc = out.linux.security_context;
  sc.namespace_options = FromProto(psc.namespace_options());
  if (psc.has_run_as_user()) sc.run_as_user = psc.run_as_user().value();
  if (psc.has_run_as_group()) sc.run_as_group = psc.run_as_group().value();
  sc.readonly_rootfs = psc.readonly_rootfs();
  sc.supplemental_groups.assign(psc.supplemental_groups().begin(), psc.supplemental_groups().end());
  sc.privileged = psc.privileged();
  if (psc.has_seccomp()) sc.seccomp = FromProto(psc.seccomp());
  if (psc.has_apparmor()) sc.apparmor = FromProto(psc.apparmor());
  out.linux.sysctls = ToMap(linux.sysctls());
  if (linux.has_overhead()) out.linux.overhead = FromProto(linux.overhead());
  if (linux.has_resources()) out.linux.resources = FromProto(linux.resources());
  return out;
}

void ToProto(const ContainerConfig& in, pb::ContainerConfig* out) {
  out->mutable_metadata()->set_name(in.metadata.name);
  out->mutable_metadata()->set_attempt(in.metadata.attempt);
  ToProto(in.image, out->mutable_image());
  for (const auto& c : in.command) out->add_command(c);
  for (const auto& a : in.args) out->add_args(a);
  out->set_working_dir(in.working_dir);
  for (const auto& e : in.envs) {
    auto* kv = out->add_envs();
    kv->set_key(e.key);
    kv->set_value(e.value);
  }
  for (const auto& m : in.mounts) ToProto(m, out->add_mounts());
  for (const auto& d : in.devices) {
    auto* dev = out->add_devices();
    dev->set_container_path(d.container_path);
    dev->set_host_path(d.host_path);
    dev->set_permissions(d.permissions);
  }
  CopyMap(in.labels, out->mutable_labels());
  CopyMap(in.annotations, out->mutable_annotations());
  out->set_log_path(in.log_path);
  out->set_stdin(in.stdin);
  out->set_stdin_once(in.stdin_once);
  out->set_tty(in.tty);
  auto* linux = out->mutable_linux();
  if (in.linux.resources) ToProto(*in.linux.resources, linux->mutable_resources());
  if (in.linux.security_context) {
    const auto& sc = *in.linux.security_context;
    auto* psc = linux->mutable_security_context();
    if (sc.capabilities) {
      auto* caps = psc->mutable_capabilities();
      for (const auto& c : sc.capabilities->add) caps->add_add_capabilities(c);
      for (const auto& c : sc.capabilities->drop) caps->add_drop_capabilities(c);
      for (const auto& c : sc.capabilities->add_ambient) caps->add_add_ambient_capabilities(c);
    }
    psc->set_privileged(sc.privileged);
    ToProto(sc.namespace_options, psc->mutable_namespace_options());
    if (sc.selinux_options) ToProto(*sc.selinux_options, psc->mutable_selinux_options());
    if (sc.run_as_user) psc->mutable_run_as_user()->set_value(*sc.run_as_user);
    if (sc.run_as_group) psc->mutable_run_as_group()->set_value(*sc.run_as_group);
    psc->set_run_as_username(sc.run_as_username);
    psc->set_readonly_rootfs(sc.readonly_rootfs);
    for (int64_t g : sc.supplemental_groups) psc->add_supplemental_groups(g);
    psc->set_no_new_privs(sc.no_new_privs);
    for (const auto& p : sc.masked_paths) psc->add_masked_paths(p);
    for (const auto& p : sc.readonly_paths) psc->add_readonly_paths(p);
    if (sc.seccomp) ToProto(*sc.seccomp, psc->mutable_seccomp());
    if (sc.apparmor) ToProto(*sc.apparmor, psc->mutable_apparmor());
  }
}

ContainerConfig FromProto(const pb::ContainerConfig& in) {
  ContainerConfig out;
  out.metadata = FromProto(in.metadata());
  out.image = FromProto(in.image());
  out.command = ToVector(in.command());
  out.args = ToVector(in.args());
  out.working_dir = in.working_dir();
  for (const auto& e : in.envs()) out.envs.push_back({e.key(), e.value()});
  for (const auto& m : in.mounts()) out.mounts.push_back(FromProto(m));
  for (const auto& d : in.devices()) out.devices.push_back({d.container_path(), d.host_path(), d.permissions()});
  out.labels = ToMap(in.labels());
  out.annotations = ToMap(in.annotations());
  out.log_path = in.log_path();
  out.stdin = in.stdin();
  out.stdin_once = in.stdin_once();
  out.tty = in.tty();
  if (in.linux().has_resources()) out.linux.resources = FromProto(in.linux().resources());
  if (in.linux().has_security_context()) {
    const auto& psc = in.linux().security_context();
    LinuxContainerSecurityContext sc;
    if (psc.has_capabilities()) {
      sc.capabilities = Capabilities{ToVector(psc.capabilities().add_capabilities()),
                                     ToVector(psc.capabilities().drop_capabilities()),
                                     ToVector(psc.capabilities().add_ambient_capabilities())};
    }
    sc.privileged = psc.privileged();
    sc.namespace_options = FromProto(psc.namespace_options());
    if (psc.has_run_as_user()) sc.run_as_user = psc.run_as_user().value();
    if (psc.has_run_as_group()) sc.run_as_group = psc.run_as_group().value();
    sc.run_as_username = psc.run_as_username();
    sc.readonly_rootfs = psc.readonly_rootfs();
    sc.supplemental_groups.assign(psc.supplemental_groups().begin(), psc.supplemental_groups().end());
    sc.no_new_privs = psc.no_new_privs();
    sc.masked_paths = ToVector(psc.masked_paths());
    sc.readonly_paths = ToVector(psc.readonly_paths());
    if (psc.has_seccomp()) sc.seccomp = FromProto(psc.seccomp());
    if (psc.has_apparmor()) sc.apparmor = FromProto(psc.apparmor());
    out.linux.security_context = std::move(sc);
  }
  return out;
}

void ToProto(const PodSandboxFilter& in, pb::PodSandboxFilter* out) {
  out->set_id(in.id);
  if (in.state) out->mutable_state()->set_state(static_cast<pb::PodSandboxState>(*in.state));
  CopyMap(in.label_selector, out->mutable_label_selector());
}

void ToProto(const ContainerFilter& in, pb::ContainerFilter* out) {
  out->set_id(in.id);
  if (in.state) out->mutable_state()->set_state(static_cast<pb::ContainerState>(*in.state));
  out->set_pod_sandbox_id(in.pod_sandbox_id);
  CopyMap(in.label_selector, out->mutable_label_selector());
}

void ToProto(const AuthConfig& in, pb::AuthConfig* out) {
  out->set_username(in.username);
  out->set_password(in.password);
  out->set_auth(in.auth);
  out->set_server_address(in.server_address);
  out->set_identity_token(in.identity_token);
  out->set_registry_token(in.registry_token);
}

PodSandboxStatus FromProto(const pb::PodSandboxStatus& in) {
  PodSandboxStatus out;
  out.id = in.id();
  out.metadata = FromProto(in.metadata());
  out.state = static_cast<PodSandboxState>(in.state());
  out.created_at = in.created_at();
  out.ip = in.network().ip();
  for (const auto& ip : in.network().additional_ips()) out.additional_ips.push_back(ip.ip());
  if (in.linux().namespaces().has_options()) {
    out.namespace_options = FromProto(in.linux().namespaces().options());
  }
  out.labels = ToMap(in.labels());
  out.annotations = ToMap(in.annotations());
  out.runtime_handler = in.runtime_handler();
  return out;
}

PodSandbox FromProto(const pb::PodSandbox& in) {
  return PodSandbox{in.id(), FromProto(in.metadata()), static_cast<PodSandboxState>(in.state()),
                    in.created_at(), ToMap(in.labels()), ToMap(in.annotations()),
                    in.runtime_handler()};
}

Container FromProto(const pb::Container& in) {
  return Container{in.id(), in.pod_sandbox_id(), FromProto(in.metadata()), FromProto(in.image()),
                   in.image_ref(), static_cast<ContainerState>(in.state()), in.created_at(),
                   ToMap(in.labels()), ToMap(in.annotations()), in.image_id()};
}

ContainerStatus FromProto(const pb::ContainerStatus& in) {
  ContainerStatus out;
  out.id = in.id();
  out.metadata = FromProto(in.metadata());
  out.state = static_cast<ContainerState>(in.state());
  out.created_at = in.created_at();
  out.started_at = in.started_at();
  out.finished_at = in.finished_at();
  out.exit_code = in.exit_code();
  out.image = FromProto(in.image());
  out.image_ref = in.image_ref();
  out.reason = in.reason();
  out.message = in.message();
  out.labels = ToMap(in.labels());
  out.annotations = ToMap(in.annotations());
  for (const auto& m : in.mounts()) out.mounts.push_back(FromProto(m));
  out.log_path = in.log_path();
  if (in.resources().has_linux()) out.resources = FromProto(in.resources().linux());
  out.image_id = in.image_id();
  return out;
}

FilesystemUsage FromProto(const pb::FilesystemUsage& in) {
  return FilesystemUsage{in.timestamp(), in.fs_id().mountpoint(),
                         Value(in.has_used_bytes(), in.used_bytes()),
                         Value(in.has_inodes_used(), in.inodes_used())};
}

ContainerStats FromProto(const pb::ContainerStats& in) {
  ContainerStats out;
  out.id = in.attributes().id();
  out.metadata = FromProto(in.attributes().metadata());
  out.labels = ToMap(in.attributes().labels());
  out.annotations = ToMap(in.attributes().annotations());
  if (in.has_cpu()) out.cpu = FromProto(in.cpu());
  if (in.has_memory()) out.memory = FromProto(in.memory());
  if (in.has_writable_layer()) out.writable_layer = FromProto(in.writable_layer());
  return out;
}

PodSandboxStats FromProto(const pb::PodSandboxStats& in) {
  PodSandboxStats out;
  out.id = in.attributes().id();
  out.metadata = FromProto(in.attributes().metadata());
  out.labels = ToMap(in.attributes().labels());
  out.annotations = ToMap(in.attributes().annotations());
  const auto& linux = in.linux();
  if (linux.has_cpu()) out.cpu = FromProto(linux.cpu());
  if (linux.has_memory()) out.memory = FromProto(linux.memory());
  if (linux.network().has_default_interface()) {
    const auto& i = linux.network().default_interface();
    out.network_default_interface =
        NetworkInterfaceUsage{i.name(), Value(i.has_rx_bytes(), i.rx_bytes()),
                              Value(i.has_rx_errors(), i.rx_errors()),
                              Value(i.has_tx_bytes(), i.tx_bytes()),
                              Value(i.has_tx_errors(), i.tx_errors())};
  }
  if (linux.process().has_process_count()) out.process_count = linux.process().process_count().value();
  for (const auto& c : linux.containers()) out.containers.push_back(FromProto(c));
  return out;
}

Image FromProto(const pb::Image& in) {
  Image out;
  out.id = in.id();
  out.repo_tags = ToVector(in.repo_tags());
  out.repo_digests = ToVector(in.repo_digests());
  out.size = in.size();
  if (in.has_uid()) out.uid = in.uid().value();
  out.username = in.username();
  out.pinned = in.pinned();
  return out;
}

}  // namespace cubelet::cri::internal

namespace cubelet::cri {

const char* ToString(ContainerState state) {
  switch (state) {
    case ContainerState::kCreated: return "CONTAINER_CREATED";
    case ContainerState::kRunning: return "CONTAINER_RUNNING";
    case ContainerState::kExited: return "CONTAINER_EXITED";
    case ContainerState::kUnknown: return "CONTAINER_UNKNOWN";
  }
  return "CONTAINER_UNKNOWN";
}

const char* ToString(PodSandboxState state) {
  return state == PodSandboxState::kReady ? "SANDBOX_READY" : "SANDBOX_NOTREADY";
}

}  // namespace cubelet::cri
