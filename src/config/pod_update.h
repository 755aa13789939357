// Owns: cubelet_config, the pod sources and their merge (upstream pkg/kubelet/config). This
// header: the update a source sends and PodConfig emits (upstream pkg/kubelet/types/pod_update.go:
// PodUpdate, PodOperation, the source names).
// Does not own: the KubeletConfiguration (src/kubeletconfig) or the desired pods the agent keeps
// (pod::PodManager).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"

namespace cubelet::config {

// Source names: the key of each source's pods in PodConfig and the value of the
// kubernetes.io/config.source annotation.
inline constexpr char kFileSource[] = "file";
inline constexpr char kHttpSource[] = "http";
inline constexpr char kApiserverSource[] = "api";
// Every source (upstream AllSource).
inline constexpr char kAllSource[] = "*";

enum class PodOperation {
  // From a source: its complete set of pods; PodConfig turns it into the operations below.
  kSet,
  // New pods.
  kAdd,
  // Pods being gracefully deleted (metadata.deletionTimestamp set); the agent kills them.
  kDelete,
  // Pods gone from their source; the agent stops and forgets them.
  kRemove,
  // Pods whose spec, labels, annotations or deletion fields changed.
  kUpdate,
  // Pods whose status alone changed (the agent owns pod status, so it only re-reconciles).
  kReconcile,
};

// "SET", "ADD", "DELETE", "REMOVE", "UPDATE", "RECONCILE" (upstream's names, for logs).
std::string_view OperationName(PodOperation op);

// Pods are immutable snapshots: shared between the sources, PodConfig and the agent's threads.
struct PodUpdate {
  PodOperation op = PodOperation::kSet;
  std::string source;
  std::vector<std::shared_ptr<const api::Pod>> pods;
};

// What a source delivers through (PodConfig::Channel). Callable from any thread.
using PodUpdateFn = std::function<void(PodUpdate)>;

}  // namespace cubelet::config
