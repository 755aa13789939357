// Owns: cubelet's typed model of the Kubernetes core/v1 objects the node agent reads and
// writes (Pod, PodSpec, Container, PodStatus, ...), with upstream's field names.
// Does not own: encoding (json_codec.h) or defaulting and validation (defaults.h, validation.h).
//
// A Pod keeps the JSON it was decoded from (`raw`), so that fields cubelet does not model are
// written back unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "api/quantity.h"

namespace cubelet::api {

using StringMap = std::map<std::string, std::string>;
using ResourceList = std::map<std::string, Quantity>;

// `name`'s quantity in `list` in thousandths, or in whole units rounded up; 0 when absent.
inline int64_t MilliValueOf(const ResourceList& list, const std::string& name) {
  auto it = list.find(name);
  return it == list.end() ? 0 : it->second.MilliValue();
}
inline int64_t ValueOf(const ResourceList& list, const std::string& name) {
  auto it = list.find(name);
  return it == list.end() ? 0 : it->second.Value();
}

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  StringMap labels;
  StringMap annotations;
  std::optional<absl::Time> creation_timestamp;
  std::optional<absl::Time> deletion_timestamp;
  std::optional<int64_t> deletion_grace_period_seconds;
};

struct ContainerPort {
  std::string name;
  int32_t host_port = 0;
  int32_t container_port = 0;
  std::string protocol = "TCP";
  std::string host_ip;
};

// What a change of one resource in place needs (upstream ContainerResizePolicy).
struct ContainerResizePolicy {
  std::string resource_name;   // cpu, memory
  std::string restart_policy;  // NotRequired (the default), RestartContainer
};

struct ObjectFieldSelector {
  std::string api_version = "v1";
  std::string field_path;
};

struct ResourceFieldSelector {
  std::string container_name;
  std::string resource;
  std::optional<Quantity> divisor;
};

struct EnvVarSource {
  std::optional<ObjectFieldSelector> field_ref;
  std::optional<ResourceFieldSelector> resource_field_ref;
  bool has_other_source = false;  // configMapKeyRef / secretKeyRef: needs the API server
};

struct EnvVar {
  std::string name;
  std::string value;
  std::optional<EnvVarSource> value_from;
};

struct ResourceRequirements {
  ResourceList limits;
  ResourceList requests;
};

struct VolumeMount {
  std::string name;
  bool read_only = false;
  std::string mount_path;
  std::string sub_path;
  std::string mount_propagation;  // None, HostToContainer, Bidirectional
};

struct IntOrString {
  bool is_string = false;
  int32_t int_value = 0;
  std::string str_value;
};

struct HttpHeader {
  std::string name;
  std::string value;
};

struct ExecAction {
  std::vector<std::string> command;
};

struct HttpGetAction {
  std::string path;
  IntOrString port;
  std::string host;
  std::string scheme = "HTTP";
  std::vector<HttpHeader> http_headers;
};

struct TcpSocketAction {
  IntOrString port;
  std::string host;
};

struct GrpcAction {
  int32_t port = 0;
  std::optional<std::string> service;
};

struct SleepAction {
  int64_t seconds = 0;
};

struct ProbeHandler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;
  std::optional<GrpcAction> grpc;
};

struct Probe {
  ProbeHandler handler;
  int32_t initial_delay_seconds = 0;
  int32_t timeout_seconds = 1;
  int32_t period_seconds = 10;
  int32_t success_threshold = 1;
  int32_t failure_threshold = 3;
  std::optional<int64_t> termination_grace_period_seconds;
};

struct LifecycleHandler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;
  std::optional<SleepAction> sleep;
};

struct Lifecycle {
  std::optional<LifecycleHandler> post_start;
  std::optional<LifecycleHandler> pre_stop;
};

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
};

struct SeccompProfile {
  std::string type;  // RuntimeDefault, Unconfined, Localhost
  std::string localhost_profile;
};

struct SecurityContext {
  std::optional<Capabilities> capabilities;
  std::optional<bool> privileged;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::optional<bool> read_only_root_filesystem;
  std::optional<bool> allow_privilege_escalation;
  std::string proc_mount;
  std::optional<SeccompProfile> seccomp_profile;
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<ContainerPort> ports;
  std::vector<EnvVar> env;
  ResourceRequirements resources;
  std::vector<VolumeMount> volume_mounts;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> startup_probe;
  std::optional<Lifecycle> lifecycle;
  std::string termination_message_path;    // defaulted to /dev/termination-log
  std::string termination_message_policy;  // defaulted to File
  std::string image_pull_policy;           // defaulted by tag
  std::optional<SecurityContext> security_context;
  bool stdin = false;
  bool stdin_once = false;
  bool tty = false;
  std::string restart_policy;  // "Always" marks a sidecar init container
  std::vector<ContainerResizePolicy> resize_policy;
};

struct EmptyDirVolumeSource {
  std::string medium;  // "" or "Memory"
  std::optional<Quantity> size_limit;
};

struct HostPathVolumeSource {
  std::string path;
  std::string type;  // "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice
};

struct Volume {
  std::string name;
  std::optional<EmptyDirVolumeSource> empty_dir;
  std::optional<HostPathVolumeSource> host_path;
  std::string other_source;  // the key of a volume source cubelet does not implement, if any
};

struct PodDnsConfigOption {
  std::string name;
  std::optional<std::string> value;
};

struct PodDnsConfig {
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<PodDnsConfigOption> options;
};

struct HostAlias {
  std::string ip;
  std::vector<std::string> hostnames;
};

struct Sysctl {
  std::string name;
  std::string value;
};

struct PodSecurityContext {
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::vector<int64_t> supplemental_groups;
  std::optional<int64_t> fs_group;
  std::vector<Sysctl> sysctls;
  std::optional<SeccompProfile> seccomp_profile;
};

struct PodSpec {
  std::vector<Volume> volumes;
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  std::string restart_policy;  // Always, OnFailure, Never
  std::optional<int64_t> termination_grace_period_seconds;
  std::optional<int64_t> active_deadline_seconds;
  std::string dns_policy;  // ClusterFirst, ClusterFirstWithHostNet, Default, None
  std::string node_name;
  bool host_network = false;
  bool host_pid = false;
  bool host_ipc = false;
  std::optional<bool> share_process_namespace;
  std::optional<PodSecurityContext> security_context;
  std::string hostname;
  std::string subdomain;
  std::vector<HostAlias> host_aliases;
  std::optional<PodDnsConfig> dns_config;
  std::string scheduler_name;
  std::string priority_class_name;
  std::optional<int32_t> priority;
  std::optional<bool> enable_service_links;
  std::optional<bool> set_hostname_as_fqdn;
  std::string runtime_class_name;
};

// ---- status ----

struct ContainerStateWaiting {
  std::string reason;
  std::string message;
};

struct ContainerStateRunning {
  absl::Time started_at;
};

struct ContainerStateTerminated {
  int32_t exit_code = 0;
  int32_t signal = 0;
  std::string reason;
  std::string message;
  std::optional<absl::Time> started_at;
  std::optional<absl::Time> finished_at;
  std::string container_id;
};

// Exactly one member is set in a reported state; all unset means "no state" ({}).
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;
  std::optional<ContainerStateRunning> running;
  std::optional<ContainerStateTerminated> terminated;
};

struct ContainerStatus {
  std::string name;
  ContainerState state;
  ContainerState last_state;
  bool ready = false;
  int32_t restart_count = 0;
  std::string image;
  std::string image_id;
  std::string container_id;
  std::optional<bool> started;
};

struct PodCondition {
  std::string type;
  std::string status;  // True, False, Unknown
  std::optional<absl::Time> last_probe_time;
  std::optional<absl::Time> last_transition_time;
  std::string reason;
  std::string message;
};

struct PodIP {
  std::string ip;
};

struct PodStatus {
  std::string phase;  // Pending, Running, Succeeded, Failed, Unknown
  std::vector<PodCondition> conditions;
  std::string message;
  std::string reason;
  std::string host_ip;
  std::vector<PodIP> host_ips;
  std::string pod_ip;
  std::vector<PodIP> pod_ips;
  std::optional<absl::Time> start_time;
  std::vector<ContainerStatus> init_container_statuses;
  std::vector<ContainerStatus> container_statuses;
  std::string qos_class;
};

struct Pod {
  std::string api_version = "v1";
  std::string kind = "Pod";
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
  // The JSON the pod was decoded from; unknown fields are written back from it.
  std::shared_ptr<const std::string> raw;
};

// "<namespace>/<name>", the key upstream's logs use for a pod.
inline std::string PodKey(const Pod& pod) { return pod.metadata.namespace_ + "/" + pod.metadata.name; }

}  // namespace cubelet::api
