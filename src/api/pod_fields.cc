// The field tables of a Pod's metadata and spec: each field once, in upstream's order
// (k8s.io/api/core/v1/types.go), with upstream's omitempty. Omit::kNever marks fields upstream
// always writes, and fields the model defaults to something non-empty (so that an explicit
// empty value survives a round trip).
#include "api/pod_fields.h"

namespace cubelet::api::codec {
namespace {

// A JSON member that is null counts as absent, as in the API.
bool HasNonNullMember(const UnknownFields& unknown, std::string_view key) {
  for (const auto& [k, v] : unknown.members) {
    if (k == key && v != "null") return true;
  }
  return false;
}

void DeriveEnvVarSource(EnvVarSource& s) {
  s.has_other_source = HasNonNullMember(s.unknown, "configMapKeyRef") || HasNonNullMember(s.unknown, "secretKeyRef");
}

void DeriveVolume(Volume& v) {
  v.other_source.clear();
  for (const auto& [k, text] : v.unknown.members) {
    if (text != "null") {
      v.other_source = k;
      return;
    }
  }
}

Pod BlankPod() {
  Pod p;
  p.api_version.clear();  // absent stays absent: a manifest without apiVersion is an error
  p.kind.clear();
  return p;
}

}  // namespace

const ObjectCodec<ObjectMeta>& FieldsOf<ObjectMeta>::Get() {
  using T = ObjectMeta;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name),
      Field("generateName", &T::generate_name),
      Field("namespace", &T::namespace_),
      Field("uid", &T::uid),
      Field("resourceVersion", &T::resource_version),
      Field("generation", &T::generation),
      Field("creationTimestamp", &T::creation_timestamp, Omit::kNever),  // metav1.Time: null when unset
      Field("deletionTimestamp", &T::deletion_timestamp),
      Field("deletionGracePeriodSeconds", &T::deletion_grace_period_seconds),
      Field("labels", &T::labels),
      Field("annotations", &T::annotations),
  });
  return *codec;
}

const ObjectCodec<ContainerPort>& FieldsOf<ContainerPort>::Get() {
  using T = ContainerPort;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name),
      Field("hostPort", &T::host_port),
      Field("containerPort", &T::container_port, Omit::kNever),
      Field("protocol", &T::protocol, Omit::kNever),  // defaults to TCP
      Field("hostIP", &T::host_ip),
  });
  return *codec;
}

const ObjectCodec<ContainerResizePolicy>& FieldsOf<ContainerResizePolicy>::Get() {
  using T = ContainerResizePolicy;
  static const auto* codec = new ObjectCodec<T>({
      Field("resourceName", &T::resource_name, Omit::kNever),
      Field("restartPolicy", &T::restart_policy, Omit::kNever),
  });
  return *codec;
}

const ObjectCodec<ObjectFieldSelector>& FieldsOf<ObjectFieldSelector>::Get() {
  using T = ObjectFieldSelector;
  static const auto* codec = new ObjectCodec<T>({
      Field("apiVersion", &T::api_version, Omit::kNever),  // defaults to v1
      Field("fieldPath", &T::field_path, Omit::kNever),
  });
  return *codec;
}

const ObjectCodec<ResourceFieldSelector>& FieldsOf<ResourceFieldSelector>::Get() {
  using T = ResourceFieldSelector;
  static const auto* codec = new ObjectCodec<T>({
      Field("containerName", &T::container_name),
      Field("resource", &T::resource, Omit::kNever),
      Field("divisor", &T::divisor),
  });
  return *codec;
}

// configMapKeyRef and secretKeyRef are kept as unknown members (has_other_source says so).
const ObjectCodec<EnvVarSource>& FieldsOf<EnvVarSource>::Get() {
  using T = EnvVarSource;
  static const auto* codec = new ObjectCodec<T>(
      {
          Field("fieldRef", &T::field_ref),
          Field("resourceFieldRef", &T::resource_field_ref),
      },
      DeriveEnvVarSource);
  return *codec;
}

const ObjectCodec<EnvVar>& FieldsOf<EnvVar>::Get() {
  using T = EnvVar;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name, Omit::kNever),
      Field("value", &T::value),
      Field("valueFrom", &T::value_from),
  });
  return *codec;
}

const ObjectCodec<ResourceRequirements>& FieldsOf<ResourceRequirements>::Get() {
  using T = ResourceRequirements;
  static const auto* codec = new ObjectCodec<T>({
      Field("limits", &T::limits),
      Field("requests", &T::requests),
  });
  return *codec;
}

const ObjectCodec<VolumeMount>& FieldsOf<VolumeMount>::Get() {
  using T = VolumeMount;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name, Omit::kNever),
      Field("readOnly", &T::read_only),
      Field("mountPath", &T::mount_path, Omit::kNever),
      Field("subPath", &T::sub_path),
      Field("mountPropagation", &T::mount_propagation),
  });
  return *codec;
}

const ObjectCodec<HttpHeader>& FieldsOf<HttpHeader>::Get() {
  using T = HttpHeader;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name, Omit::kNever),
      Field("value", &T::value, Omit::kNever),
  });
  return *codec;
}

const ObjectCodec<ExecAction>& FieldsOf<ExecAction>::Get() {
  using T = ExecAction;
  static const auto* codec = new ObjectCodec<T>({Field("command", &T::command)});
  return *codec;
}

const ObjectCodec<HttpGetAction>& FieldsOf<HttpGetAction>::Get() {
  using T = HttpGetAction;
  static const auto* codec = new ObjectCodec<T>({
      Field("path", &T::path),
      Field("port", &T::port, Omit::kNever),
      Field("host", &T::host),
      Field("scheme", &T::scheme, Omit::kNever),  // defaults to HTTP
      Field("httpHeaders", &T::http_headers),
  });
  return *codec;
}

const ObjectCodec<TcpSocketAction>& FieldsOf<TcpSocketAction>::Get() {
  using T = TcpSocketAction;
  static const auto* codec = new ObjectCodec<T>({
      Field("port", &T::port, Omit::kNever),
      Field("host", &T::host),
  });
  return *codec;
}

const ObjectCodec<GrpcAction>& FieldsOf<GrpcAction>::Get() {
  using T = GrpcAction;
  static const auto* codec = new ObjectCodec<T>({
      Field("port", &T::port, Omit::kNever),
      Field("service", &T::service),
  });
  return *codec;
}

const ObjectCodec<SleepAction>& FieldsOf<SleepAction>::Get() {
  using T = SleepAction;
  static const auto* codec = new ObjectCodec<T>({Field("seconds", &T::seconds, Omit::kNever)});
  return *codec;
}

// The probe's thresholds default to non-zero values in the model, so they are always written
// (as upstream writes them once defaulted).
const ObjectCodec<Probe>& FieldsOf<Probe>::Get() {
  using T = Probe;
  static const auto* codec = new ObjectCodec<T>(Fields<T>({
      Inline(&T::handler, std::vector<FieldSpec<ProbeHandler>>{
                              Field("exec", &ProbeHandler::exec),
                              Field("httpGet", &ProbeHandler::http_get),
                              Field("tcpSocket", &ProbeHandler::tcp_socket),
                              Field("grpc", &ProbeHandler::grpc),
                          }),
      {
          Field("initialDelaySeconds", &T::initial_delay_seconds),
          Field("timeoutSeconds", &T::timeout_seconds, Omit::kNever),
          Field("periodSeconds", &T::period_seconds, Omit::kNever),
          Field("successThreshold", &T::success_threshold, Omit::kNever),
          Field("failureThreshold", &T::failure_threshold, Omit::kNever),
          Field("terminationGracePeriodSeconds", &T::termination_grace_period_seconds),
      },
  }));
  return *codec;
}

const ObjectCodec<LifecycleHandler>& FieldsOf<LifecycleHandler>::Get() {
  using T = LifecycleHandler;
  static const auto* codec = new ObjectCodec<T>({
      Field("exec", &T::exec),
      Field("httpGet", &T::http_get),
      Field("tcpSocket", &T::tcp_socket),
      Field("sleep", &T::sleep),
  });
  return *codec;
}

const ObjectCodec<Lifecycle>& FieldsOf<Lifecycle>::Get() {
  using T = Lifecycle;
  static const auto* codec = new ObjectCodec<T>({
      Field("postStart", &T::post_start),
      Field("preStop", &T::pre_stop),
  });
  return *codec;
}

const ObjectCodec<Capabilities>& FieldsOf<Capabilities>::Get() {
  using T = Capabilities;
  static const auto* codec = new ObjectCodec<T>({
      Field("add", &T::add),
      Field("drop", &T::drop),
  });
  return *codec;
}

const ObjectCodec<SeccompProfile>& FieldsOf<SeccompProfile>::Get() {
  using T = SeccompProfile;
  static const auto* codec = new ObjectCodec<T>({
      Field("type", &T::type, Omit::kNever),
      Field("localhostProfile", &T::localhost_profile),
  });
  return *codec;
}

const ObjectCodec<SecurityContext>& FieldsOf<SecurityContext>::Get() {
  using T = SecurityContext;
  static const auto* codec = new ObjectCodec<T>({
      Field("capabilities", &T::capabilities),
      Field("privileged", &T::privileged),
      Field("runAsUser", &T::run_as_user),
      Field("runAsGroup", &T::run_as_group),
      Field("runAsNonRoot", &T::run_as_non_root),
      Field("readOnlyRootFilesystem", &T::read_only_root_filesystem),
      Field("allowPrivilegeEscalation", &T::allow_privilege_escalation),
      Field("procMount", &T::proc_mount),
      Field("seccompProfile", &T::seccomp_profile),
  });
  return *codec;
}

const ObjectCodec<Container>& FieldsOf<Container>::Get() {
  using T = Container;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name, Omit::kNever),
      Field("image", &T::image),
      Field("command", &T::command),
      Field("args", &T::args),
      Field("workingDir", &T::working_dir),
      Field("ports", &T::ports),
      Field("env", &T::env),
      Field("resources", &T::resources, Omit::kNever),  // a struct upstream: {} when empty
      Field("resizePolicy", &T::resize_policy),
      Field("restartPolicy", &T::restart_policy),
      Field("volumeMounts", &T::volume_mounts),
      Field("livenessProbe", &T::liveness_probe),
      Field("readinessProbe", &T::readiness_probe),
      Field("startupProbe", &T::startup_probe),
      Field("lifecycle", &T::lifecycle),
      Field("terminationMessagePath", &T::termination_message_path),
      Field("terminationMessagePolicy", &T::termination_message_policy),
      Field("imagePullPolicy", &T::image_pull_policy),
      Field("securityContext", &T::security_context),
      Field("stdin", &T::stdin),
      Field("stdinOnce", &T::stdin_once),
      Field("tty", &T::tty),
  });
  return *codec;
}

const ObjectCodec<EmptyDirVolumeSource>& FieldsOf<EmptyDirVolumeSource>::Get() {
  using T = EmptyDirVolumeSource;
  static const auto* codec = new ObjectCodec<T>({
      Field("medium", &T::medium),
      Field("sizeLimit", &T::size_limit),
  });
  return *codec;
}

const ObjectCodec<HostPathVolumeSource>& FieldsOf<HostPathVolumeSource>::Get() {
  using T = HostPathVolumeSource;
  static const auto* codec = new ObjectCodec<T>({
      Field("path", &T::path, Omit::kNever),
      Field("type", &T::type),
  });
  return *codec;
}

// Sources other than hostPath and emptyDir are kept as unknown members (other_source names one).
const ObjectCodec<Volume>& FieldsOf<Volume>::Get() {
  using T = Volume;
  static const auto* codec = new ObjectCodec<T>(
      {
          Field("name", &T::name, Omit::kNever),
          Field("hostPath", &T::host_path),
          Field("emptyDir", &T::empty_dir),
      },
      DeriveVolume);
  return *codec;
}

const ObjectCodec<PodDnsConfigOption>& FieldsOf<PodDnsConfigOption>::Get() {
  using T = PodDnsConfigOption;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name),
      Field("value", &T::value),
  });
  return *codec;
}

const ObjectCodec<PodDnsConfig>& FieldsOf<PodDnsConfig>::Get() {
  using T = PodDnsConfig;
  static const auto* codec = new ObjectCodec<T>({
      Field("nameservers", &T::nameservers),
      Field("searches", &T::searches),
      Field("options", &T::options),
  });
  return *codec;
}

const ObjectCodec<HostAlias>& FieldsOf<HostAlias>::Get() {
  using T = HostAlias;
  static const auto* codec = new ObjectCodec<T>({
      Field("ip", &T::ip, Omit::kNever),
      Field("hostnames", &T::hostnames),
  });
  return *codec;
}

const ObjectCodec<Sysctl>& FieldsOf<Sysctl>::Get() {
  using T = Sysctl;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name, Omit::kNever),
      Field("value", &T::value, Omit::kNever),
  });
  return *codec;
}

const ObjectCodec<PodSecurityContext>& FieldsOf<PodSecurityContext>::Get() {
  using T = PodSecurityContext;
  static const auto* codec = new ObjectCodec<T>({
      Field("runAsUser", &T::run_as_user),
      Field("runAsGroup", &T::run_as_group),
      Field("runAsNonRoot", &T::run_as_non_root),
      Field("supplementalGroups", &T::supplemental_groups),
      Field("fsGroup", &T::fs_group),
      Field("sysctls", &T::sysctls),
      Field("seccompProfile", &T::seccomp_profile),
  });
  return *codec;
}

const ObjectCodec<PodSpec>& FieldsOf<PodSpec>::Get() {
  using T = PodSpec;
  static const auto* codec = new ObjectCodec<T>({
      Field("volumes", &T::volumes),
      Field("initContainers", &T::init_containers),
      Field("containers", &T::containers, Omit::kNever),
      Field("restartPolicy", &T::restart_policy),
      Field("terminationGracePeriodSeconds", &T::termination_grace_period_seconds),
      Field("activeDeadlineSeconds", &T::active_deadline_seconds),
      Field("dnsPolicy", &T::dns_policy),
      Field("nodeName", &T::node_name),
      Field("hostNetwork", &T::host_network),
      Field("hostPID", &T::host_pid),
      Field("hostIPC", &T::host_ipc),
      Field("shareProcessNamespace", &T::share_process_namespace),
      Field("securityContext", &T::security_context),
      Field("hostname", &T::hostname),
      Field("subdomain", &T::subdomain),
      Field("schedulerName", &T::scheduler_name),
      Field("hostAliases", &T::host_aliases),
      Field("priorityClassName", &T::priority_class_name),
      Field("priority", &T::priority),
      Field("dnsConfig", &T::dns_config),
      Field("runtimeClassName", &T::runtime_class_name),
      Field("enableServiceLinks", &T::enable_service_links),
      Field("setHostnameAsFQDN", &T::set_hostname_as_fqdn),
  });
  return *codec;
}

// Kind and apiVersion stay empty when absent (static pods report that), though a Pod built in
// code starts as v1/Pod.
const ObjectCodec<Pod>& FieldsOf<Pod>::Get() {
  using T = Pod;
  static const auto* codec = new ObjectCodec<T>(
      {
          Field("kind", &T::kind),
          Field("apiVersion", &T::api_version),
          Field("metadata", &T::metadata, Omit::kNever),
          Field("spec", &T::spec, Omit::kNever),
          Field("status", &T::status, Omit::kNever),
      },
      nullptr, BlankPod());
  return *codec;
}

absl::Status CheckFieldTables() {
  RETURN_IF_ERROR(FieldsOf<ObjectMeta>::Get().CheckOmitRules("ObjectMeta"));
  RETURN_IF_ERROR(FieldsOf<ContainerPort>::Get().CheckOmitRules("ContainerPort"));
  RETURN_IF_ERROR(FieldsOf<ContainerResizePolicy>::Get().CheckOmitRules("ContainerResizePolicy"));
  RETURN_IF_ERROR(FieldsOf<ObjectFieldSelector>::Get().CheckOmitRules("ObjectFieldSelector"));
  RETURN_IF_ERROR(FieldsOf<ResourceFieldSelector>::Get().CheckOmitRules("ResourceFieldSelector"));
  RETURN_IF_ERROR(FieldsOf<EnvVarSource>::Get().CheckOmitRules("EnvVarSource"));
  RETURN_IF_ERROR(FieldsOf<EnvVar>::Get().CheckOmitRules("EnvVar"));
  RETURN_IF_ERROR(FieldsOf<ResourceRequirements>::Get().CheckOmitRules("ResourceRequirements"));
  RETURN_IF_ERROR(FieldsOf<VolumeMount>::Get().CheckOmitRules("VolumeMount"));
  RETURN_IF_ERROR(FieldsOf<HttpHeader>::Get().CheckOmitRules("HttpHeader"));
  RETURN_IF_ERROR(FieldsOf<ExecAction>::Get().CheckOmitRules("ExecAction"));
  RETURN_IF_ERROR(FieldsOf<HttpGetAction>::Get().CheckOmitRules("HttpGetAction"));
  RETURN_IF_ERROR(FieldsOf<TcpSocketAction>::Get().CheckOmitRules("TcpSocketAction"));
  RETURN_IF_ERROR(FieldsOf<GrpcAction>::Get().CheckOmitRules("GrpcAction"));
  RETURN_IF_ERROR(FieldsOf<SleepAction>::Get().CheckOmitRules("SleepAction"));
  RETURN_IF_ERROR(FieldsOf<Probe>::Get().CheckOmitRules("Probe"));
  RETURN_IF_ERROR(FieldsOf<LifecycleHandler>::Get().CheckOmitRules("LifecycleHandler"));
  RETURN_IF_ERROR(FieldsOf<Lifecycle>::Get().CheckOmitRules("Lifecycle"));
  RETURN_IF_ERROR(FieldsOf<Capabilities>::Get().CheckOmitRules("Capabilities"));
  RETURN_IF_ERROR(FieldsOf<SeccompProfile>::Get().CheckOmitRules("SeccompProfile"));
  RETURN_IF_ERROR(FieldsOf<SecurityContext>::Get().CheckOmitRules("SecurityContext"));
  RETURN_IF_ERROR(FieldsOf<Container>::Get().CheckOmitRules("Container"));
  RETURN_IF_ERROR(FieldsOf<EmptyDirVolumeSource>::Get().CheckOmitRules("EmptyDirVolumeSource"));
  RETURN_IF_ERROR(FieldsOf<HostPathVolumeSource>::Get().CheckOmitRules("HostPathVolumeSource"));
  RETURN_IF_ERROR(FieldsOf<Volume>::Get().CheckOmitRules("Volume"));
  RETURN_IF_ERROR(FieldsOf<PodDnsConfigOption>::Get().CheckOmitRules("PodDnsConfigOption"));
  RETURN_IF_ERROR(FieldsOf<PodDnsConfig>::Get().CheckOmitRules("PodDnsConfig"));
  RETURN_IF_ERROR(FieldsOf<HostAlias>::Get().CheckOmitRules("HostAlias"));
  RETURN_IF_ERROR(FieldsOf<Sysctl>::Get().CheckOmitRules("Sysctl"));
  RETURN_IF_ERROR(FieldsOf<PodSecurityContext>::Get().CheckOmitRules("PodSecurityContext"));
  RETURN_IF_ERROR(FieldsOf<PodSpec>::Get().CheckOmitRules("PodSpec"));
  RETURN_IF_ERROR(FieldsOf<ContainerStateWaiting>::Get().CheckOmitRules("ContainerStateWaiting"));
  RETURN_IF_ERROR(FieldsOf<ContainerStateRunning>::Get().CheckOmitRules("ContainerStateRunning"));
  RETURN_IF_ERROR(FieldsOf<ContainerStateTerminated>::Get().CheckOmitRules("ContainerStateTerminated"));
  RETURN_IF_ERROR(FieldsOf<ContainerState>::Get().CheckOmitRules("ContainerState"));
  RETURN_IF_ERROR(FieldsOf<ContainerStatus>::Get().CheckOmitRules("ContainerStatus"));
  RETURN_IF_ERROR(FieldsOf<PodCondition>::Get().CheckOmitRules("PodCondition"));
  RETURN_IF_ERROR(FieldsOf<PodIP>::Get().CheckOmitRules("PodIP"));
  RETURN_IF_ERROR(FieldsOf<PodStatus>::Get().CheckOmitRules("PodStatus"));
  return FieldsOf<Pod>::Get().CheckOmitRules("Pod");
}

Pod SamplePodWithEveryField() {
  Pod pod;
  ValueCodec<Pod>::Sample(pod);
  return pod;
}

}  // namespace cubelet::api::codec
