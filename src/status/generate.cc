#include "status/generate.h"

#include <map>

#include "absl/strings/str_join.h"
#include "api/qos.h"
#include "common/strings.h"
#include "kuberuntime/pod_actions.h"
#include "kuberuntime/termination_message.h"

namespace cubelet::status {
namespace {

using kuberuntime::ContainerRuntimeStatus;

absl::Time FromNanos(int64_t ns) { return absl::FromUnixNanos(ns); }

api::ContainerState ToApiState(const ContainerRuntimeStatus& c, const std::string& runtime_name,
                               const api::Container* spec) {
  api::ContainerState s;
  const auto& st = c.status;
  switch (st.state) {
    case cri::ContainerState::kRunning:
      s.running = api::ContainerStateRunning{FromNanos(st.started_at)};
      break;
    case cri::ContainerState::kCreated:
      s.waiting = api::ContainerStateWaiting{};
      break;
    case cri::ContainerState::kExited: {
      api::ContainerStateTerminated t;
      t.exit_code = st.exit_code;
      t.reason = st.reason;
      t.message = st.message;
      if (st.started_at > 0) t.started_at = FromNanos(st.started_at);
      if (st.finished_at > 0) t.finished_at = FromNanos(st.finished_at);
      t.container_id = StrCat(runtime_name, "://", st.id);
      std::string msg = kuberuntime::ReadTerminationMessageFile(c.identity.termination_message_host_path);
      const std::string policy = spec != nullptr ? spec->termination_message_policy : c.identity.termination_message_policy;
      if (msg.empty() && policy == "FallbackToLogsOnError" && st.exit_code != 0 && st.reason != "ContainerCannotRun") {
        msg = kuberuntime::TailCriLog(st.log_path, kuberuntime::kMaxTerminationMessageLogLines,
                                      kuberuntime::kMaxTerminationMessageLogBytes);
      }
      if (!msg.empty()) t.message = t.message.empty() ? msg : StrCat(t.message, ": ", msg);
      s.terminated = std::move(t);
      break;
    }
    case cri::ContainerState::kUnknown:
      s.terminated = api::ContainerStateTerminated{137, 0, "ContainerStatusUnknown",
                                                   "The container could not be located when the pod was terminated",
                                                   std::nullopt, std::nullopt, StrCat(runtime_name, "://", st.id)};
      break;
  }
  return s;
}

std::vector<api::ContainerStatus> ConvertStatuses(const api::Pod& pod, const std::vector<api::Container>& containers,
                                                  bool is_init, const kuberuntime::RuntimePodStatus& runtime,
                                                  const StatusInputs& in) {
  std::vector<api::ContainerStatus> out;
  for (const auto& c : containers) {
    api::ContainerStatus s;
    s.name = c.name;
    s.image = c.image;
    const auto all = runtime.FindAll(c.name);
    if (all.empty()) {
      // upstream's default waiting state, for init and regular containers alike.
      const bool initializing = !pod.spec.init_containers.empty();
      s.state.waiting = api::ContainerStateWaiting{initializing ? "PodInitializing" : "ContainerCreating", ""};
      s.started = false;
    } else {
      const ContainerRuntimeStatus& newest = *all[0];
      s.state = ToApiState(newest, in.runtime_name, &c);
      s.restart_count = newest.identity.restart_count;
      s.container_id = StrCat(in.runtime_name, "://", newest.status.id);
      if (!newest.status.image.image.empty()) s.image = newest.status.image.user_specified_image.empty()
                                                            ? newest.status.image.image
                                                            : newest.status.image.user_specified_image;
      s.image_id = newest.status.image_id.empty() ? newest.status.image_ref : newest.status.image_id;
      if (all.size() > 1) s.last_state = ToApiState(*all[1], in.runtime_name, &c);
      const bool running = newest.status.state == cri::ContainerState::kRunning;
      std::optional<bool> startup = in.probes.startup ? in.probes.startup(newest.status.id) : std::nullopt;
      std::optional<bool> readiness = in.probes.readiness ? in.probes.readiness(newest.status.id) : std::nullopt;
      s.started = running && (!c.startup_probe || startup.value_or(false));
      s.ready = running && *s.started && (!c.readiness_probe || readiness.value_or(false));
      if (is_init && c.restart_policy != "Always") {
        // A regular init container is ready once it has finished successfully, not while it runs.
        s.ready = newest.status.state == cri::ContainerState::kExited && newest.status.exit_code == 0;
      }
    }
    // A start error stands for the state of a container that is (re)started next.
    if (in.reasons != nullptr) {
      if (auto err = in.reasons->Get(pod.metadata.uid, c.name)) {
        const bool completed_init = is_init && s.state.terminated && s.state.terminated->exit_code == 0;
        const bool restart = all.empty() || kuberuntime::ShouldContainerBeRestarted(c, pod, runtime);
        if (!s.state.running && !completed_init && restart) {
          if (s.state.terminated) s.last_state = s.state;
          s.state = api::ContainerState{};
          s.state.waiting = api::ContainerStateWaiting{err->reason, err->message};
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

api::PodCondition Condition(const std::string& type, bool ok, const std::string& reason, const std::string& message,
                            const StatusInputs& in) {
  api::PodCondition c{type, ok ? "True" : "False", std::nullopt, in.now, ok ? "" : reason, ok ? "" : message};
  if (in.previous != nullptr) {
    for (const auto& p : in.previous->conditions) {
      if (p.type == type && p.status == c.status && p.last_transition_time) c.last_transition_time = p.last_transition_time;
    }
  }
  return c;
}

std::string Bracketed(const std::vector<std::string>& names) { return StrCat("[", absl::StrJoin(names, " "), "]"); }

}  // namespace

std::string GetPhase(const api::Pod& pod, const std::vector<api::ContainerStatus>& init_statuses,
                     const std::vector<api::ContainerStatus>& statuses) {
  int pending_init = 0, failed_init = 0;
  for (const auto& c : pod.spec.init_containers) {
    const api::ContainerStatus* s = nullptr;
    for (const auto& x : init_statuses) {
      if (x.name == c.name) s = &x;
    }
    if (s == nullptr || s->state.running) {
      ++pending_init;
    } else if (s->state.terminated) {
      if (s->state.terminated->exit_code != 0) ++failed_init;
    } else if (s->state.waiting) {
      if (s->last_state.terminated && s->last_state.terminated->exit_code != 0) ++failed_init;
      else ++pending_init;
    } else {
      ++pending_init;
    }
  }
  int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& c : pod.spec.containers) {
    const api::ContainerStatus* s = nullptr;
    for (const auto& x : statuses) {
      if (x.name == c.name) s = &x;
    }
    if (s == nullptr) {
      ++unknown;
    } else if (s->state.running) {
      ++running;
    } else if (s->state.terminated) {
      ++stopped;
      if (s->state.terminated->exit_code == 0) ++succeeded;
    } else if (s->state.waiting) {
      if (s->last_state.terminated) ++stopped;
      else ++waiting;
    } else {
      ++unknown;
    }
  }
  if (failed_init > 0 && pod.spec.restart_policy == "Never") return "Failed";
  // Init containers still have work and no regular container has started yet.
  if ((pending_init > 0 || failed_init > 0) && running == 0 && stopped == 0) return "Pending";
  if (waiting > 0) return "Pending";
  if (running > 0 && unknown == 0) return "Running";
  if (running == 0 && stopped > 0 && unknown == 0) {
    if (pod.spec.restart_policy == "Always") return "Running";
    if (stopped == succeeded) return "Succeeded";
    if (pod.spec.restart_policy == "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

api::PodStatus GenerateApiPodStatus(const api::Pod& pod, const kuberuntime::RuntimePodStatus& runtime,
                                    const StatusInputs& in) {
  api::PodStatus s;
  s.init_container_statuses = ConvertStatuses(pod, pod.spec.init_containers, true, runtime, in);
  s.container_statuses = ConvertStatuses(pod, pod.spec.containers, false, runtime, in);
  s.phase = GetPhase(pod, s.init_container_statuses, s.container_statuses);
  if (in.previous != nullptr && (in.previous->phase == "Succeeded" || in.previous->phase == "Failed")) {
    s.phase = in.previous->phase;  // a terminal phase is never left
  }
  if (in.previous != nullptr && in.previous->phase == s.phase) {
    // Reason and message (an admission rejection, say) stay while the phase does.
    s.reason = in.previous->reason;
    s.message = in.previous->message;
  }
  s.qos_class = api::GetPodQos(pod);
  if (!in.node_ips.empty()) {
    s.host_ip = in.node_ips[0];
    for (const auto& ip : in.node_ips) s.host_ips.push_back({ip});
  }
  std::vector<std::string> ips = pod.spec.host_network ? in.node_ips : runtime.PodIps();
  if (ips.empty() && in.previous != nullptr && !pod.spec.host_network && s.phase != "Running") {
    for (const auto& ip : in.previous->pod_ips) ips.push_back(ip.ip);  // keep the IP a finished pod had
  }
  if (!ips.empty()) {
    s.pod_ip = ips[0];
    for (const auto& ip : ips) s.pod_ips.push_back({ip});
  }
  s.start_time = in.previous != nullptr && in.previous->start_time ? in.previous->start_time : std::optional(in.now);

  // Conditions, in upstream's order.
  const bool sandbox_ready = !runtime.sandboxes.empty() &&
                             runtime.sandboxes[0].state == cri::PodSandboxState::kReady &&
                             (pod.spec.host_network || !runtime.sandboxes[0].ip.empty());
  s.conditions.push_back(Condition("PodReadyToStartContainers", sandbox_ready, "", "", in));

  std::vector<std::string> incomplete_init;
  bool any_regular_started = false;
  for (const auto& c : s.container_statuses) {
    if (c.state.running || c.state.terminated || c.last_state.terminated) any_regular_started = true;
  }
  for (const auto& c : s.init_container_statuses) {
    if (!c.ready) incomplete_init.push_back(c.name);
  }
  const bool initialized = incomplete_init.empty() || any_regular_started || s.phase == "Succeeded";
  s.conditions.push_back(Condition("Initialized", initialized,
                                   s.phase == "Succeeded" ? "PodCompleted" : "ContainersNotInitialized",
                                   StrCat("containers with incomplete status: ", Bracketed(incomplete_init)), in));

  std::vector<std::string> unready;
  for (const auto& c : s.container_statuses) {
    if (!c.ready) unready.push_back(c.name);
  }
  std::string reason = "ContainersNotReady";
  std::string message = StrCat("containers with unready status: ", Bracketed(unready));
  bool ready = unready.empty();
  if (s.phase == "Succeeded") {
    ready = false;
    reason = "PodCompleted";
    message = "";
  } else if (s.phase == "Failed") {
    ready = false;
    reason = "PodFailed";
    message = "";
  }
  s.conditions.push_back(Condition("ContainersReady", ready, reason, message, in));
  s.conditions.push_back(Condition("Ready", ready, reason, message, in));
  s.conditions.push_back(Condition("PodScheduled", true, "", "", in));
  return s;
}

}  // namespace cubelet::status
