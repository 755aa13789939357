// Owns: cubelet's own model of the CRI v1 objects (sandboxes, containers, images, stats), so
// that no layer above cri/ ever sees a protobuf type.
// Does not own: the wire format (cri/proto/api.proto) or the Kubernetes API model.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cubelet::cri {

using StringMap = std::map<std::string, std::string>;

struct VersionInfo {
  std::string version;              // CRI API version the runtime answered for, e.g. "0.1.0"
  std::string runtime_name;         // "containerd"
  std::string runtime_version;      // "1.6.20"
  std::string runtime_api_version;  // "v1"
};

struct RuntimeCondition {
  std::string type;  // "RuntimeReady", "NetworkReady"
  bool status = false;
  std::string reason;
  std::string message;
};

struct RuntimeStatus {
  std::vector<RuntimeCondition> conditions;
  StringMap info;
};

struct DnsConfig {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;
};

enum class Protocol { kTcp, kUdp, kSctp };

struct PortMapping {
  Protocol protocol = Protocol::kTcp;
  int32_t container_port = 0;
  int32_t host_port = 0;
  std::string host_ip;
};

enum class MountPropagation { kPrivate, kHostToContainer, kBidirectional };

struct Mount {
  std::string container_path;
  std::string host_path;
  bool readonly = false;
  bool selinux_relabel = false;
  MountPropagation propagation = MountPropagation::kPrivate;
};

enum class NamespaceMode { kPod, kContainer, kNode, kTarget };

struct NamespaceOption {
  NamespaceMode network = NamespaceMode::kPod;
  NamespaceMode pid = NamespaceMode::kPod;
  NamespaceMode ipc = NamespaceMode::kPod;
  std::string target_id;
};

struct SelinuxOption {
  std::string user;
  std::string role;
  std::string type;
  std::string level;
};

struct SecurityProfile {
  enum class Type { kRuntimeDefault, kUnconfined, kLocalhost };
  Type type = Type::kRuntimeDefault;
  std::string localhost_ref;  // absolute path of the profile, for kLocalhost
};

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
  std::vector<std::string> add_ambient;
};

struct HugepageLimit {
  std::string page_size;  // "2MB", "1GB"
  uint64_t limit = 0;
};

// Zero means "not specified" for every number, as in the CRI.
struct LinuxContainerResources {
  int64_t cpu_period = 0;
  int64_t cpu_quota = 0;
  int64_t cpu_shares = 0;
  int64_t memory_limit_in_bytes = 0;
  int64_t oom_score_adj = 0;
  std::string cpuset_cpus;
  std::string cpuset_mems;
  std::vector<HugepageLimit> hugepage_limits;
  StringMap unified;  // cgroup v2 files
  int64_t memory_swap_limit_in_bytes = 0;
};

struct LinuxSandboxSecurityContext {
  NamespaceOption namespace_options;
  std::optional<SelinuxOption> selinux_options;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  bool readonly_rootfs = false;
  std::vector<int64_t> supplemental_groups;
  bool privileged = false;
  std::optional<SecurityProfile> seccomp;
  std::optional<SecurityProfile> apparmor;
};

struct LinuxPodSandboxConfig {
  std::string cgroup_parent;
  LinuxSandboxSecurityContext security_context;
  StringMap sysctls;
  std::optional<LinuxContainerResources> overhead;
  std::optional<LinuxContainerResources> resources;
};

struct PodSandboxMetadata {
  std::string name;
  std::string uid;
  std::string namespace_;
  uint32_t attempt = 0;
};

struct PodSandboxConfig {
  PodSandboxMetadata metadata;
  std::string hostname;
  std::string log_directory;
  std::optional<DnsConfig> dns_config;
  std::vector<PortMapping> port_mappings;
  StringMap labels;
  StringMap annotations;
  LinuxPodSandboxConfig linux;
};

enum class PodSandboxState { kReady, kNotReady };

struct PodSandboxStatus {
  std::string id;
  PodSandboxMetadata metadata;
  PodSandboxState state = PodSandboxState::kNotReady;
  int64_t created_at = 0;  // nanoseconds since the epoch
  std::string ip;          // empty for host-network sandboxes
  std::vector<std::string> additional_ips;
  std::optional<NamespaceOption> namespace_options;
  StringMap labels;
  StringMap annotations;
  std::string runtime_handler;
};

struct PodSandbox {
  std::string id;
  PodSandboxMetadata metadata;
  PodSandboxState state = PodSandboxState::kNotReady;
  int64_t created_at = 0;
  StringMap labels;
  StringMap annotations;
  std::string runtime_handler;
};

// All set fields must match (AND); label_selector matches labels exactly.
struct PodSandboxFilter {
  std::string id;
  std::optional<PodSandboxState> state;
  StringMap label_selector;
};

struct ImageSpec {
  std::string image;
  StringMap annotations;
  std::string user_specified_image;
  std::string runtime_handler;
};

struct LinuxContainerSecurityContext {
  std::optional<Capabilities> capabilities;
  bool privileged = false;
  NamespaceOption namespace_options;
  std::optional<SelinuxOption> selinux_options;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::string run_as_username;
  bool readonly_rootfs = false;
  std::vector<int64_t> supplemental_groups;
  bool no_new_privs = false;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::optional<SecurityProfile> seccomp;
  std::optional<SecurityProfile> apparmor;
};

struct LinuxContainerConfig {
  std::optional<LinuxContainerResources> resources;
  std::optional<LinuxContainerSecurityContext> security_context;
};

struct ContainerMetadata {
  std::string name;
  uint32_t attempt = 0;
};

struct Device {
  std::string container_path;
  std::string host_path;
  std::string permissions;
};

struct KeyValue {
  std::string key;
  std::string value;
};

struct ContainerConfig {
  ContainerMetadata metadata;
  ImageSpec image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<KeyValue> envs;
  std::vector<Mount> mounts;
  std::vector<Device> devices;
  StringMap labels;
  StringMap annotations;
  std::string log_path;  // relative to the sandbox's log_directory
  bool stdin = false;
  bool stdin_once = false;
  bool tty = false;
  LinuxContainerConfig linux;
};

enum class ContainerState { kCreated, kRunning, kExited, kUnknown };

struct ContainerFilter {
  std::string id;
  std::optional<ContainerState> state;
  std::string pod_sandbox_id;
  StringMap label_selector;
};

struct Container {
  std::string id;
  std::string pod_sandbox_id;
  ContainerMetadata metadata;
  ImageSpec image;
  std::string image_ref;
  ContainerState state = ContainerState::kUnknown;
  int64_t created_at = 0;
  StringMap labels;
  StringMap annotations;
  std::string image_id;
};

struct ContainerStatus {
  std::string id;
  ContainerMetadata metadata;
  ContainerState state = ContainerState::kUnknown;
  int64_t created_at = 0;   // nanoseconds since the epoch
  int64_t started_at = 0;   // 0: not started
  int64_t finished_at = 0;  // 0: not finished
  int32_t exit_code = 0;
  ImageSpec image;
  std::string image_ref;
  std::string reason;  // "Completed", "Error", "OOMKilled", ...
  std::string message;
  StringMap labels;
  StringMap annotations;
  std::vector<Mount> mounts;
  std::string log_path;
  std::optional<LinuxContainerResources> resources;
  std::string image_id;
};

struct ExecSyncResult {
  std::string stdout_data;
  std::string stderr_data;
  int32_t exit_code = 0;
};

struct ExecRequest {
  std::string container_id;
  std::vector<std::string> cmd;
  bool tty = false;
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;
};

struct AttachRequest {
  std::string container_id;
  bool stdin = false;
  bool tty = false;
  bool stdout = true;
  bool stderr = true;
};

// ---- stats ----

struct CpuUsage {
  int64_t timestamp = 0;
  std::optional<uint64_t> usage_core_nano_seconds;
  std::optional<uint64_t> usage_nano_cores;
};

struct MemoryUsage {
  int64_t timestamp = 0;
  std::optional<uint64_t> working_set_bytes;
  std::optional<uint64_t> available_bytes;
  std::optional<uint64_t> usage_bytes;
  std::optional<uint64_t> rss_bytes;
  std::optional<uint64_t> page_faults;
  std::optional<uint64_t> major_page_faults;
};

struct FilesystemUsage {
  int64_t timestamp = 0;
  std::string mountpoint;
  std::optional<uint64_t> used_bytes;
  std::optional<uint64_t> inodes_used;
};

struct ContainerStats {
  std::string id;
  ContainerMetadata metadata;
  StringMap labels;
  StringMap annotations;
  std::optional<CpuUsage> cpu;
  std::optional<MemoryUsage> memory;
  std::optional<FilesystemUsage> writable_layer;
};

struct ContainerStatsFilter {
  std::string id;
  std::string pod_sandbox_id;
  StringMap label_selector;
};

struct NetworkInterfaceUsage {
  std::string name;
  std::optional<uint64_t> rx_bytes;
  std::optional<uint64_t> rx_errors;
  std::optional<uint64_t> tx_bytes;
  std::optional<uint64_t> tx_errors;
};

struct PodSandboxStats {
  std::string id;
  PodSandboxMetadata metadata;
  StringMap labels;
  StringMap annotations;
  std::optional<CpuUsage> cpu;
  std::optional<MemoryUsage> memory;
  std::optional<NetworkInterfaceUsage> network_default_interface;
  std::optional<uint64_t> process_count;
  std::vector<ContainerStats> containers;
};

struct PodSandboxStatsFilter {
  std::string id;
  StringMap label_selector;
};

// ---- images ----

struct Image {
  std::string id;
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  uint64_t size = 0;
  std::optional<int64_t> uid;  // the image's numeric user, when it names one
  std::string username;        // the image's user name, when not numeric
  bool pinned = false;
};

struct AuthConfig {
  std::string username;
  std::string password;
  std::string auth;
  std::string server_address;
  std::string identity_token;
  std::string registry_token;
};

struct ImageFsInfo {
  std::vector<FilesystemUsage> image_filesystems;
  std::vector<FilesystemUsage> container_filesystems;
};

const char* ToString(ContainerState state);
const char* ToString(PodSandboxState state);

}  // namespace cubelet::cri
