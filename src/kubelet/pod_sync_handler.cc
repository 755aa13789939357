#include "kubelet/pod_sync_handler.h"

#include "common/status_macros.h"
#include "common/strings.h"
#include "api/qos.h"
#include "kubelet/sysctl_admission.h"

namespace cubelet::kubelet {

PodSyncHandler::PodSyncHandler(kuberuntime::KubeRuntimeManager* runtime, status::StatusManager* statuses,
                               volumes::VolumeManager* volumes, kuberuntime::PodCgroups* pod_cgroups,
                               const PodProbeResults* probes, Clock* clock, Logger logger,
                               std::vector<std::string> node_ips)
    : runtime_(runtime),
      statuses_(statuses),
      volumes_(volumes),
      pod_cgroups_(pod_cgroups),
      probes_(probes),
      clock_(clock),
      logger_(std::move(logger)),
      node_ips_(std::move(node_ips)) {}

absl::StatusOr<std::pair<kuberuntime::RuntimePodStatus, api::PodStatus>> PodSyncHandler::RefreshStatus(
    const api::Pod& pod) {
  ASSIGN_OR_RETURN(auto runtime_status,
                   runtime_->GetPodStatus(pod.metadata.uid, pod.metadata.name, pod.metadata.namespace_));
  auto previous = statuses_->GetPodStatus(pod.metadata.uid);
  status::StatusInputs in;
  in.node_ips = node_ips_;
  in.runtime_name = runtime_->options().runtime_name;
  in.now = clock_->Now();
  in.previous = previous ? &*previous : nullptr;
  in.reasons = &runtime_->reasons();
  in.probes = {[this](const std::string& id) { return probes_->Readiness(id); },
               [this](const std::string& id) { return probes_->Startup(id); }};
  api::PodStatus generated = status::GenerateApiPodStatus(pod, runtime_status, in);
  statuses_->SetPodStatus(pod.metadata.uid, generated);
  return std::make_pair(std::move(runtime_status), std::move(generated));
}

absl::StatusOr<workers::SyncPodOutcome> PodSyncHandler::SyncPod(const api::Pod& pod, std::stop_token cancelled,
                                                                StepDone resume) {
  using workers::SyncPodOutcome;
  // Admission: a pod asking for a sysctl the node does not allow never runs.
  if (absl::Status admitted = AdmitSysctls(pod, runtime_->options().allowed_unsafe_sysctls); !admitted.ok()) {
    api::PodStatus rejected;
    rejected.phase = "Failed";
    rejected.reason = "SysctlForbidden";
    rejected.message = StrCat("Pod was rejected: ", admitted.message());
    rejected.qos_class = api::GetPodQos(pod);
    rejected.start_time = clock_->Now();
    auto previous = statuses_->GetPodStatus(pod.metadata.uid);
    if (!previous || previous->reason != rejected.reason) {
      logger_.Warning("Pod rejected", {{"pod", api::PodKey(pod)}, {"reason", "SysctlForbidden"},
                                       {"message", rejected.message}});
    }
    statuses_->SetPodStatus(pod.metadata.uid, rejected);
    return SyncPodOutcome::kTerminal;
  }
  ASSIGN_OR_RETURN(auto before, RefreshStatus(pod));
  if (before.second.phase == "Succeeded" || before.second.phase == "Failed") {
    logger_.VInfo(2, "Pod is terminal, stopping it", {{"pod", api::PodKey(pod)}, {"phase", before.second.phase}});
    return SyncPodOutcome::kTerminal;
  }
  logger_.VInfo(4, "SyncPod enter", {{"pod", api::PodKey(pod)}, {"podUID", pod.metadata.uid}});
  // The pod's cgroup, with its limits, exists before its sandbox does.
  if (absl::Status s = pod_cgroups_->EnsurePodCgroup(pod); !s.ok()) {
    logger_.Warning("Unable to ensure the pod's cgroup exists",
                    {{"pod", api::PodKey(pod)}, {"reason", "FailedToCreatePodContainer"}, {"err", s}});
    return s;
  }
  kuberuntime::PodSyncResult result =
      runtime_->SyncPod(pod, before.first, probes_->FailedContainers(pod), cancelled, std::move(resume));
  if (result.kills_started) return SyncPodOutcome::kPending;
  if (!result.error.ok()) {
    // The start error (CrashLoopBackOff, ErrImagePull, ...) shows in the status now; what
    // succeeded shows after the PLEG's next relist, which syncs the pod again.
    (void)RefreshStatus(pod);
    return result.error;
  }
  return SyncPodOutcome::kSynced;
}

void PodSyncHandler::SyncTerminatingPod(std::shared_ptr<const api::Pod> pod,
                                        std::optional<int64_t> grace_period_seconds, std::stop_token cancelled,
                                        TerminatingDone done) {
  logger_.VInfo(2, "SyncTerminatingPod enter", {{"pod", api::PodKey(*pod)}, {"podUID", pod->metadata.uid}});
  auto runtime_status =
      runtime_->GetPodStatus(pod->metadata.uid, pod->metadata.name, pod->metadata.namespace_);
  if (!runtime_status.ok()) {
    std::move(done)(Annotate(runtime_status.status(), StrCat("read the runtime status of pod ", api::PodKey(*pod))));
    return;
  }
  // `done` goes to the kill pool as is: it uses nothing of this handler.
  runtime_->KillPodAsync(pod.get(), *runtime_status, grace_period_seconds, std::move(cancelled), std::move(done));
}

namespace {

// A pod whose names no host path can be built from (InvalidArgument: "metadata.uid ... must not
// contain '/'") has nothing on disk to clean up; retrying would only fail again for good.
absl::Status NothingToCleanUp(absl::Status s) {
  return s.code() == absl::StatusCode::kInvalidArgument ? absl::OkStatus() : s;
}

}  // namespace

absl::Status PodSyncHandler::SyncTerminatedPod(const api::Pod& pod, bool deleted) {
  logger_.Info("Pod stopped", {{"pod", api::PodKey(pod)}, {"podUID", pod.metadata.uid}});
  // A pod that stays listed shows its containers' final states.
  if (!deleted) (void)RefreshStatus(pod);
  // Nothing of the pod runs any more: its cgroup goes, whether or not the pod stays listed.
  RETURN_IF_ERROR(NothingToCleanUp(pod_cgroups_->RemovePodCgroup(pod)));
  if (!deleted) return absl::OkStatus();
  statuses_->RemovePod(pod.metadata.uid);
  runtime_->reasons().ForgetPod(pod.metadata.uid);
  RETURN_IF_ERROR(NothingToCleanUp(volumes_->TearDownPod(pod.metadata.uid)));
  logger_.VInfo(2, "Pod cleaned up", {{"pod", api::PodKey(pod)}, {"podUID", pod.metadata.uid}});
  return absl::OkStatus();
}

}  // namespace cubelet::kubelet
