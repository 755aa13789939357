// Owns: the subresources that are verbs of their own (upstream pkg/registry/core/pod/storage:
// BindingREST, EvictionREST, LogREST; namespace finalize): pods/binding sets spec.nodeName and
// PodScheduled once, pods/eviction deletes gracefully, pods/log streams from the pod's kubelet,
// namespaces/finalize changes spec.finalizers.
// Does not own: the main resources' verbs (resource_handler.h).
#pragma once

#include "apiserver/kubelet_client.h"
#include "apiserver/resource_handler.h"
#include "common/logger.h"

namespace cubelet::apiserver {

class PodSubresources {
 public:
  // `pods` and `nodes` answer for those resources; `kubelets` reaches nodes' kubelets.
  PodSubresources(const ResourceHandler* pods, registry::ResourceStore* nodes, KubeletClient* kubelets,
                  const schema::Schema* schema, const Clock* clock, Logger logger);
  ~PodSubresources();

  void Binding(const Call& call) const;
  void Eviction(const Call& call) const;
  void Log(const Call& call) const;

 private:
  const ResourceHandler* pods_;
  registry::ResourceStore* nodes_;
  KubeletClient* kubelets_;
  const schema::Schema* schema_;
  const Clock* clock_;
  // Log streams run here, not on the HTTP server's handler pool (a follow may last hours).
  std::unique_ptr<LongRunningRequests> long_running_;
};

// PUT namespaces/<name>/finalize: only spec.finalizers changes.
void FinalizeNamespace(const ResourceHandler& namespaces, const Call& call, const schema::Schema& schema);

}  // namespace cubelet::apiserver
