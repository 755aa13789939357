// Owns: cubelet's typed model of the Kubernetes core/v1 objects the node agent reads and
// writes (Pod, PodSpec, Container, PodStatus, ...), with upstream's field names.
// Does not own: encoding (json_codec.h) or defaulting and validation (defaults.h, validation.h).
//
// Every struct that is a JSON object keeps the members the model does not know (`unknown`), so
// a decoded pod is written back whole, each unknown field in the object where it appeared.
// Structs compare with ==, member by member (unknown fields included).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
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

// The members of one JSON object that the model does not know, in the order they were written,
// each value as compact JSON text. The codec writes them back after the known fields.
struct UnknownFields {
  std::vector<std::pair<std::string, std::string>> members;
  bool empty() const { return members.empty(); }
  bool operator==(const UnknownFields&) const = default;
};

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
  UnknownFields unknown = {};
  bool operator==(const ObjectMeta&) const = default;
};

struct ContainerPort {
  std::string name;
  int32_t host_port = 0;
  int32_t container_port = 0;
  std::string protocol = "TCP";
  std::string host_ip;
  UnknownFields unknown = {};
  bool operator==(const ContainerPort&) const = default;
};

// What a change of one resource in place needs (upstream ContainerResizePolicy).
struct ContainerResizePolicy {
  std::string resource_name;   // cpu, memory
  std::string restart_policy;  // NotRequired (the default), RestartContainer
  UnknownFields unknown = {};
  bool operator==(const ContainerResizePolicy&) const = default;
};

struct ObjectFieldSelector {
  std::string api_version = "v1";
  std::string field_path;
  UnknownFields unknown = {};
  bool operator==(const ObjectFieldSelector&) const = default;
};

struct ResourceFieldSelector {
  std::string container_name;
  std::string resource;
  std::optional<Quantity> divisor;
  UnknownFields unknown = {};
  bool operator==(const ResourceFieldSelector&) const = default;
};

struct EnvVarSource {
  std::optional<ObjectFieldSelector> field_ref;
  std::optional<ResourceFieldSelector> resource_field_ref;
  // Derived when decoding (not a field of its own): configMapKeyRef or secretKeyRef is among the
  // unknown members, a reference that needs the API server.
  bool has_other_source = false;
  UnknownFields unknown = {};
  bool operator==(const EnvVarSource&) const = default;
};

struct EnvVar {
  std::string name;
  std::string value;
  std::optional<EnvVarSource> value_from;
  UnknownFields unknown = {};
  bool operator==(const EnvVar&) const = default;
};

struct ResourceRequirements {
  ResourceList limits;
  ResourceList requests;
  UnknownFields unknown = {};
  bool operator==(const ResourceRequirements&) const = default;
};

struct VolumeMount {
  std::string name;
  bool read_only = false;
  std::string mount_path;
  std::string sub_path;
  std::string mount_propagation;  // None, HostToContainer, Bidirectional
  UnknownFields unknown = {};
  bool operator==(const VolumeMount&) const = default;
};

struct IntOrString {
  bool is_string = false;
  int32_t int_value = 0;
  std::string str_value;
  bool operator==(const IntOrString&) const = default;
};

struct HttpHeader {
  std::string name;
  std::string value;
  UnknownFields unknown = {};
  bool operator==(const HttpHeader&) const = default;
};

struct ExecAction {
  std::vector<std::string> command;
  UnknownFields unknown = {};
  bool operator==(const ExecAction&) const = default;
};

struct HttpGetAction {
  std::string path;
  IntOrString port;
  std::string host;
  std::string scheme = "HTTP";
  std::vector<HttpHeader> http_headers;
  UnknownFields unknown = {};
  bool operator==(const HttpGetAction&) const = default;
};

struct TcpSocketAction {
  IntOrString port;
  std::string host;
  UnknownFields unknown = {};
  bool operator==(const TcpSocketAction&) const = default;
};

struct GrpcAction {
  int32_t port = 0;
  std::optional<std::string> service;
  UnknownFields unknown = {};
  bool operator==(const GrpcAction&) const = default;
};

struct SleepAction {
  int64_t seconds = 0;
  UnknownFields unknown = {};
  bool operator==(const SleepAction&) const = default;
};

// Not an object of its own: its fields are written inline in the Probe.
struct ProbeHandler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;
  std::optional<GrpcAction> grpc;
  bool operator==(const ProbeHandler&) const = default;
};

struct Probe {
  ProbeHandler handler;
  int32_t initial_delay_seconds = 0;
  int32_t timeout_seconds = 1;
  int32_t period_seconds = 10;
  int32_t success_threshold = 1;
  int32_t failure_threshold = 3;
  std::optional<int64_t> termination_grace_period_seconds;
  UnknownFields unknown = {};
  bool operator==(const Probe&) const = default;
};

struct LifecycleHandler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;
  std::optional<SleepAction> sleep;
  UnknownFields unknown = {};
  bool operator==(const LifecycleHandler&) const = default;
};

struct Lifecycle {
  std::optional<LifecycleHandler> post_start;
  std::optional<LifecycleHandler> pre_stop;
  UnknownFields unknown = {};
  bool operator==(const Lifecycle&) const = default;
};

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
  UnknownFields unknown = {};
  bool operator==(const Capabilities&) const = default;
};

struct SeccompProfile {
  std::string type;  // RuntimeDefault, Unconfined, Localhost
  std::string localhost_profile;
  UnknownFields unknown = {};
  bool operator==(const SeccompProfile&) const = default;
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
  UnknownFields unknown = {};
  bool operator==(const SecurityContext&) const = default;
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
  UnknownFields unknown = {};
  bool operator==(const Container&) const = default;
};

struct EmptyDirVolumeSource {
  std::string medium;  // "" or "Memory"
  std::optional<Quantity> size_limit;
  UnknownFields unknown = {};
  bool operator==(const EmptyDirVolumeSource&) const = default;
};

struct HostPathVolumeSource {
  std::string path;
  std::string type;  // "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice
  UnknownFields unknown = {};
  bool operator==(const HostPathVolumeSource&) const = default;
};

struct Volume {
  std::string name;
  std::optional<EmptyDirVolumeSource> empty_dir;
  std::optional<HostPathVolumeSource> host_path;
  // Derived when decoding (not a field of its own): the key of the first volume source among the
  // unknown members, one cubelet does not implement; empty when there is none.
  std::string other_source;
  UnknownFields unknown = {};
  bool operator==(const Volume&) const = default;
};

struct PodDnsConfigOption {
  std::string name;
  std::optional<std::string> value;
  UnknownFields unknown = {};
  bool operator==(const PodDnsConfigOption&) const = default;
};

struct PodDnsConfig {
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<PodDnsConfigOption> options;
  UnknownFields unknown = {};
  bool operator==(const PodDnsConfig&) const = default;
};

struct HostAlias {
  std::string ip;
  std::vector<std::string> hostnames;
  UnknownFields unknown = {};
  bool operator==(const HostAlias&) const = default;
};

struct Sysctl {
  std::string name;
  std::string value;
  UnknownFields unknown = {};
  bool operator==(const Sysctl&) const = default;
};

struct PodSecurityContext {
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::vector<int64_t> supplemental_groups;
  std::optional<int64_t> fs_group;
  std::vector<Sysctl> sysctls;
  std::optional<SeccompProfile> seccomp_profile;
  UnknownFields unknown = {};
  bool operator==(const PodSecurityContext&) const = default;
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
  UnknownFields unknown = {};
  bool operator==(const PodSpec&) const = default;
};

// ---- status ----

struct ContainerStateWaiting {
  std::string reason;
  std::string message;
  UnknownFields unknown = {};
  bool operator==(const ContainerStateWaiting&) const = default;
};

struct ContainerStateRunning {
  absl::Time started_at;
  UnknownFields unknown = {};
  bool operator==(const ContainerStateRunning&) const = default;
};

struct ContainerStateTerminated {
  int32_t exit_code = 0;
  int32_t signal = 0;
  std::string reason;
  std::string message;
  std::optional<absl::Time> started_at;
  std::optional<absl::Time> finished_at;
  std::string container_id;
  UnknownFields unknown = {};
  bool operator==(const ContainerStateTerminated&) const = default;
};

// Exactly one member is set in a reported state; all unset means "no state" ({}).
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;
  std::optional<ContainerStateRunning> running;
  std::optional<ContainerStateTerminated> terminated;
  UnknownFields unknown = {};
  bool operator==(const ContainerState&) const = default;
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
  UnknownFields unknown = {};
  bool operator==(const ContainerStatus&) const = default;
};

struct PodCondition {
  std::string type;
  std::string status;  // True, False, Unknown
  std::optional<absl::Time> last_probe_time;
  std::optional<absl::Time> last_transition_time;
  std::string reason;
  std::string message;
  UnknownFields unknown = {};
  bool operator==(const PodCondition&) const = default;
};

struct PodIP {
  std::string ip;
  UnknownFields unknown = {};
  bool operator==(const PodIP&) const = default;
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
  UnknownFields unknown = {};
  bool operator==(const PodStatus&) const = default;
};

struct Pod {
  std::string api_version = "v1";
  std::string kind = "Pod";
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
  UnknownFields unknown = {};
  bool operator==(const Pod&) const = default;
};

// "<namespace>/<name>", the key upstream's logs use for a pod.
inline std::string PodKey(const Pod& pod) { return pod.metadata.namespace_ + "/" + pod.metadata.name; }

// upstream kubecontainer.GetPodFullName: "<name>_<namespace>", unique among a node's pods.
inline std::string PodFullName(const Pod& pod) { return pod.metadata.name + "_" + pod.metadata.namespace_; }

// Which source gave the kubelet a pod ("file", "http", "api"); set by the pod sources.
inline constexpr char kConfigSourceAnnotation[] = "kubernetes.io/config.source";

// upstream kubetypes.IsStaticPod: a pod from a source other than the API server.
inline bool IsStaticPod(const Pod& pod) {
  auto it = pod.metadata.annotations.find(kConfigSourceAnnotation);
  return it != pod.metadata.annotations.end() && it->second != "api";
}

}  // namespace cubelet::api
