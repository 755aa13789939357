// Owns: the NodeRestriction admission plugin (upstream plugin/pkg/admission/noderestriction,
// v1.32) for requests by nodes: a node writes only its own Node (no taint changes, no
// configSource, labels only from the kubelet's allowed set), its own Lease and CSINode, mirror
// pods of its own static pods (bound to it, owned by its Node, referring to no secret,
// configmap, service account or claim), and the status, deletion and eviction of pods bound
// to it.
// Does not own: which verbs a node may call at all (authz/'s Node authorizer, which runs first).
#pragma once

#include <set>
#include <string>

#include "absl/status/status.h"
#include "admission/admission.h"

namespace cubelet::admission {

// Label keys in `modified` a node may not add, change or remove on its own Node (kubernetes.io
// and k8s.io keys other than the kubelet's own, and anything under node-restriction.kubernetes.io).
std::set<std::string> ForbiddenNodeLabels(const std::set<std::string>& modified);

// Thread-safe (reads only through `lookup`). Runs in the validating phase: it changes nothing,
// and deletes and evictions reach admission only there.
class NodeRestriction {
 public:
  explicit NodeRestriction(const ObjectLookup* lookup) : lookup_(lookup) {}

  absl::Status Validate(const Request& request, const json::Value* object, const json::Value* old) const;

 private:
  absl::Status Pod(const std::string& node, const Request& request, const json::Value* object,
                   const json::Value* old) const;
  absl::Status PodCreate(const std::string& node, const Request& request, const json::Value& pod) const;
  absl::Status PodStatus(const std::string& node, const Request& request, const json::Value* object,
                         const json::Value* old) const;
  absl::Status PodEviction(const std::string& node, const Request& request, const json::Value* object,
                           const json::Value* old) const;
  absl::Status Node(const std::string& node, const Request& request, const json::Value* object,
                    const json::Value* old) const;
  absl::Status Lease(const std::string& node, const Request& request, const json::Value* object) const;
  absl::Status CSINode(const std::string& node, const Request& request, const json::Value* object) const;

  const ObjectLookup* lookup_;
};

}  // namespace cubelet::admission
