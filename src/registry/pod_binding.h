// Owns: what binding a pod to a node writes (upstream registry/core/pod/storage BindingREST):
// below the strategy, with the Binding's uid and resourceVersion as preconditions, refused for
// a pod being deleted, already assigned or still gated; sets spec.nodeName, the Binding's
// annotations and the PodScheduled=True condition. Both the pods/binding endpoint and the
// in-process scheduler bind through here.
// Does not own: decoding the Binding body and admission (apiserver/pod_subresources.h).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "json/value.h"
#include "registry/resource_store.h"

namespace cubelet::registry {

struct PodBinding {
  std::string namespace_;
  std::string name;
  std::string node;
  std::string uid;               // precondition when not empty
  std::string resource_version;  // precondition when not empty
  const json::Value* annotations = nullptr;  // merged into the pod's
};

// `pods` is the pods ResourceStore. Conflict (409) with upstream's messages.
absl::StatusOr<ObjectPtr> BindPod(ResourceStore& pods, const PodBinding& binding, absl::Time now);

}  // namespace cubelet::registry
