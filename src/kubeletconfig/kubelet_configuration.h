// Owns: the KubeletConfiguration (kubelet.config.k8s.io/v1beta1) that cubelet understands, its
// upstream defaults, loading it from a YAML or JSON file, and validating it.
// Does not own: command-line flags (flags.h), which are applied on top of a loaded config.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/logger.h"

namespace cubelet::kubeletconfig {

inline constexpr char kKubeletConfigApiVersion[] = "kubelet.config.k8s.io/v1beta1";
inline constexpr char kKubeletConfigKind[] = "KubeletConfiguration";

// Field names and defaults are upstream's (pkg/kubelet/apis/config/v1beta1/defaults.go).
struct KubeletConfiguration {
  std::string static_pod_path;
  // staticPodURL and its request headers (--manifest-url, --manifest-url-header): the http source.
  std::string static_pod_url;
  std::map<std::string, std::vector<std::string>> static_pod_url_header;
  std::string pod_logs_dir = "/var/log/pods";
  absl::Duration sync_frequency = absl::Minutes(1);
  absl::Duration file_check_frequency = absl::Seconds(20);
  absl::Duration http_check_frequency = absl::Seconds(20);
  std::string address = "0.0.0.0";
  int32_t port = 10250;
  int32_t read_only_port = 0;  // off, as upstream's config-file default
  int32_t healthz_port = 10248;
  std::string healthz_bind_address = "127.0.0.1";
  bool enable_server = true;
  bool enable_debugging_handlers = true;
  int32_t oom_score_adj = -999;
  std::string cluster_domain;
  std::vector<std::string> cluster_dns;
  absl::Duration streaming_connection_idle_timeout = absl::Hours(4);
  absl::Duration node_status_update_frequency = absl::Seconds(10);
  absl::Duration node_status_report_frequency = absl::Minutes(5);
  int32_t node_lease_duration_seconds = 40;
  absl::Duration image_minimum_gc_age = absl::Minutes(2);
  int32_t image_gc_high_threshold_percent = 85;
  int32_t image_gc_low_threshold_percent = 80;
  std::string cgroup_root;
  bool cgroups_per_qos = true;
  std::string cgroup_driver = "cgroupfs";
  absl::Duration runtime_request_timeout = absl::Minutes(2);
  std::string hairpin_mode = "promiscuous-bridge";
  int32_t max_pods = 110;
  std::string pod_cidr;
  int64_t pod_pids_limit = -1;
  std::string resolv_conf = "/etc/resolv.conf";
  bool cpu_cfs_quota = true;
  absl::Duration cpu_cfs_quota_period = absl::Milliseconds(100);
  int32_t registry_pull_qps = 5;
  int32_t registry_burst = 10;
  int32_t event_record_qps = 50;
  int32_t event_burst = 100;
  int32_t kube_api_qps = 50;
  int32_t kube_api_burst = 100;
  bool serialize_image_pulls = true;
  std::optional<int32_t> max_parallel_image_pulls;
  std::map<std::string, std::string> eviction_hard;
  absl::Duration eviction_pressure_transition_period = absl::Minutes(5);
  bool fail_swap_on = true;
  std::string container_log_max_size = "10Mi";
  int32_t container_log_max_files = 5;
  int32_t container_log_max_workers = 1;
  absl::Duration container_log_monitor_interval = absl::Seconds(10);
  std::map<std::string, std::string> system_reserved;
  std::map<std::string, std::string> kube_reserved;
  std::vector<std::string> enforce_node_allocatable = {"pods"};
  std::vector<std::string> allowed_unsafe_sysctls;
  std::string provider_id;
  bool seccomp_default = false;
  double memory_throttling_factor = 0.9;
  bool register_node = true;
  bool local_storage_capacity_isolation = true;
  std::string container_runtime_endpoint = "unix:///run/containerd/containerd.sock";
  std::string image_service_endpoint;  // empty: same as container_runtime_endpoint
  std::map<std::string, bool> feature_gates;
  std::optional<int32_t> logging_verbosity;  // logging.verbosity

  // Upstream fields that were present in the file but that cubelet does not act on; they are
  // accepted (a file written for the upstream kubelet still loads) and reported once at start.
  std::set<std::string> ignored_fields;
};

// Loads `path` (YAML or JSON, read as the upstream kubelet reads it: YAML 1.1 through
// sigs.k8s.io/yaml's rules, then each field by its JSON type), applying upstream defaults for
// every field it does not set or sets to null. Errors name the file and the field, and the line
// it was written at: an unknown field, a wrong apiVersion/kind, a value of the wrong type or out
// of range ("kubelet config file "/etc/c.yaml": maxPods: invalid value "lots": expected an
// integer (line 4, column 1)").
absl::StatusOr<KubeletConfiguration> LoadKubeletConfigurationFile(const std::string& path);

// Parses configuration text; `source` names it in errors.
absl::StatusOr<KubeletConfiguration> ParseKubeletConfiguration(const std::string& text,
                                                               const std::string& source);

// Checks cross-field and range rules as upstream's ValidateKubeletConfiguration does.
absl::Status ValidateKubeletConfiguration(const KubeletConfiguration& config);

}  // namespace cubelet::kubeletconfig
