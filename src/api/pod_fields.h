// Owns (internal to src/api; includes RapidJSON): which object types of the model have a field
// table (pod_fields.cc, status_fields.cc), and checks over every table for tests.
// Does not own: the table machinery (field_codec.h).
#pragma once

#include "absl/status/status.h"
#include "api/field_codec.h"
#include "api/types.h"

namespace cubelet::api::codec {

#define CUBELET_API_FIELD_TABLE(T)              \
  template <>                                   \
  struct FieldsOf<T> {                          \
    static const ObjectCodec<T>& Get();         \
  }

CUBELET_API_FIELD_TABLE(ObjectMeta);
CUBELET_API_FIELD_TABLE(ContainerPort);
CUBELET_API_FIELD_TABLE(ContainerResizePolicy);
CUBELET_API_FIELD_TABLE(ObjectFieldSelector);
CUBELET_API_FIELD_TABLE(ResourceFieldSelector);
CUBELET_API_FIELD_TABLE(EnvVarSource);
CUBELET_API_FIELD_TABLE(EnvVar);
CUBELET_API_FIELD_TABLE(ResourceRequirements);
CUBELET_API_FIELD_TABLE(VolumeMount);
CUBELET_API_FIELD_TABLE(HttpHeader);
CUBELET_API_FIELD_TABLE(ExecAction);
CUBELET_API_FIELD_TABLE(HttpGetAction);
CUBELET_API_FIELD_TABLE(TcpSocketAction);
CUBELET_API_FIELD_TABLE(GrpcAction);
CUBELET_API_FIELD_TABLE(SleepAction);
CUBELET_API_FIELD_TABLE(Probe);
CUBELET_API_FIELD_TABLE(LifecycleHandler);
CUBELET_API_FIELD_TABLE(Lifecycle);
CUBELET_API_FIELD_TABLE(Capabilities);
CUBELET_API_FIELD_TABLE(SeccompProfile);
CUBELET_API_FIELD_TABLE(SecurityContext);
CUBELET_API_FIELD_TABLE(Container);
CUBELET_API_FIELD_TABLE(EmptyDirVolumeSource);
CUBELET_API_FIELD_TABLE(HostPathVolumeSource);
CUBELET_API_FIELD_TABLE(Volume);
CUBELET_API_FIELD_TABLE(PodDnsConfigOption);
CUBELET_API_FIELD_TABLE(PodDnsConfig);
CUBELET_API_FIELD_TABLE(HostAlias);
CUBELET_API_FIELD_TABLE(Sysctl);
CUBELET_API_FIELD_TABLE(PodSecurityContext);
CUBELET_API_FIELD_TABLE(PodSpec);
CUBELET_API_FIELD_TABLE(ContainerStateWaiting);
CUBELET_API_FIELD_TABLE(ContainerStateRunning);
CUBELET_API_FIELD_TABLE(ContainerStateTerminated);
CUBELET_API_FIELD_TABLE(ContainerState);
CUBELET_API_FIELD_TABLE(ContainerStatus);
CUBELET_API_FIELD_TABLE(PodCondition);
CUBELET_API_FIELD_TABLE(PodIP);
CUBELET_API_FIELD_TABLE(PodStatus);
CUBELET_API_FIELD_TABLE(Pod);

#undef CUBELET_API_FIELD_TABLE

// Runs ObjectCodec::CheckOmitRules over every table above.
absl::Status CheckFieldTables();

// A pod with every field of the model set to a non-empty value and one unknown member in every
// object, for the round-trip property test.
Pod SamplePodWithEveryField();

}  // namespace cubelet::api::codec
