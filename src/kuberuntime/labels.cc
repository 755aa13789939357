#include "kuberuntime/labels.h"

#include "absl/strings/numbers.h"
#include "common/strings.h"

namespace cubelet::kuberuntime {
namespace {

std::string Lookup(const cri::StringMap& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

}  // namespace

cri::StringMap SandboxLabels(const api::Pod& pod) {
  cri::StringMap labels = pod.metadata.labels;
  labels[kPodNameLabel] = pod.metadata.name;
  labels[kPodNamespaceLabel] = pod.metadata.namespace_;
  labels[kPodUidLabel] = pod.metadata.uid;
  return labels;
}

cri::StringMap SandboxAnnotations(const api::Pod& pod) { return pod.metadata.annotations; }

cri::StringMap ContainerLabels(const api::Pod& pod, const api::Container& container) {
  return {{kPodNameLabel, pod.metadata.name},
          {kPodNamespaceLabel, pod.metadata.namespace_},
          {kPodUidLabel, pod.metadata.uid},
          {kContainerNameLabel, container.name}};
}

std::string HashContainer(const api::Container& container) {
  // The JSON Go's encoding/json writes for struct{Name, Image}.
  std::string json = StrCat("{\"name\":\"", container.name, "\",\"image\":\"", container.image, "\"}");
  uint32_t h = 2166136261u;
  for (unsigned char c : json) {
    h ^= c;
    h *= 16777619u;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(h >> shift) & 0xf]);
  // Upstream prints the uint64 in base 16 without leading zeros.
  size_t nz = out.find_first_not_of('0');
  return nz == std::string::npos ? "0" : out.substr(nz);
}

ContainerIdentity ReadContainerIdentity(const cri::StringMap& labels, const cri::StringMap& annotations) {
  ContainerIdentity id;
  id.pod_uid = Lookup(labels, kPodUidLabel);
  id.pod_name = Lookup(labels, kPodNameLabel);
  id.pod_namespace = Lookup(labels, kPodNamespaceLabel);
  id.container_name = Lookup(labels, kContainerNameLabel);
  id.hash = Lookup(annotations, kContainerHashAnnotation);
  int32_t rc = 0;
  if (absl::SimpleAtoi(Lookup(annotations, kContainerRestartCountAnnotation), &rc)) id.restart_count = rc;
  id.termination_message_path = Lookup(annotations, kTerminationMessagePathAnnotation);
  id.termination_message_policy = Lookup(annotations, kTerminationMessagePolicyAnnotation);
  id.termination_message_host_path = Lookup(annotations, kTerminationMessageHostPathAnnotation);
  int64_t grace = 0;
  if (absl::SimpleAtoi(Lookup(annotations, kPodTerminationGracePeriodAnnotation), &grace)) {
    id.pod_termination_grace_period = grace;
  }
  id.is_init = Lookup(annotations, kContainerTypeAnnotation) == "init";
  return id;
}

}  // namespace cubelet::kuberuntime
