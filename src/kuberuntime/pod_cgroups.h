// Owns: PodCgroups, the pod-level part of upstream's cm.ContainerManager that a pod's sync uses
// (its cgroup before the sandbox, its values again around an in-place resize, its removal once
// the pod stopped), and ContainerManagerPodCgroups, which serves it from cm::ContainerManager.
// Does not own: the cgroups themselves (cm/, cgroups/). Tests use a fake.
#pragma once

#include "absl/status/status.h"
#include "api/types.h"
#include "cm/container_manager.h"

namespace cubelet::kuberuntime {

// Thread-safe for different pods.
class PodCgroups {
 public:
  virtual ~PodCgroups() = default;
  // Before a pod's sandbox: its cgroup exists, with the pod's limits.
  virtual absl::Status EnsurePodCgroup(const api::Pod& pod) = 0;
  // Around an in-place resize: the pod cgroup gets the pod's new values.
  virtual absl::Status ResizePodCgroup(const api::Pod& pod) = 0;
  // After the pod stopped: its cgroup goes.
  virtual absl::Status RemovePodCgroup(const api::Pod& pod) = 0;
};

class ContainerManagerPodCgroups final : public PodCgroups {
 public:
  explicit ContainerManagerPodCgroups(cm::ContainerManager* containers) : containers_(containers) {}
  absl::Status EnsurePodCgroup(const api::Pod& pod) override { return containers_->EnsurePodCgroup(pod); }
  absl::Status ResizePodCgroup(const api::Pod& pod) override { return containers_->ResizePodCgroup(pod); }
  absl::Status RemovePodCgroup(const api::Pod& pod) override { return containers_->RemovePodCgroup(pod); }

 private:
  cm::ContainerManager* containers_;
};

}  // namespace cubelet::kuberuntime
