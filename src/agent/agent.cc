#include "agent/agent.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/node_info.h"
#include "cgroups/cgroup_manager.h"
#include "cgroups/cgroup_mode.h"
#include "cm/container_manager.h"
#include "cm/node_allocatable.h"
#include "common/strings.h"
#include "common/timer_queue.h"
#include "config/file_pod_source.h"
#include "config/http_source.h"
#include "config/pod_config.h"
#include "kubelet/container_gc.h"
#include "kubelet/pod_cleanups.h"
#include "kubelet/pod_sync_handler.h"
#include "kubelet/pods_view.h"
#include "kubelet/sysctl_admission.h"
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

// The timer queue's threads: a relist, a housekeeping pass or a garbage collection waiting on the
// runtime must leave threads for the probes and the sync tick that fall due meanwhile.
constexpr int kTimerThreads = 4;

// Sleeps for `d` or until `stop` is requested; returns false when stopped.
bool SleepUnlessStopped(std::stop_token stop, absl::Duration d) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, stop, absl::ToChronoNanoseconds(d), [] { return false; });
  return !stop.stop_requested();
}

void WaitForStop(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, stop, [] { return false; });
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
  // upstream refuses to start with an allowedUnsafeSysctls entry it cannot namespace.
  if (auto allowlist = kubelet::SysctlAllowlist::Create(config_.allowed_unsafe_sysctls); !allowlist.ok()) {
    return absl::InvalidArgumentError(StrCat("allowedUnsafeSysctls: ", allowlist.status().message()));
  }
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

  // Every loop (PLEG relist, probes, housekeeping, GC, the sync tick) runs on this queue; it is
  // stopped before the parts its tasks use go.
  TimerQueue timers(deps_.clock, log, {.threads = kTimerThreads});
  volumes::VolumeManager volumes(options_.root_dir, log);
  kuberuntime::ContainerManagerPodCgroups pod_cgroups(&containers);
  kuberuntime::KubeRuntimeManager runtime(deps_.runtime.get(), deps_.images.get(), &volumes, &pod_cgroups, ro, log,
                                          deps_.clock);
  status::StatusManager statuses;
  // A changed probe result syncs the pod: a failed liveness probe kills, readiness re-reports.
  // The pod sync reads the prober's results, so the prober is built before the pod workers it
  // notifies; they are emplaced below, before any pod (and so any probe) exists, and outlive the
  // prober's threads. (upstream breaks the same cycle with the results managers' channels.)
  std::optional<workers::PodWorkers> pod_workers_slot;
  probes::ProbeManager prober(
      deps_.runtime.get(), &timers, deps_.clock, log,
      [&](const std::string& uid) { return statuses.GetPodStatus(uid); },
      [&](const std::string& uid, probes::ProbeType, probes::ProbeResult) {
        if (auto pod = pod_manager.Get(uid); pod && pod_workers_slot) {
          pod_workers_slot->UpdatePod(pod, workers::UpdateType::kSync);
        }
      });
  kubelet::ProberProbeResults probe_results(&prober);
  kubelet::PodSyncHandler sync_handler(&runtime, &statuses, &volumes, &pod_cgroups, &probe_results, deps_.clock, log,
                                       node_ips);
  workers::PodWorkersOptions wo;
  wo.resync_interval = config_.sync_frequency;
  workers::PodWorkers& pod_workers = pod_workers_slot.emplace(&sync_handler, deps_.clock, log, wo);
  // Upstream syncLoopIteration's dispatch of PodConfig's updates (HandlePodAdditions, ...).
  config::PodConfig pod_config(deps_.clock, log, [&](const config::PodUpdate& u) {
    for (const auto& pod : u.pods) {
      switch (u.op) {
        case config::PodOperation::kAdd:
          log.Info("Pod added", {{"pod", api::PodKey(*pod)}, {"podUID", pod->metadata.uid}, {"source", u.source}});
          pod_manager.Set(pod);
          prober.AddPod(pod);
          pod_workers.UpdatePod(pod, workers::UpdateType::kCreate);
          break;
        case config::PodOperation::kUpdate:
        case config::PodOperation::kDelete:  // graceful deletion is an update, as upstream
          pod_manager.Set(pod);
          pod_workers.UpdatePod(pod, workers::UpdateType::kUpdate);
          break;
        case config::PodOperation::kReconcile:  // status only: the agent owns status
          pod_manager.Set(pod);
          break;
        case config::PodOperation::kRemove:
          log.Info("Pod removed", {{"pod", api::PodKey(*pod)}, {"podUID", pod->metadata.uid}, {"source", u.source}});
          pod_manager.Remove(pod->metadata.uid);
          prober.RemovePod(pod->metadata.uid);
          pod_workers.UpdatePod(pod, workers::UpdateType::kKill);
          break;
        case config::PodOperation::kSet:  // PodConfig never emits SET
          break;
      }
    }
  });

  pleg::GenericPleg pleg(deps_.runtime.get(), &timers, deps_.clock, log, absl::Seconds(1),
                         [&](const pleg::PodLifecycleEvent& e) {
                           if (auto pod = pod_manager.Get(e.pod_uid)) {
                             pod_workers.UpdatePod(pod, workers::UpdateType::kSync);
                           }
                         });

  // ---- HTTP endpoints ----
  server::NodeServerHandlers handlers;
  handlers.pods = [&] { return kubelet::GetPods(pod_manager, statuses); };
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

  // The pod sources (upstream makePodSourceConfig); they deliver into pod_config. Their channels
  // are registered before housekeeping starts, so that it waits for every source's first pods.
  std::vector<std::unique_ptr<config::PodSource>> sources;
  if (!config_.static_pod_path.empty()) {
    sources.push_back(std::make_unique<config::FilePodSource>(
        static_pods::FileSourceOptions{config_.static_pod_path, options_.hostname_override, config_.file_check_frequency},
        log, static_pods::NewInotifyWatcher(config_.static_pod_path), &timers, pod_config.Channel(config::kFileSource)));
  }
  if (!config_.static_pod_url.empty()) {
    auto http = config::HttpSource::Create({.url = config_.static_pod_url,
                                            .header = config_.static_pod_url_header,
                                            .node_name = options_.hostname_override,
                                            .check_frequency = config_.http_check_frequency},
                                           log, &timers, pod_config.Channel(config::kHttpSource));
    if (!http.ok()) return http.status();
    sources.push_back(*std::move(http));
  }

  // ---- the loops ----
  const auto sources_ready = [&] { return pod_config.SeenAllSources(); };
  kubelet::PodCleanups cleanups(&pod_manager, sources_ready, &pleg, &pod_workers, &containers, &timers, log);
  kubelet::ContainerGC container_gc(&runtime, &pod_manager, sources_ready, &timers, log);
  pleg.Start();
  cleanups.Start();
  container_gc.Start();
  // upstream's syncTicker: pods whose resync time has passed are synced.
  TimerQueue::Handle sync_tick =
      timers.Every(absl::Seconds(1), [&] { pod_workers.SyncDue(); },
                   {.initial_delay = absl::Seconds(1), .name = "pod workers sync tick"});
  for (auto& source : sources) source->Start();

  log.Info("Node agent running", {{"node", options_.hostname_override}, {"staticPodPath", config_.static_pod_path},
                                  {"staticPodURL", config_.static_pod_url},
                                  {"nodeIP", node_ips.empty() ? "" : node_ips[0]}});
  WaitForStop(stop);

  log.Info("Shutting down node agent");
  sources.clear();  // first: nothing new arrives while the rest shuts down
  timers.Stop();
  pod_workers.Stop();
  return absl::OkStatus();
}

}  // namespace cubelet
