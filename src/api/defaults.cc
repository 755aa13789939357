#include "api/defaults.h"

namespace cubelet::api {
namespace {

void SetProbeDefaults(std::optional<Probe>& p) {
  if (!p) return;
  if (p->timeout_seconds == 0) p->timeout_seconds = 1;
  if (p->period_seconds == 0) p->period_seconds = 10;
  if (p->success_threshold == 0) p->success_threshold = 1;
  if (p->failure_threshold == 0) p->failure_threshold = 3;
  if (p->handler.http_get && p->handler.http_get->scheme.empty()) p->handler.http_get->scheme = "HTTP";
  if (p->handler.http_get && p->handler.http_get->path.empty()) p->handler.http_get->path = "/";
}

void SetContainerDefaults(Container& c, bool host_network) {
  if (c.termination_message_path.empty()) c.termination_message_path = "/dev/termination-log";
  if (c.termination_message_policy.empty()) c.termination_message_policy = "File";
  if (c.image_pull_policy.empty()) c.image_pull_policy = DefaultImagePullPolicy(c.image);
  for (auto& p : c.ports) {
    if (p.protocol.empty()) p.protocol = "TCP";
    if (host_network && p.host_port == 0) p.host_port = p.container_port;
  }
  // Requests default to limits for every resource that has a limit and no request.
  for (const auto& [name, q] : c.resources.limits) c.resources.requests.emplace(name, q);
  SetProbeDefaults(c.liveness_probe);
  SetProbeDefaults(c.readiness_probe);
  SetProbeDefaults(c.startup_probe);
  if (c.lifecycle) {
    for (auto* h : {&c.lifecycle->post_start, &c.lifecycle->pre_stop}) {
      if (*h && (*h)->http_get && (*h)->http_get->scheme.empty()) (*h)->http_get->scheme = "HTTP";
    }
  }
}

}  // namespace

std::string DefaultImagePullPolicy(const std::string& image) {
  if (image.find('@') != std::string::npos) return "IfNotPresent";
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  const bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!has_tag || image.substr(colon + 1) == "latest") return "Always";
  return "IfNotPresent";
}

void SetPodDefaults(Pod* pod) {
  if (pod->metadata.namespace_.empty()) pod->metadata.namespace_ = "default";
  PodSpec& s = pod->spec;
  if (s.restart_policy.empty()) s.restart_policy = "Always";
  if (!s.termination_grace_period_seconds) s.termination_grace_period_seconds = 30;
  if (s.dns_policy.empty()) s.dns_policy = "ClusterFirst";
  if (s.scheduler_name.empty()) s.scheduler_name = "default-scheduler";
  if (!s.enable_service_links) s.enable_service_links = true;
  if (!s.security_context) s.security_context = PodSecurityContext{};
  for (auto& v : s.volumes) {
    if (v.empty_dir == std::nullopt && v.host_path == std::nullopt && v.other_source.empty()) {
      v.empty_dir = EmptyDirVolumeSource{};  // a volume with no source is an emptyDir
    }
  }
  for (auto& c : s.init_containers) SetContainerDefaults(c, s.host_network);
  for (auto& c : s.containers) SetContainerDefaults(c, s.host_network);
  if (pod->status.phase.empty()) pod->status.phase = "Pending";
}

}  // namespace cubelet::api
