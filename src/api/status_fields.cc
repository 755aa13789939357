// The field tables of a Pod's status, as pod_fields.cc does for metadata and spec. Times that are
// metav1.Time structs upstream (not pointers) are written as null when unset.
#include "api/pod_fields.h"

namespace cubelet::api::codec {

const ObjectCodec<ContainerStateWaiting>& FieldsOf<ContainerStateWaiting>::Get() {
  using T = ContainerStateWaiting;
  static const auto* codec = new ObjectCodec<T>({
      Field("reason", &T::reason),
      Field("message", &T::message),
  });
  return *codec;
}

const ObjectCodec<ContainerStateRunning>& FieldsOf<ContainerStateRunning>::Get() {
  using T = ContainerStateRunning;
  static const auto* codec = new ObjectCodec<T>({Field("startedAt", &T::started_at, Omit::kNever)});
  return *codec;
}

const ObjectCodec<ContainerStateTerminated>& FieldsOf<ContainerStateTerminated>::Get() {
  using T = ContainerStateTerminated;
  static const auto* codec = new ObjectCodec<T>({
      Field("exitCode", &T::exit_code, Omit::kNever),
      Field("signal", &T::signal),
      Field("reason", &T::reason),
      Field("message", &T::message),
      Field("startedAt", &T::started_at, Omit::kNever),
      Field("finishedAt", &T::finished_at, Omit::kNever),
      Field("containerID", &T::container_id),
  });
  return *codec;
}

const ObjectCodec<ContainerState>& FieldsOf<ContainerState>::Get() {
  using T = ContainerState;
  static const auto* codec = new ObjectCodec<T>({
      Field("waiting", &T::waiting),
      Field("running", &T::running),
      Field("terminated", &T::terminated),
  });
  return *codec;
}

const ObjectCodec<ContainerStatus>& FieldsOf<ContainerStatus>::Get() {
  using T = ContainerStatus;
  static const auto* codec = new ObjectCodec<T>({
      Field("name", &T::name, Omit::kNever),
      Field("state", &T::state, Omit::kNever),
      Field("lastState", &T::last_state, Omit::kNever),
      Field("ready", &T::ready, Omit::kNever),
      Field("restartCount", &T::restart_count, Omit::kNever),
      Field("image", &T::image, Omit::kNever),
      Field("imageID", &T::image_id, Omit::kNever),
      Field("containerID", &T::container_id),
      Field("started", &T::started),
  });
  return *codec;
}

const ObjectCodec<PodCondition>& FieldsOf<PodCondition>::Get() {
  using T = PodCondition;
  static const auto* codec = new ObjectCodec<T>({
      Field("type", &T::type, Omit::kNever),
      Field("status", &T::status, Omit::kNever),
      Field("lastProbeTime", &T::last_probe_time, Omit::kNever),
      Field("lastTransitionTime", &T::last_transition_time, Omit::kNever),
      Field("reason", &T::reason),
      Field("message", &T::message),
  });
  return *codec;
}

const ObjectCodec<PodIP>& FieldsOf<PodIP>::Get() {
  using T = PodIP;
  static const auto* codec = new ObjectCodec<T>({Field("ip", &T::ip, Omit::kNever)});
  return *codec;
}

const ObjectCodec<PodStatus>& FieldsOf<PodStatus>::Get() {
  using T = PodStatus;
  static const auto* codec = new ObjectCodec<T>({
      Field("phase", &T::phase),
      Field("conditions", &T::conditions),
      Field("message", &T::message),
      Field("reason", &T::reason),
      Field("hostIP", &T::host_ip),
      Field("hostIPs", &T::host_ips),
      Field("podIP", &T::pod_ip),
      Field("podIPs", &T::pod_ips),
      Field("startTime", &T::start_time),
      Field("initContainerStatuses", &T::init_container_statuses),
      Field("containerStatuses", &T::container_statuses),
      Field("qosClass", &T::qos_class),
  });
  return *codec;
}

}  // namespace cubelet::api::codec
