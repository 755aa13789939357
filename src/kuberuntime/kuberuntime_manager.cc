#include "kuberuntime/kuberuntime_manager.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>

#include "absl/strings/numbers.h"
#include "common/duration.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "kuberuntime/container_config.h"
#include "kuberuntime/etc_hosts.h"
#include "kuberuntime/labels.h"
#include "kuberuntime/lifecycle_handlers.h"
#include "kuberuntime/sandbox_config.h"
#include "volumes/subpath.h"

namespace cubelet::kuberuntime {
namespace {

namespace fs = std::filesystem;

std::string BackoffKey(const api::Pod& pod, const api::Container& c) {
  return StrCat(pod.metadata.name, "_", pod.metadata.namespace_, "_", pod.metadata.uid, "_", c.name, "_",
                HashContainer(c));
}

std::string RandomHex8() {
  static thread_local std::mt19937 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(8, '0');
  for (auto& ch : s) ch = kHex[rng() & 0xf];
  return s;
}

template <typename T>
void SortNewestFirst(std::vector<T>& v) {
  std::sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.created_at > b.created_at; });
}

}  // namespace

KubeRuntimeManager::KubeRuntimeManager(cri::RuntimeService* runtime, cri::ImageService* images,
                                       volumes::VolumeManager* volumes, PodCgroups* pod_cgroups,
                                       RuntimeOptions options, Logger logger, Clock* clock, int kill_threads)
    : runtime_(runtime),
      images_(images),
      volumes_(volumes),
      pod_cgroups_(pod_cgroups),
      options_(std::move(options)),
      logger_(logger),
      clock_(clock),
      crash_backoff_(clock, absl::Seconds(10), absl::Seconds(300)),
      image_backoff_(clock, absl::Seconds(10), absl::Seconds(300)),
      image_manager_(images, &image_backoff_, logger),
      killer_(runtime, clock, logger, kill_threads) {}

absl::StatusOr<RuntimePodStatus> KubeRuntimeManager::GetPodStatus(const std::string& uid, const std::string& name,
                                                                  const std::string& namespace_) {
  RuntimePodStatus out;
  out.uid = uid;
  out.name = name;
  out.namespace_ = namespace_;
  ASSIGN_OR_RETURN(auto sandboxes, runtime_->ListPodSandbox({.id = "", .state = std::nullopt,
                                                            .label_selector = {{kPodUidLabel, uid}}}));
  for (const auto& sb : sandboxes) {
    auto st = runtime_->GetPodSandboxStatus(sb.id);
    if (st.status().code() == absl::StatusCode::kNotFound) continue;  // removed meanwhile
    if (!st.ok()) return st.status();
    out.sandboxes.push_back(std::move(*st));
  }
  SortNewestFirst(out.sandboxes);
  ASSIGN_OR_RETURN(auto containers, runtime_->ListContainers({.id = "", .state = std::nullopt, .pod_sandbox_id = "",
                                                              .label_selector = {{kPodUidLabel, uid}}}));
  for (const auto& c : containers) {
    auto st = runtime_->GetContainerStatus(c.id);
    if (st.status().code() == absl::StatusCode::kNotFound) continue;
    if (!st.ok()) return st.status();
    ContainerRuntimeStatus crs{std::move(*st), {}, c.pod_sandbox_id};
    crs.identity = ReadContainerIdentity(crs.status.labels, crs.status.annotations);
    out.containers.push_back(std::move(crs));
  }
  std::sort(out.containers.begin(), out.containers.end(),
            [](const auto& a, const auto& b) { return a.status.created_at > b.status.created_at; });
  return out;
}

absl::StatusOr<std::vector<RuntimePodStatus>> KubeRuntimeManager::ListPodStatuses() {
  ASSIGN_OR_RETURN(auto sandboxes, runtime_->ListPodSandbox({}));
  ASSIGN_OR_RETURN(auto containers, runtime_->ListContainers({}));
  return GroupPodStatuses(sandboxes, containers);
}

std::vector<RuntimePodStatus> GroupPodStatuses(const std::vector<cri::PodSandbox>& sandboxes,
                                               const std::vector<cri::Container>& containers) {
  std::map<std::string, RuntimePodStatus> pods;
  for (const auto& sb : sandboxes) {
    auto uid = sb.labels.find(kPodUidLabel);
    if (uid == sb.labels.end()) continue;  // not a Kubernetes pod
    auto& p = pods[uid->second];
    p.uid = uid->second;
    p.name = sb.metadata.name;
    p.namespace_ = sb.metadata.namespace_;
    cri::PodSandboxStatus s;
    s.id = sb.id;
    s.metadata = sb.metadata;
    s.state = sb.state;
    s.created_at = sb.created_at;
    s.labels = sb.labels;
    s.annotations = sb.annotations;
    p.sandboxes.push_back(std::move(s));
  }
  for (const auto& c : containers) {
    ContainerIdentity id = ReadContainerIdentity(c.labels, c.annotations);
    if (id.pod_uid.empty()) continue;
    auto& p = pods[id.pod_uid];
    p.uid = id.pod_uid;
    if (p.name.empty()) p.name = id.pod_name;
    if (p.namespace_.empty()) p.namespace_ = id.pod_namespace;
    cri::ContainerStatus s;
    s.id = c.id;
    s.metadata = c.metadata;
    s.state = c.state;
    s.created_at = c.created_at;
    s.image = c.image;
    s.image_ref = c.image_ref;
    s.labels = c.labels;
    s.annotations = c.annotations;
    p.containers.push_back({std::move(s), std::move(id), c.pod_sandbox_id});
  }
  std::vector<RuntimePodStatus> out;
  for (auto& [uid, p] : pods) {
    SortNewestFirst(p.sandboxes);
    std::sort(p.containers.begin(), p.containers.end(),
              [](const auto& a, const auto& b) { return a.status.created_at > b.status.created_at; });
    out.push_back(std::move(p));
  }
  return out;
}

int32_t KubeRuntimeManager::RestartCountFromLogs(const api::Pod& pod, const std::string& container) const {
  // After the old instances were garbage-collected, the log files still count the restarts.
  auto dir = BuildContainerLogsDirectory(options_.pod_logs_dir, pod.metadata.namespace_, pod.metadata.name,
                                        pod.metadata.uid, container);
  if (!dir.ok()) return 0;
  std::error_code ec;
  int32_t next = 0;
  static const std::regex kLog(R"(^(\d+)\.log(\..*)?$)");
  for (const auto& e : fs::directory_iterator(*dir, ec)) {
    std::smatch m;
    const std::string name = e.path().filename().string();
    int32_t n = 0;
    if (std::regex_match(name, m, kLog) && absl::SimpleAtoi(m[1].str(), &n) && n < INT32_MAX) {
      next = std::max(next, n + 1);
    }
  }
  return next;
}

absl::Status KubeRuntimeManager::StartContainer(const api::Pod& pod, const api::Container& container, bool is_init,
                                                const std::string& sandbox_id,
                                                const cri::PodSandboxConfig& sandbox_config,
                                                const RuntimePodStatus& status,
                                                const std::vector<std::string>& pod_ips,
                                                const std::map<std::string, std::string>& volumes,
                                          std::stop_token cancelled) {
  const ContainerRuntimeStatus* previous = status.FindContainer(container.name);
  auto fail = [&](StartError e) {
    logger_.Warning("Failed to start container",
                    {{"pod", api::PodKey(pod)}, {"container", container.name}, {"reason", e.reason},
                     {"message", e.message}});
    absl::Status s = absl::UnavailableError(StrCat(e.reason, ": ", e.message));
    reasons_.Set(pod.metadata.uid, container.name, std::move(e));
    return s;
  };

  // Crash-loop back-off, keyed by the container's definition.
  bool killed_for_restart = false;
  if (previous != nullptr) {
    std::lock_guard<std::mutex> l(restarts_mu_);
    killed_for_restart = killed_for_restart_.erase(previous->status.id) > 0;
  }
  if (previous != nullptr && previous->status.state == cri::ContainerState::kExited && !killed_for_restart) {
    const std::string key = BackoffKey(pod, container);
    const absl::Time finished = absl::FromUnixNanos(previous->status.finished_at);
    if (crash_backoff_.IsInBackOffSince(key, finished)) {
      return fail({"CrashLoopBackOff",
                   StrCat("back-off ", FormatGoDuration(crash_backoff_.Get(key)),
                          " restarting failed container=", container.name, " pod=", pod.metadata.name, "_",
                          pod.metadata.namespace_, "(", pod.metadata.uid, ")")});
    }
    crash_backoff_.Next(key, finished);
  }

  StartError image_error;
  auto image_ref = image_manager_.EnsureImageExists(pod, container, sandbox_config, cancelled, &image_error);
  if (!image_ref.ok()) return fail(image_error);

  if (absl::Status non_root = VerifyRunAsNonRoot(pod, container, *image_ref); !non_root.ok()) {
    return fail({"CreateContainerConfigError", std::string(non_root.message())});
  }

  ContainerContext ctx;
  ctx.restart_count = previous != nullptr ? previous->identity.restart_count + 1 : RestartCountFromLogs(pod, container.name);
  ctx.image_ref = *image_ref;
  ctx.pod_ips = pod_ips;
  ctx.volumes = volumes;
  ctx.is_init = is_init;
  auto pod_dir_or = volumes_->PodDir(pod.metadata.uid);
  if (!pod_dir_or.ok()) return fail({"CreateContainerConfigError", std::string(pod_dir_or.status().message())});
  const std::string pod_dir = *std::move(pod_dir_or);
  // subPaths are opened without following symlinks and bind-mounted beneath the pod dir, so what
  // the runtime mounts is what was checked (upstream's safe subpath).
  auto sub_paths = volumes::PrepareSubPaths(pod_dir, container, volumes);
  if (!sub_paths.ok()) return fail({"CreateContainerConfigError", std::string(sub_paths.status().message())});
  ctx.sub_paths = *std::move(sub_paths);
  if (!pod.spec.host_network) ctx.etc_hosts_path = StrCat(pod_dir, "/etc-hosts");
  if (!container.termination_message_path.empty()) {
    auto dir_or = volumes_->PodContainerDir(pod.metadata.uid, container.name);
    if (!dir_or.ok()) return fail({"CreateContainerConfigError", std::string(dir_or.status().message())});
    const std::string dir = *std::move(dir_or);
    std::error_code ec;
    fs::create_directories(dir, ec);
    ctx.termination_message_host_path = StrCat(dir, "/", RandomHex8());
    std::ofstream(ctx.termination_message_host_path).flush();
    ::chmod(ctx.termination_message_host_path.c_str(), 0666);
  }
  auto config = GenerateContainerConfig(pod, container, ctx, options_);
  if (!config.ok()) return fail({"CreateContainerConfigError", std::string(config.status().message())});

  std::error_code ec;
  auto log_dir = BuildContainerLogsDirectory(options_.pod_logs_dir, pod.metadata.namespace_, pod.metadata.name,
                                            pod.metadata.uid, container.name);
  if (!log_dir.ok()) return fail({"CreateContainerConfigError", std::string(log_dir.status().message())});
  fs::create_directories(*log_dir, ec);
  auto id = runtime_->CreateContainer(sandbox_id, *config, sandbox_config);
  if (!id.ok()) return fail({"CreateContainerError", std::string(id.status().message())});
  logger_.VInfo(2, "Created container", {{"pod", api::PodKey(pod)}, {"container", container.name},
                                         {"containerID", *id}, {"restartCount", ctx.restart_count}});
  absl::Status started = runtime_->StartContainer(*id);
  if (!started.ok()) return fail({"RunContainerError", std::string(started.message())});
  logger_.Info("Started container", {{"pod", api::PodKey(pod)}, {"container", container.name}, {"containerID", *id}});
  if (container.lifecycle && container.lifecycle->post_start) {
    absl::Status hook = RunLifecycleHandler(*runtime_, *container.lifecycle->post_start, *id, container, pod_ips,
                                            absl::Seconds(30));
    if (!hook.ok()) {
      logger_.Warning("PostStartHook failed", {{"pod", api::PodKey(pod)}, {"container", container.name},
                                               {"event", "FailedPostStartHook"}, {"err", hook}});
      (void)killer_.KillContainers({{.container_id = *id,
                                     .name = container.name,
                                     .grace_seconds = pod.spec.termination_grace_period_seconds.value_or(30),
                                     .reason = "FailedPostStartHook",
                                     .spec = std::nullopt,
                                     .pod_ips = {}}},
                                   cancelled);
      return fail({"PostStartHookError", std::string(hook.message())});
    }
  }
  reasons_.Clear(pod.metadata.uid, container.name);
  return absl::OkStatus();
}

absl::Status KubeRuntimeManager::VerifyRunAsNonRoot(const api::Pod& pod, const api::Container& container,
                                                    const std::string& image_ref) {
  const api::SecurityContext c = container.security_context.value_or(api::SecurityContext{});
  const api::PodSecurityContext p = pod.spec.security_context.value_or(api::PodSecurityContext{});
  const bool non_root = c.run_as_non_root ? *c.run_as_non_root : p.run_as_non_root.value_or(false);
  if (!non_root) return absl::OkStatus();
  const std::string who = StrCat("(pod: \"", pod.metadata.name, "_", pod.metadata.namespace_, "(", pod.metadata.uid,
                                 ")\", container: ", container.name, ")");
  const std::optional<int64_t> run_as = c.run_as_user ? c.run_as_user : p.run_as_user;
  if (run_as) {
    if (*run_as == 0) return absl::FailedPreconditionError(StrCat("container's runAsUser breaks non-root policy ", who));
    return absl::OkStatus();
  }
  // The image's own user decides; an image that names none runs as root.
  auto image = images_->ImageStatus({image_ref, {}, container.image, ""});
  if (!image.ok()) return image.status();
  if (image->has_value() && (*image)->uid) {
    if (*(*image)->uid == 0) return absl::FailedPreconditionError(StrCat("container has runAsNonRoot and image will run as root ", who));
    return absl::OkStatus();
  }
  if (image->has_value() && !(*image)->username.empty()) {
    return absl::FailedPreconditionError(StrCat("container has runAsNonRoot and image has non-numeric user (",
                                                (*image)->username, "), cannot verify user is non-root ", who));
  }
  return absl::FailedPreconditionError(StrCat("container has runAsNonRoot and image will run as root ", who));
}

std::vector<ContainerKill> KubeRuntimeManager::PodContainerKills(const api::Pod* pod, const RuntimePodStatus& status,
                                                                 std::optional<int64_t> grace_period_override) const {
  std::vector<ContainerKill> kills;
  for (const auto& c : status.containers) {
    if (c.status.state == cri::ContainerState::kExited) continue;
    // upstream setTerminationGracePeriod; a pod no source knows has only its annotations.
    int64_t grace = 30;
    if (grace_period_override) {
      grace = *grace_period_override;
    } else if (pod != nullptr && pod->metadata.deletion_grace_period_seconds) {
      grace = *pod->metadata.deletion_grace_period_seconds;
    } else if (pod != nullptr && pod->spec.termination_grace_period_seconds) {
      grace = *pod->spec.termination_grace_period_seconds;
    } else if (c.identity.pod_termination_grace_period) {
      grace = *c.identity.pod_termination_grace_period;
    }
    std::optional<api::Container> spec;
    if (pod != nullptr) {
      for (const auto* list : {&pod->spec.containers, &pod->spec.init_containers}) {
        for (const auto& x : *list) {
          if (x.name == c.identity.container_name) spec = x;
        }
      }
    }
    kills.push_back({.container_id = c.status.id,
                     .name = c.identity.container_name,
                     .grace_seconds = grace,
                     .reason = "pod is being killed",
                     .spec = std::move(spec),
                     .pod_ips = status.PodIps()});
  }
  return kills;
}

absl::Status KubeRuntimeManager::StopPodSandboxes(const std::vector<cri::PodSandboxStatus>& sandboxes) {
  for (const auto& sb : sandboxes) {
    if (sb.state != cri::PodSandboxState::kReady) continue;
    absl::Status s = runtime_->StopPodSandbox(sb.id);
    if (!s.ok() && s.code() != absl::StatusCode::kNotFound) {
      return Annotate(s, StrCat("stop pod sandbox ", sb.id));
    }
  }
  return absl::OkStatus();
}

void KubeRuntimeManager::KillPodAsync(const api::Pod* pod, const RuntimePodStatus& status,
                                      std::optional<int64_t> grace_period_override, std::stop_token cancel,
                                      KillDone done) {
  // The sandboxes stop once every container did (upstream killPodWithSyncResult), on the pool
  // thread that finished the last container; on an error they are left for the retry.
  killer_.KillContainersAsync(
      PodContainerKills(pod, status, grace_period_override), std::move(cancel),
      [this, sandboxes = status.sandboxes, done = std::move(done)](absl::Status s) mutable {
        if (s.ok()) s = StopPodSandboxes(sandboxes);
        std::move(done)(std::move(s));
      });
}

absl::Status KubeRuntimeManager::KillPod(const api::Pod* pod, const RuntimePodStatus& status,
                                         std::optional<int64_t> grace_period_override) {
  RETURN_IF_ERROR(killer_.KillContainers(PodContainerKills(pod, status, grace_period_override), {}));
  return StopPodSandboxes(status.sandboxes);
}

absl::Status KubeRuntimeManager::ResizeContainers(const api::Pod& pod, const std::vector<ContainerToUpdate>& updates) {
  (void)pod_cgroups_->ResizePodCgroup(pod);  // may fail for a shrinking limit
  for (const auto& u : updates) {
    absl::Status s = runtime_->UpdateContainerResources(u.container_id, u.resources);
    if (!s.ok()) {
      logger_.Error("Failed to resize container", {{"pod", api::PodKey(pod)}, {"containerName", u.name}, {"err", s}});
      return Annotate(s, StrCat("resize container \"", u.name, "\""));
    }
    logger_.Info("Resized container in place",
                 {{"pod", api::PodKey(pod)}, {"containerName", u.name}, {"cpuShares", u.resources.cpu_shares},
                  {"cpuQuota", u.resources.cpu_quota}, {"memoryLimit", u.resources.memory_limit_in_bytes}});
  }
  RETURN_IF_ERROR(Annotate(pod_cgroups_->ResizePodCgroup(pod), "resize the pod cgroup"));
  return absl::OkStatus();
}

PodSyncResult KubeRuntimeManager::SyncPod(const api::Pod& pod, const RuntimePodStatus& status,
                                          const ProbeKills& probe_kills, std::stop_token cancelled,
                                          KillDone kills_done) {
  PodSyncResult result;
  auto stop_if_cancelled = [&](std::string_view before) {
    if (!cancelled.stop_requested()) return false;
    result.error = absl::CancelledError(StrCat("sync of pod ", api::PodKey(pod), " cancelled before ", before));
    return true;
  };
  PodActions actions = ComputePodActions(pod, status, probe_kills);
  PodResize resize;
  if (options_.in_place_resize) {
    resize = ComputePodResize(pod, status, actions, options_);
    // RestartContainer: the container is killed and started again in this sync.
    actions.containers_to_kill.insert(actions.containers_to_kill.end(), resize.restart.begin(), resize.restart.end());
    actions.containers_to_start.insert(actions.containers_to_start.end(), resize.restart_indexes.begin(),
                                       resize.restart_indexes.end());
  }
  logger_.VInfo(3, "computePodActions got actions for pod",
                {{"pod", api::PodKey(pod)}, {"killPod", actions.kill_pod}, {"createSandbox", actions.create_sandbox},
                 {"attempt", static_cast<long long>(actions.attempt)},
                 {"containersToStart", static_cast<long long>(actions.containers_to_start.size())},
                 {"containersToKill", static_cast<long long>(actions.containers_to_kill.size())}});

  // 1. Kill what must go. Kills take up to a grace period: they run on the kill pool and this
  // sync ends; the next sync, once they finished, goes on from the new state (upstream does
  // them inline on the pod's own goroutine; our pod workers share a few threads).
  if (actions.kill_pod) {
    if (actions.create_sandbox && !actions.sandbox_id.empty()) {
      logger_.Info("Pod sandbox changed, it will be killed and re-created", {{"pod", api::PodKey(pod)}});
    }
    std::vector<ContainerKill> kills = PodContainerKills(&pod, status, std::nullopt);
    if (!kills.empty()) {
      killer_.KillContainersAsync(std::move(kills), cancelled,
                                  [this, sandboxes = status.sandboxes, done = std::move(kills_done)](absl::Status s) mutable {
                                    if (s.ok()) s = StopPodSandboxes(sandboxes);
                                    std::move(done)(std::move(s));
                                  });
      result.kills_started = true;
      return result;
    }
    if (absl::Status s = StopPodSandboxes(status.sandboxes); !s.ok()) {
      result.error = s;
      return result;
    }
    if (actions.create_sandbox) {
      // The init containers of the old sandbox run again from the first.
      for (const auto& c : status.containers) {
        if (c.identity.is_init) (void)runtime_->RemoveContainer(c.status.id);
      }
    }
  } else if (!actions.containers_to_kill.empty()) {
    std::vector<ContainerKill> kills;
    for (const auto& k : actions.containers_to_kill) {
      std::optional<api::Container> spec;
      for (const auto& x : pod.spec.containers) {
        if (x.name == k.name) spec = x;
      }
      kills.push_back({.container_id = k.container_id,
                       .name = k.name,
                       .grace_seconds =
                           k.grace_period_override.value_or(pod.spec.termination_grace_period_seconds.value_or(30)),
                       .reason = k.message,
                       .spec = std::move(spec),
                       .pod_ips = status.PodIps()});
    }
    {
      std::lock_guard<std::mutex> l(restarts_mu_);
      for (const auto& k : actions.containers_to_kill) killed_for_restart_.insert(k.container_id);
    }
    killer_.KillContainersAsync(std::move(kills), cancelled, std::move(kills_done));
    result.kills_started = true;
    return result;
  }

  // 1b. Resize what can change in place.
  if (!resize.update.empty()) {
    if (absl::Status s = ResizeContainers(pod, resize.update); !s.ok()) {
      result.error = s;
      return result;
    }
  }

  // 2. Keep only the newest exited instance of each init container.
  std::set<std::string> seen_init;
  for (const auto& c : status.containers) {
    if (!c.identity.is_init || c.status.state != cri::ContainerState::kExited) continue;
    if (!seen_init.insert(c.identity.container_name).second) (void)runtime_->RemoveContainer(c.status.id);
  }

  if (!actions.create_sandbox && actions.next_init_container == std::nullopt && actions.containers_to_start.empty()) {
    return result;
  }

  // 3. The pod's volumes and files must exist before anything starts.
  if (stop_if_cancelled("setting up volumes")) return result;
  auto volumes = volumes_->SetUpPod(pod);
  if (!volumes.ok()) {
    logger_.Error("Unable to set up volumes for pod", {{"pod", api::PodKey(pod)}, {"err", volumes.status()}});
    result.error = volumes.status();
    return result;
  }

  // 4. The sandbox.
  std::string sandbox_id = actions.sandbox_id;
  std::vector<std::string> pod_ips = status.PodIps();
  auto sandbox_config = GeneratePodSandboxConfig(pod, actions.attempt, options_);
  if (!sandbox_config.ok()) {
    result.error = sandbox_config.status();
    return result;
  }
  if (actions.create_sandbox) {
    if (stop_if_cancelled("creating the sandbox")) return result;
    std::error_code ec;
    fs::create_directories(sandbox_config->log_directory, ec);
    ::chmod(sandbox_config->log_directory.c_str(), 0755);
    auto id = runtime_->RunPodSandbox(*sandbox_config, pod.spec.runtime_class_name);
    if (!id.ok()) {
      logger_.Error("Failed to create pod sandbox", {{"pod", api::PodKey(pod)}, {"err", id.status()}});
      result.error = Annotate(id.status(), "CreatePodSandboxError");
      return result;
    }
    sandbox_id = *id;
    logger_.Info("Created pod sandbox", {{"pod", api::PodKey(pod)}, {"podSandboxID", sandbox_id},
                                         {"attempt", static_cast<long long>(actions.attempt)}});
    auto st = runtime_->GetPodSandboxStatus(sandbox_id);
    if (!st.ok()) {
      result.error = st.status();
      return result;
    }
    pod_ips.clear();
    if (!pod.spec.host_network && !st->ip.empty()) {
      pod_ips.push_back(st->ip);
      for (const auto& ip : st->additional_ips) pod_ips.push_back(ip);
    }
  }
  if (pod.spec.host_network) pod_ips = options_.node_ips;
  if (!pod.spec.host_network) {
    const std::string hosts = MakeEtcHostsContent(pod, pod_ips, PodHostname(pod), PodFqdn(pod, options_.cluster_domain));
    auto pod_dir = volumes_->PodDir(pod.metadata.uid);
    absl::Status w = pod_dir.ok() ? WriteEtcHosts(StrCat(*pod_dir, "/etc-hosts"), hosts) : pod_dir.status();
    if (!w.ok()) {
      result.error = w;
      return result;
    }
  }

  // 5. Init containers, one at a time: the next one starts once this one exited 0.
  if (actions.next_init_container) {
    const api::Container& c = pod.spec.init_containers[*actions.next_init_container];
    if (stop_if_cancelled(StrCat("starting init container \"", c.name, "\""))) return result;
    absl::Status s = StartContainer(pod, c, true, sandbox_id, *sandbox_config, status, pod_ips, *volumes, cancelled);
    if (!s.ok()) result.error = s;
    return result;
  }

  // 6. The regular containers.
  for (size_t i : actions.containers_to_start) {
    if (stop_if_cancelled(StrCat("starting container \"", pod.spec.containers[i].name, "\""))) return result;
    absl::Status s = StartContainer(pod, pod.spec.containers[i], false, sandbox_id, *sandbox_config, status,
                                    pod_ips, *volumes, cancelled);
    if (!s.ok() && result.error.ok()) result.error = s;
  }
  return result;
}

void KubeRuntimeManager::GarbageCollect(const std::set<std::string>& active_uids) {
  auto pods = ListPodStatuses();
  if (!pods.ok()) {
    logger_.Warning("Container garbage collection failed", {{"err", pods.status()}});
    return;
  }
  for (const auto& p : *pods) {
    const bool active = active_uids.contains(p.uid);
    std::map<std::string, int> instances;
    bool anything_alive = false;
    for (const auto& c : p.containers) {
      const int n = ++instances[c.identity.container_name];
      if (c.status.state != cri::ContainerState::kExited) {
        anything_alive = true;
        continue;
      }
      if (!active || n > 2) {
        absl::Status s = runtime_->RemoveContainer(c.status.id);
        if (s.ok()) logger_.VInfo(2, "Removed dead container", {{"containerID", c.status.id}, {"pod", p.name}});
      }
    }
    for (size_t i = 0; i < p.sandboxes.size(); ++i) {
      const auto& sb = p.sandboxes[i];
      if (sb.state == cri::PodSandboxState::kReady) {
        anything_alive = true;
        continue;
      }
      const bool has_containers = std::any_of(p.containers.begin(), p.containers.end(), [&](const auto& c) {
        return c.sandbox_id == sb.id && c.status.state != cri::ContainerState::kExited;
      });
      if (has_containers) continue;
      if (!active || i > 0) {
        absl::Status s = runtime_->RemovePodSandbox(sb.id);
        if (s.ok()) logger_.VInfo(2, "Removed dead sandbox", {{"podSandboxID", sb.id}, {"pod", p.name}});
      }
    }
    if (!active && !anything_alive && !p.name.empty()) {
      std::error_code ec;
      // The names come from the runtime's labels: a path that would leave the logs dir is skipped.
      auto dir = BuildPodLogsDirectory(options_.pod_logs_dir, p.namespace_, p.name, p.uid);
      if (dir.ok()) {
        fs::remove_all(*dir, ec);
      } else {
        logger_.Warning("Not removing the logs of a runtime pod", {{"pod", p.name}, {"err", dir.status()}});
      }
    }
  }
  crash_backoff_.GC();
  image_backoff_.GC();
}

}  // namespace cubelet::kuberuntime
