#include "agent/agent.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "agent/node_info.h"
#include "cgroups/cgroup_manager.h"
#include "cgroups/cgroup_mode.h"
#include "cm/container_manager.h"
#include "cm/node_allocatable.h"
#include "common/strings.h"
#include "kubelet/pod_sync_handler.h"
#include "kuberuntime/kuberuntime_manager.h"
#include "pleg/generic_pleg.h"
#include "pod/pod_manager.h"
#include "probes/probe_manager.h"
#include "server/node_server.h"
#include "static_pods/file_source.h"
#include "status/status_manager.h"
#include "volumes/volume_manager.h"
#include "workers/pod_workers.h"

namespace cubelet {
namespace {

// Sleeps for `d` or until `stop` is requested; returns false when stopped.
bool SleepUnlessStopped(std::stop_token stop, absl::Duration d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, stop, absl::ToChronoNanoseconds(d), [] { return false; });
  return !stop.stop_requested();
}

}  // namespace

Agent::Agent(kubeletconfig::KubeletConfiguration config, kubeletconfig::NodeOptions options, AgentDependencies deps)
    : config_(std::move(config)), options_(std::move(options)), deps_(std::move(deps)) {}

void Agent::AdjustOwnOomScore() {
  std::ofstream f("/proc/self/oom_score_adj");
  if (f) f << config_.oom_score_adj << std::flush;
  if (!f) {
    deps_.logger.Warning("Failed to set the kubelet's oom_score_adj; continuing with the inherited value",
                         {{"oomScoreAdj", config_.oom_score_adj}, {"err", std::strerror(errno)}});
  }
}

bool Agent::WaitForRuntime(std::stop_token stop, std::string* runtime_name) {
  absl::Duration backoff = absl::Milliseconds(200);
  while (!stop.stop_requested()) {
    auto version = deps_.runtime->Version();
    if (version.ok()) {
      deps_.logger.Info("Container runtime initialized",
                        {{"containerRuntime", version->runtime_name},
                         {"version", version->runtime_version},
                         {"apiVersion", version->runtime_api_version}});
      *runtime_name = version->runtime_name;
      return true;
    }
    deps_.logger.Error("Container runtime not ready, retrying",
                       {{"endpoint", config_.container_runtime_endpoint}, {"err", version.status()},
                        {"retryIn", backoff}});
    if (!SleepUnlessStopped(stop, backoff)) return false;
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
  return false;
}

void Agent::LogRuntimeConditions() {
  auto status = deps_.runtime->Status(false);
  if (!status.ok()) {
    deps_.logger.Warning("Cannot read the container runtime status", {{"err", status.status()}});
    return;
  }
  for (const auto& c : status->conditions) {
    deps_.logger.VInfo(1, "Container runtime condition",
                       {{"type", c.type}, {"status", c.status}, {"reason", c.reason}, {"message", c.message}});
    if (!c.status) {
      deps_.logger.Warning("Container runtime condition is not met",
                           {{"type", c.type}, {"reason", c.reason}, {"message", c.message}});
    }
  }
}

absl::Status Agent::Run(std::stop_token stop) {
  const Logger& log = deps_.logger;
  AdjustOwnOomScore();
  // The cgroup hierarchy comes first: without it no pod can be placed, so errors end the agent.
  auto mode = cgroups::DetectCgroupMode();
  if (!mode.ok()) return mode.status();
  log.Info("Detected cgroup hierarchy", {{"cgroupVersion", cgroups::ToString(*mode)},
                                         {"cgroupDriver", config_.cgroup_driver}});
  auto layout = cm::ParseCgroupLayout(config_.cgroup_root, config_.cgroup_driver, config_.cgroups_per_qos);
  if (!layout.ok()) return layout.status();
  auto host_cgroups = cgroups::NewHostCgroupManager(layout->driver);
  if (!host_cgroups.ok()) return host_cgroups.status();
  cm::ContainerManagerOptions cmo;
  cmo.layout = *layout;
  cmo.pod = {config_.cpu_cfs_quota, absl::ToInt64Microseconds(config_.cpu_cfs_quota_period), config_.pod_pids_limit};
  cmo.capacity = cm::HostCapacity();
  auto allocatable = cm::NodeAllocatable(cmo.capacity, config_.kube_reserved, config_.system_reserved);
  if (!allocatable.ok()) return allocatable.status();
  cmo.allocatable = *allocatable;
  cmo.enforce_pods_allocatable = std::find(config_.enforce_node_allocatable.begin(),
                                           config_.enforce_node_allocatable.end(),
                                           "pods") != config_.enforce_node_allocatable.end();
  pod::PodManager pod_manager;
  cm::ContainerManager containers(*std::move(host_cgroups), cmo, [&] { return pod_manager.List(); }, log);
  if (absl::Status started = containers.Start(); !started.ok()) return started;

  std::string runtime_name;
  if (!WaitForRuntime(stop, &runtime_name)) return absl::OkStatus();
  LogRuntimeConditions();

  // ---- the parts, lowest first ----
  const std::vector<std::string> node_ips = DetectNodeIps(options_.node_ip);
  kuberuntime::RuntimeOptions ro;
  ro.root_dir = options_.root_dir;
  ro.pod_logs_dir = config_.pod_logs_dir;
  ro.node_name = options_.hostname_override;
  ro.node_ips = node_ips;
  ro.cluster_dns = config_.cluster_dns;
  ro.cluster_domain = config_.cluster_domain;
  ro.resolv_conf = config_.resolv_conf;
  ro.cgroup_layout = *layout;
  for (const auto& [size, capacity] : cm::HugePageLimits(cmo.capacity)) ro.huge_page_sizes.push_back(size);
  ro.cpu_cfs_quota = config_.cpu_cfs_quota;
  ro.cpu_cfs_quota_period = config_.cpu_cfs_quota_period;
  ro.memory_capacity_bytes = cmo.capacity.contains("memory") ? cmo.capacity.at("memory").Value() : 0;
  ro.seccomp_default = config_.seccomp_default;
  ro.allowed_unsafe_sysctls = config_.allowed_unsafe_sysctls;
  if (auto gate = config_.feature_gates.find("InPlacePodVerticalScaling"); gate != config_.feature_gates.end()) {
    ro.in_place_resize = gate->second;
  }
  ro.runtime_name = runtime_name;

  volumes::VolumeManager volumes(options_.root_dir, log);
  kuberuntime::KubeRuntimeManager runtime(deps_.runtime.get(), deps_.images.get(), &volumes, ro, log, deps_.clock);
  runtime.SetPodCgroupUpdater([&](const api::Pod& pod) { return containers.ResizePodCgroup(pod); });
  status::StatusManager statuses;
  kubelet::PodSyncHandler sync_handler(&runtime, &statuses, &volumes, &containers, deps_.clock, log, node_ips);
  workers::PodWorkersOptions wo;
  wo.resync_interval = config_.sync_frequency;
  workers::PodWorkers pod_workers(&sync_handler, deps_.clock, log, wo);
  // A changed probe result syncs the pod: a failed liveness probe kills, readiness re-reports.
  probes::ProbeManager prober(
      deps_.runtime.get(), deps_.clock, log,
      [&](const std::string& uid) { return statuses.GetPodStatus(uid); },
      [&](const std::string& uid, probes::ProbeType, probes::ProbeResult) {
        if (auto pod = pod_manager.Get(uid)) pod_workers.UpdatePod(pod, workers::UpdateType::kSync);
      });
  sync_handler.SetProbeResults({[&](const std::string& id) { return prober.Readiness(id); },
                                [&](const std::string& id) { return prober.Startup(id); }});
  sync_handler.SetProbeKills([&](const api::Pod& pod) {
    kuberuntime::ProbeKills kills;
    for (auto& [id, k] : prober.FailedContainers(pod)) kills[id] = {k.message, k.grace_period_seconds};
    return kills;
  });
  pod::PodConfig pod_config(&pod_manager, deps_.clock, [&](pod::PodOp op, std::shared_ptr<const api::Pod> pod) {
    switch (op) {
      case pod::PodOp::kAdd:
        log.Info("Pod added", {{"pod", api::PodKey(*pod)}, {"podUID", pod->metadata.uid}});
        prober.AddPod(pod);
        pod_workers.UpdatePod(pod, workers::UpdateType::kCreate);
        break;
      case pod::PodOp::kUpdate:
        pod_workers.UpdatePod(pod, workers::UpdateType::kUpdate);
        break;
      case pod::PodOp::kRemove:
        log.Info("Pod removed", {{"pod", api::PodKey(*pod)}, {"podUID", pod->metadata.uid}});
        prober.RemovePod(pod->metadata.uid);
        pod_workers.UpdatePod(pod, workers::UpdateType::kKill);
        break;
    }
  });

  pleg::GenericPleg pleg(deps_.runtime.get(), deps_.clock, log, absl::Seconds(1),
                         [&](const pleg::PodLifecycleEvent& e) {
                           if (auto pod = pod_manager.Get(e.pod_uid)) {
                             pod_workers.UpdatePod(pod, workers::UpdateType::kSync);
                           }
                         });

  // ---- HTTP endpoints ----
  server::NodeServerHandlers handlers;
  handlers.pods = [&] {
    std::vector<api::Pod> out;
    for (const auto& p : pod_manager.List()) {
      api::Pod copy = *p;
      if (auto st = statuses.GetPodStatus(p->metadata.uid)) copy.status = *st;
      out.push_back(std::move(copy));
    }
    std::sort(out.begin(), out.end(), [](const api::Pod& a, const api::Pod& b) {
      return api::PodKey(a) < api::PodKey(b);
    });
    return out;
  };
  handlers.probe_metrics = [&] { return prober.MetricsText(); };
  handlers.healthz = [&]() -> absl::Status {
    if (!pleg.Healthy()) return absl::UnavailableError("pleg is not healthy");
    return absl::OkStatus();
  };
  std::vector<std::unique_ptr<server::NodeHttpServer>> servers;
  if (config_.read_only_port > 0) {
    servers.push_back(std::make_unique<server::NodeHttpServer>(config_.address, config_.read_only_port, true, handlers, log));
  }
  if (config_.healthz_port > 0) {
    servers.push_back(
        std::make_unique<server::NodeHttpServer>(config_.healthz_bind_address, config_.healthz_port, false, handlers, log));
  }
  for (auto& s : servers) {
    absl::Status started = s->Start();
    if (!started.ok()) return started;
  }

  // ---- the loops ----
  std::jthread pleg_thread([&](std::stop_token st) { pleg.Run(st); });
  std::jthread prober_thread([&](std::stop_token st) { prober.Run(st); });
  std::jthread source_thread;
  if (!config_.static_pod_path.empty()) {
    static_pods::FileSourceOptions fo{config_.static_pod_path, options_.hostname_override,
                                      config_.file_check_frequency};
    auto source = std::make_shared<static_pods::FileSource>(
        fo, log, static_pods::NewInotifyWatcher(config_.static_pod_path),
        [&](std::vector<api::Pod> pods) { pod_config.SetPods(pods); });
    source_thread = std::jthread([source](std::stop_token st) { source->Run(st); });
  } else {
    pod_manager.MarkSourcesReady();
  }

  log.Info("Node agent running", {{"node", options_.hostname_override}, {"staticPodPath", config_.static_pod_path},
                                  {"nodeIP", node_ips.empty() ? "" : node_ips[0]}});
  absl::Time next_housekeeping = deps_.clock->Now();
  absl::Time next_gc = deps_.clock->Now() + absl::Seconds(30);
  std::set<std::string> orphans_killed;
  while (SleepUnlessStopped(stop, absl::Seconds(1))) {
    pod_workers.SyncDue();
    const absl::Time now = deps_.clock->Now();
    if (now < next_housekeeping || !pod_manager.SourcesReady()) continue;
    next_housekeeping = now + absl::Seconds(2);
    // Housekeeping: runtime pods no source knows are stopped (after a restart, or a removal
    // the agent did not see), then collected. The PLEG's last relist (at most a period old) is
    // the runtime's view: listing again would double the list calls the runtime serves.
    auto relist = pleg.LastRelist();
    if (relist == nullptr) continue;
    const auto runtime_pods = kuberuntime::GroupPodStatuses(relist->sandboxes, relist->containers);
    std::set<std::string> desired, running_in_runtime;
    for (const auto& p : pod_manager.List()) desired.insert(p->metadata.uid);
    for (const auto& rp : runtime_pods) {
      bool running = false;
      for (const auto& c : rp.containers) running |= c.status.state != cri::ContainerState::kExited;
      for (const auto& s : rp.sandboxes) running |= s.state == cri::PodSandboxState::kReady;
      if (running) running_in_runtime.insert(rp.uid);
      if (desired.contains(rp.uid) || pod_workers.IsKnown(rp.uid)) continue;
      if (!running) continue;
      auto orphan = std::make_shared<api::Pod>();
      orphan->metadata.uid = rp.uid;
      orphan->metadata.name = rp.name;
      orphan->metadata.namespace_ = rp.namespace_;
      log.Info("Stopping orphaned pod that no source knows", {{"pod", api::PodKey(*orphan)}, {"podUID", rp.uid}});
      pod_workers.UpdatePod(orphan, workers::UpdateType::kKill);
    }
    containers.CleanupOrphanedPodCgroups([&](const std::string& uid) {
      return desired.contains(uid) || running_in_runtime.contains(uid) || pod_workers.IsKnown(uid);
    });
    if (now >= next_gc) {
      next_gc = now + absl::Seconds(30);
      runtime.GarbageCollect(desired);
    }
  }

  log.Info("Shutting down node agent");
  source_thread = std::jthread();
  pleg_thread = std::jthread();
  prober_thread = std::jthread();
  pod_workers.Stop();
  return absl::OkStatus();
}

}  // namespace cubelet
