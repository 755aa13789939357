#include "kubeletconfig/kubelet_configuration.h"

#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <tuple>

#include "absl/strings/str_join.h"
#include "api/quantity.h"
#include "api/yaml.h"
#include "common/duration.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/parse.h"
#include "json/value.h"
#include "kubeletconfig/values.h"

namespace cubelet::kubeletconfig {
namespace {

// The file is read as upstream reads it: YAML to JSON (sigs.k8s.io/yaml semantics, through
// src/api's one YAML path), then each field's JSON value by its type, so `seccompDefault: yes` is
// true and `maxPods: "30"` is a string, not a number. A null value leaves the default.
using Setter = std::function<absl::Status(const json::Value&, KubeletConfiguration&)>;

absl::Status TypeError(const json::Value& v, std::string_view expected) {
  std::string shown;
  switch (v.type()) {
    case json::Type::kString: shown = StrCat("\"", v.AsString(), "\""); break;
    case json::Type::kNumber: shown = StrCat("\"", v.number_literal(), "\""); break;
    case json::Type::kBool: shown = v.AsBool() ? "\"true\"" : "\"false\""; break;
    case json::Type::kArray: shown = "a list"; break;
    case json::Type::kObject: shown = "a map"; break;
    case json::Type::kNull: shown = "null"; break;
  }
  return absl::InvalidArgumentError(StrCat("invalid value ", shown, ": expected ", expected));
}

absl::StatusOr<std::string> AsString(const json::Value& v) {
  if (!v.is_string()) return TypeError(v, "a string");
  return v.AsString();
}

template <typename Int>
absl::StatusOr<Int> AsInt(const json::Value& v) {
  std::optional<int64_t> i = v.AsInt64();
  if (!i || *i < std::numeric_limits<Int>::min() || *i > std::numeric_limits<Int>::max()) {
    return TypeError(v, i ? "a 32-bit integer" : "an integer");
  }
  return static_cast<Int>(*i);
}

absl::StatusOr<bool> AsBool(const json::Value& v) {
  if (!v.is_bool()) return TypeError(v, "true or false");
  return v.AsBool();
}

absl::StatusOr<absl::Duration> AsDuration(const json::Value& v) {
  constexpr char kWant[] = "a duration such as \"20s\" or \"1m30s\"";
  if (!v.is_string()) return TypeError(v, kWant);
  auto d = ParseGoDuration(v.AsString());
  if (!d.ok()) return TypeError(v, kWant);
  return *d;
}

absl::StatusOr<std::vector<std::string>> AsStringList(const json::Value& v) {
  if (v.is_null()) return std::vector<std::string>{};
  if (!v.is_array()) return TypeError(v, "a list of strings");
  std::vector<std::string> out;
  for (const json::Value& item : v.AsArray()) {
    if (!item.is_string()) return TypeError(item, "a string");
    out.push_back(item.AsString());
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> AsStringMap(const json::Value& v) {
  if (v.is_null()) return std::map<std::string, std::string>{};
  if (!v.is_object()) return TypeError(v, "a map of strings");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : v.AsObject()) {
    if (!value.is_string()) return Annotate(TypeError(value, "a string"), key);
    out[key] = value.AsString();
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::vector<std::string>>> AsStringListMap(const json::Value& v) {
  if (v.is_null()) return std::map<std::string, std::vector<std::string>>{};
  if (!v.is_object()) return TypeError(v, "a map of string lists");
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [key, value] : v.AsObject()) {
    auto values = AsStringList(value);
    if (!values.ok()) return Annotate(values.status(), key);
    out[key] = *std::move(values);
  }
  return out;
}

template <typename T, typename Parse>
Setter Field(T KubeletConfiguration::*member, Parse parse) {
  return [member, parse](const json::Value& v, KubeletConfiguration& c) -> absl::Status {
    auto parsed = parse(v);
    if (!parsed.ok()) return parsed.status();
    c.*member = *std::move(parsed);
    return absl::OkStatus();
  };
}

Setter String(std::string KubeletConfiguration::*m) { return Field(m, AsString); }
Setter Int32(int32_t KubeletConfiguration::*m) { return Field(m, AsInt<int32_t>); }
Setter Int64(int64_t KubeletConfiguration::*m) { return Field(m, AsInt<int64_t>); }
Setter Bool(bool KubeletConfiguration::*m) { return Field(m, AsBool); }
Setter Duration(absl::Duration KubeletConfiguration::*m) { return Field(m, AsDuration); }
Setter StringList(std::vector<std::string> KubeletConfiguration::*m) { return Field(m, AsStringList); }
Setter StringMap(std::map<std::string, std::string> KubeletConfiguration::*m) { return Field(m, AsStringMap); }

// A quantity is a string ("10Mi") or a plain number, as resource.Quantity unmarshals it.
Setter Quantity(std::string KubeletConfiguration::*m) {
  return [m](const json::Value& v, KubeletConfiguration& c) -> absl::Status {
    const std::string text = v.is_string() ? v.AsString() : v.is_number() ? v.number_literal() : "";
    if (!(v.is_string() || v.is_number()) || !IsQuantity(text)) return TypeError(v, "a quantity such as \"10Mi\"");
    c.*m = text;
    return absl::OkStatus();
  };
}

const std::map<std::string, Setter>& SupportedFields() {
  using C = KubeletConfiguration;
  static const auto* fields = new std::map<std::string, Setter>{
      {"staticPodPath", String(&C::static_pod_path)},
      {"staticPodURL", String(&C::static_pod_url)},
      {"staticPodURLHeader", Field(&C::static_pod_url_header, AsStringListMap)},
      {"podLogsDir", String(&C::pod_logs_dir)},
      {"syncFrequency", Duration(&C::sync_frequency)},
      {"fileCheckFrequency", Duration(&C::file_check_frequency)},
      {"httpCheckFrequency", Duration(&C::http_check_frequency)},
      {"address", String(&C::address)},
      {"port", Int32(&C::port)},
      {"readOnlyPort", Int32(&C::read_only_port)},
      {"healthzPort", Int32(&C::healthz_port)},
      {"healthzBindAddress", String(&C::healthz_bind_address)},
      {"enableServer", Bool(&C::enable_server)},
      {"enableDebuggingHandlers", Bool(&C::enable_debugging_handlers)},
      {"oomScoreAdj", Int32(&C::oom_score_adj)},
      {"clusterDomain", String(&C::cluster_domain)},
      {"clusterDNS", StringList(&C::cluster_dns)},
      {"streamingConnectionIdleTimeout", Duration(&C::streaming_connection_idle_timeout)},
      {"nodeStatusUpdateFrequency", Duration(&C::node_status_update_frequency)},
      {"nodeStatusReportFrequency", Duration(&C::node_status_report_frequency)},
      {"nodeLeaseDurationSeconds", Int32(&C::node_lease_duration_seconds)},
      {"imageMinimumGCAge", Duration(&C::image_minimum_gc_age)},
      {"imageGCHighThresholdPercent", Int32(&C::image_gc_high_threshold_percent)},
      {"imageGCLowThresholdPercent", Int32(&C::image_gc_low_threshold_percent)},
      {"cgroupRoot", String(&C::cgroup_root)},
      {"cgroupsPerQOS", Bool(&C::cgroups_per_qos)},
      {"cgroupDriver", String(&C::cgroup_driver)},
      {"runtimeRequestTimeout", Duration(&C::runtime_request_timeout)},
      {"hairpinMode", String(&C::hairpin_mode)},
      {"maxPods", Int32(&C::max_pods)},
      {"podCIDR", String(&C::pod_cidr)},
      {"podPidsLimit", Int64(&C::pod_pids_limit)},
      {"resolvConf", String(&C::resolv_conf)},
      {"cpuCFSQuota", Bool(&C::cpu_cfs_quota)},
      {"cpuCFSQuotaPeriod", Duration(&C::cpu_cfs_quota_period)},
      {"registryPullQPS", Int32(&C::registry_pull_qps)},
      {"registryBurst", Int32(&C::registry_burst)},
      {"eventRecordQPS", Int32(&C::event_record_qps)},
      {"eventBurst", Int32(&C::event_burst)},
      {"kubeAPIQPS", Int32(&C::kube_api_qps)},
      {"kubeAPIBurst", Int32(&C::kube_api_burst)},
      {"serializeImagePulls", Bool(&C::serialize_image_pulls)},
      {"maxParallelImagePulls",
       [](const json::Value& v, C& c) -> absl::Status {
         ASSIGN_OR_RETURN(c.max_parallel_image_pulls, AsInt<int32_t>(v));
         return absl::OkStatus();
       }},
      {"evictionHard", StringMap(&C::eviction_hard)},
      {"evictionPressureTransitionPeriod", Duration(&C::eviction_pressure_transition_period)},
      {"failSwapOn", Bool(&C::fail_swap_on)},
      {"containerLogMaxSize", Quantity(&C::container_log_max_size)},
      {"containerLogMaxFiles", Int32(&C::container_log_max_files)},
      {"containerLogMaxWorkers", Int32(&C::container_log_max_workers)},
      {"containerLogMonitorInterval", Duration(&C::container_log_monitor_interval)},
      {"systemReserved", StringMap(&C::system_reserved)},
      {"kubeReserved", StringMap(&C::kube_reserved)},
      {"enforceNodeAllocatable", StringList(&C::enforce_node_allocatable)},
      {"allowedUnsafeSysctls", StringList(&C::allowed_unsafe_sysctls)},
      {"providerID", String(&C::provider_id)},
      {"seccompDefault", Bool(&C::seccomp_default)},
      {"memoryThrottlingFactor",
       [](const json::Value& v, C& c) -> absl::Status {
         std::optional<double> d = v.AsDouble();
         if (!d) return TypeError(v, "a number");
         c.memory_throttling_factor = *d;
         return absl::OkStatus();
       }},
      {"registerNode", Bool(&C::register_node)},
      {"localStorageCapacityIsolation", Bool(&C::local_storage_capacity_isolation)},
      {"containerRuntimeEndpoint", String(&C::container_runtime_endpoint)},
      {"imageServiceEndpoint", String(&C::image_service_endpoint)},
      {"featureGates",
       [](const json::Value& v, C& c) -> absl::Status {
         if (!v.is_object()) return TypeError(v, "a map of feature names to true or false");
         for (const auto& [gate, value] : v.AsObject()) {
           auto b = AsBool(value);
           if (!b.ok()) return Annotate(b.status(), gate);
           c.feature_gates[gate] = *b;
         }
         return absl::OkStatus();
       }},
      {"logging",
       [](const json::Value& v, C& c) -> absl::Status {
         if (!v.is_object()) return TypeError(v, "a map");
         for (const auto& [key, value] : v.AsObject()) {
           if (key == "verbosity") {
             if (value.is_null()) continue;
             auto verbosity = AsInt<int32_t>(value);
             if (!verbosity.ok()) return Annotate(verbosity.status(), "verbosity");
             c.logging_verbosity = *verbosity;
           } else if (key != "format" && key != "flushFrequency" && key != "options" && key != "vmodule") {
             return absl::InvalidArgumentError(StrCat("unknown field \"", key, "\""));
           }
         }
         return absl::OkStatus();
       }},
  };
  return *fields;
}

// Upstream KubeletConfiguration fields cubelet accepts without acting on them.
const std::set<std::string>& AcceptedUpstreamFields() {
  static const auto* fields = new std::set<std::string>{
      "tlsCertFile", "tlsPrivateKeyFile", "tlsCipherSuites",
      "tlsMinVersion", "rotateCertificates", "serverTLSBootstrap", "authentication", "authorization",
      "enableContentionProfiling", "imageMaximumGCAge", "volumeStatsAggPeriod", "kubeletCgroups",
      "systemCgroups", "cpuManagerPolicy", "cpuManagerPolicyOptions", "cpuManagerReconcilePeriod",
      "memoryManagerPolicy", "topologyManagerPolicy", "topologyManagerScope",
      "topologyManagerPolicyOptions", "qosReserved", "runOnce", "nodeStatusMaxImages",
      "maxOpenFiles", "contentType", "evictionSoft", "evictionSoftGracePeriod",
      "evictionMaxPodGracePeriod", "evictionMinimumReclaim", "mergeDefaultEvictionSettings",
      "podsPerCore", "enableControllerAttachDetach", "protectKernelDefaults",
      "makeIPTablesUtilChains", "iptablesMasqueradeBit", "iptablesDropBit", "memorySwap",
      "configMapAndSecretChangeDetectionStrategy", "reservedSystemCPUs",
      "showHiddenMetricsForVersion", "systemReservedCgroup", "kubeReservedCgroup",
      "volumePluginDir", "kernelMemcgNotification", "enableSystemLogHandler",
      "enableSystemLogQuery", "shutdownGracePeriod", "shutdownGracePeriodCriticalPods",
      "shutdownGracePeriodByPodPriority", "crashLoopBackOff", "reservedMemory",
      "enableProfilingHandler", "enableDebugFlagsHandler", "registerWithTaints", "tracing",
      "failCgroupV1", "singleProcessOOMKill", "userNamespaces", "imagePullCredentialsVerificationPolicy",
      "preloadedImagesVerificationAllowlist"};
  return *fields;
}


// Go's filepath.Clean(p) == p for an absolute path: no empty, "." or ".." elements, no trailing
// slash (but "/" itself).
bool IsCleanPath(std::string_view p) {
  if (p == "/") return true;
  if (p.empty() || p.back() == '/') return false;
  for (size_t start = 1; start <= p.size();) {
    const size_t slash = std::min(p.find('/', start), p.size());
    const std::string_view element = p.substr(start, slash - start);
    if (element.empty() || element == "." || element == "..") return false;
    start = slash + 1;
  }
  return true;
}

// upstream's parseResourceList for --kube-reserved / --system-reserved, plus the int64 bound the
// node's arithmetic needs (cpu in thousandths). Empty when the entry is usable.
std::string ReservedQuantityError(const std::string& name, const std::string& text) {
  if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && name != "pid") {
    return StrCat("cannot reserve \"", name, "\" resource");
  }
  auto q = api::Quantity::Parse(text);
  if (!q.ok()) return StrCat("\"", text, "\" is not a quantity: ", q.status().message());
  if (q->Compare(api::Quantity()) < 0) return StrCat("\"", text, "\" cannot be negative");
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (name == "cpu" ? !q->CheckedMilliValue() : !q->CheckedValue()) {
    const api::Quantity max = name == "cpu" ? api::Quantity::FromMilli(kMax) : api::Quantity::FromInt(kMax);
    return StrCat("\"", text, "\" must be less than or equal to ", max.ToString());
  }
  return "";
}

// "/maxPods" for a top-level member, the key of positions.
std::string Pointer(std::string_view key) {
  std::string p;
  api::AppendPointerToken(&p, key);
  return p;
}

}  // namespace

absl::StatusOr<KubeletConfiguration> ParseKubeletConfiguration(const std::string& text,
                                                               const std::string& source) {
  const api::SourcePositions* positions = nullptr;
  // Errors name the file, then the field and what is wrong, then where it was written.
  auto fail = [&](std::string_view what, std::string_view key = {}) {
    return absl::InvalidArgumentError(StrCat("kubelet config file \"", source, "\": ", what,
                                             key.empty() ? "" : api::AtLine(positions, Pointer(key))));
  };
  auto yaml = api::YamlToJsonWithPositions(text);
  if (!yaml.ok()) {
    std::string_view why = ToStd(yaml.status().message());
    if (why.rfind("invalid YAML: ", 0) == 0) why.remove_prefix(std::strlen("invalid YAML: "));
    return fail(StrCat("not valid YAML or JSON: ", why));
  }
  positions = &yaml->positions;
  std::vector<std::string> duplicates;
  auto parsed = json::Parse(yaml->json, {.duplicate_fields = &duplicates});
  if (!parsed.ok()) return fail(StrCat("not valid YAML or JSON: ", parsed.status().message()));
  const json::Value& root = *parsed;
  if (!root.is_object()) return fail("expected a KubeletConfiguration object");
  if (!duplicates.empty()) {
    const std::string& dup = duplicates.front();
    const bool top_level = dup.find_first_of(".[") == std::string::npos;
    return fail(StrCat("duplicate field \"", dup, "\""), top_level ? dup : "");
  }

  const json::Value* api_version = root.Find("apiVersion");
  if (api_version == nullptr || !api_version->is_string() || api_version->AsString().empty()) {
    return fail(StrCat("apiVersion: required, must be \"", kKubeletConfigApiVersion, "\""),
                api_version == nullptr ? "" : "apiVersion");
  }
  if (api_version->AsString() != kKubeletConfigApiVersion) {
    return fail(StrCat("apiVersion: unsupported value \"", api_version->AsString(), "\", must be \"",
                       kKubeletConfigApiVersion, "\""),
                "apiVersion");
  }
  const json::Value* kind = root.Find("kind");
  if (kind == nullptr || !kind->is_string() || kind->AsString() != kKubeletConfigKind) {
    return fail(StrCat("kind: must be \"", kKubeletConfigKind, "\"",
                       kind != nullptr && kind->is_string() ? StrCat(", got \"", kind->AsString(), "\"") : ""),
                kind == nullptr ? "" : "kind");
  }

  KubeletConfiguration config;
  const auto& supported = SupportedFields();
  for (const auto& [key, value] : root.AsObject()) {
    if (key == "apiVersion" || key == "kind") continue;
    if (auto it = supported.find(key); it != supported.end()) {
      if (value.is_null()) continue;  // unset: the default stays
      absl::Status s = it->second(value, config);
      if (!s.ok()) return fail(StrCat(key, ": ", s.message()), key);
      continue;
    }
    if (AcceptedUpstreamFields().contains(key)) {
      config.ignored_fields.insert(key);
      continue;
    }
    return fail(StrCat("unknown field \"", key, "\""), key);
  }
  absl::Status valid = ValidateKubeletConfiguration(config);
  if (!valid.ok()) return fail(ToStd(valid.message()));
  return config;
}

absl::StatusOr<KubeletConfiguration> LoadKubeletConfigurationFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(StrCat("kubelet config file \"", path, "\": cannot read: ",
                                            std::strerror(errno)));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseKubeletConfiguration(buf.str(), path);
}

absl::Status ValidateKubeletConfiguration(const KubeletConfiguration& c) {
  std::vector<std::string> errors;
  auto positive = [&](absl::Duration d, std::string_view field, std::string_view flag) {
    if (d <= absl::ZeroDuration()) {
      errors.push_back(StrCat(field, " (", flag, ") ", FormatGoDuration(d), " must be > 0"));
    }
  };
  auto port = [&](int32_t p, std::string_view field, std::string_view flag, bool zero_ok) {
    if (p < (zero_ok ? 0 : 1) || p > 65535) {
      errors.push_back(StrCat(field, " (", flag, ") ", p, " must be between ", zero_ok ? 0 : 1,
                                    " and 65535, inclusive"));
    }
  };
  positive(c.sync_frequency, "syncFrequency", "--sync-frequency");
  positive(c.file_check_frequency, "fileCheckFrequency", "--file-check-frequency");
  positive(c.http_check_frequency, "httpCheckFrequency", "--http-check-frequency");
  positive(c.node_status_update_frequency, "nodeStatusUpdateFrequency", "--node-status-update-frequency");
  positive(c.node_status_report_frequency, "nodeStatusReportFrequency", "--node-status-report-frequency");
  positive(c.runtime_request_timeout, "runtimeRequestTimeout", "--runtime-request-timeout");
  if (c.cpu_cfs_quota_period < absl::Milliseconds(1) || c.cpu_cfs_quota_period > absl::Seconds(1)) {
    errors.push_back(StrCat("cpuCFSQuotaPeriod (--cpu-cfs-quota-period) ",
                                  FormatGoDuration(c.cpu_cfs_quota_period), " must be between 1ms and 1s, inclusive"));
  }
  port(c.port, "port", "--port", false);
  port(c.read_only_port, "readOnlyPort", "--read-only-port", true);
  port(c.healthz_port, "healthzPort", "--healthz-port", true);
  if (c.cgroup_driver != "cgroupfs" && c.cgroup_driver != "systemd") {
    errors.push_back(StrCat("cgroupDriver (--cgroup-driver) \"", c.cgroup_driver,
                                  "\" must be \"cgroupfs\" or \"systemd\""));
  }
  if (c.max_pods < 0) errors.push_back(StrCat("maxPods (--max-pods) ", c.max_pods, " must not be a negative number"));
  if (c.node_lease_duration_seconds <= 0) {
    errors.push_back(StrCat("nodeLeaseDurationSeconds ", c.node_lease_duration_seconds, " must be > 0"));
  }
  if (c.oom_score_adj < -1000 || c.oom_score_adj > 1000) {
    errors.push_back(StrCat("oomScoreAdj (--oom-score-adj) ", c.oom_score_adj,
                                  " must be between -1000 and 1000, inclusive"));
  }
  if (c.container_log_max_files <= 1) {
    errors.push_back(StrCat("containerLogMaxFiles (--container-log-max-files) ", c.container_log_max_files,
                                  " must be greater than 1"));
  }
  if (c.container_log_max_workers < 1) {
    errors.push_back(StrCat("containerLogMaxWorkers ", c.container_log_max_workers, " must be >= 1"));
  }
  if (auto size = api::Quantity::Parse(c.container_log_max_size); !size.ok()) {
    errors.push_back(StrCat("containerLogMaxSize \"", c.container_log_max_size, "\" is not a valid quantity"));
  } else if (!size->CheckedValue()) {
    errors.push_back(StrCat("containerLogMaxSize (--container-log-max-size) \"", c.container_log_max_size,
                            "\" must be less than or equal to ", std::numeric_limits<int64_t>::max()));
  }
  if (c.container_log_monitor_interval < absl::Seconds(3)) {
    errors.push_back("containerLogMonitorInterval must be a positive time duration greater than or equal to 3s");
  }
  // upstream's range checks on rates and bursts (ValidateKubeletConfiguration).
  for (auto [value, field, flag] : {std::tuple{c.event_burst, "eventBurst", "--event-burst"},
                                    std::tuple{c.event_record_qps, "eventRecordQPS", "--event-qps"},
                                    std::tuple{c.kube_api_burst, "kubeAPIBurst", "--kube-api-burst"},
                                    std::tuple{c.kube_api_qps, "kubeAPIQPS", "--kube-api-qps"},
                                    std::tuple{c.registry_burst, "registryBurst", "--registry-burst"},
                                    std::tuple{c.registry_pull_qps, "registryPullQPS", "--registry-qps"}}) {
    if (value < 0) errors.push_back(StrCat(field, " (", flag, ") ", value, " must not be a negative number"));
  }
  for (auto [value, field] : {std::pair{c.image_minimum_gc_age, "imageMinimumGCAge"},
                              std::pair{c.streaming_connection_idle_timeout, "streamingConnectionIdleTimeout"},
                              std::pair{c.eviction_pressure_transition_period, "evictionPressureTransitionPeriod"}}) {
    if (value < absl::ZeroDuration()) errors.push_back(StrCat(field, " ", FormatGoDuration(value), " must not be negative"));
  }
  if (c.hairpin_mode != "none" && c.hairpin_mode != "hairpin-veth" && c.hairpin_mode != "promiscuous-bridge") {
    errors.push_back(StrCat("option \"", c.hairpin_mode, "\" specified for hairpinMode (--hairpin-mode). Valid options are "
                            "\"none\", \"hairpin-veth\" or \"promiscuous-bridge\""));
  }
  if (c.pod_logs_dir.empty()) {
    errors.push_back("podLogsDir was not specified");
  } else if (c.pod_logs_dir[0] != '/') {
    errors.push_back(StrCat("pod logs path \"", c.pod_logs_dir, "\" must be absolute path"));
  } else if (!IsCleanPath(c.pod_logs_dir)) {
    errors.push_back(StrCat("pod logs path \"", c.pod_logs_dir, "\" must be normalized"));
  }
  for (auto [reserved, field] : {std::pair{&c.kube_reserved, "kubeReserved"}, std::pair{&c.system_reserved, "systemReserved"}}) {
    for (const auto& [name, text] : *reserved) {
      if (std::string why = ReservedQuantityError(name, text); !why.empty()) {
        errors.push_back(StrCat(field, ".", name, ": ", why));
      }
    }
  }
  if (c.image_gc_high_threshold_percent < 0 || c.image_gc_high_threshold_percent > 100) {
    errors.push_back(StrCat("imageGCHighThresholdPercent ", c.image_gc_high_threshold_percent,
                                  " must be between 0 and 100, inclusive"));
  }
  if (c.image_gc_low_threshold_percent < 0 || c.image_gc_low_threshold_percent > 100) {
    errors.push_back(StrCat("imageGCLowThresholdPercent ", c.image_gc_low_threshold_percent,
                                  " must be between 0 and 100, inclusive"));
  }
  if (c.image_gc_low_threshold_percent >= c.image_gc_high_threshold_percent) {
    errors.push_back(StrCat("imageGCLowThresholdPercent ", c.image_gc_low_threshold_percent,
                                  " must be less than imageGCHighThresholdPercent ",
                                  c.image_gc_high_threshold_percent));
  }
  if (c.pod_pids_limit < -1) {
    errors.push_back(StrCat("podPidsLimit (--pod-max-pids) ", c.pod_pids_limit, " must be -1 or more"));
  }
  if (c.memory_throttling_factor <= 0 || c.memory_throttling_factor > 1.0) {
    errors.push_back(StrCat("memoryThrottlingFactor ", c.memory_throttling_factor,
                                  " must be greater than 0 and less than or equal to 1.0"));
  }
  if (c.max_parallel_image_pulls && *c.max_parallel_image_pulls < 1) {
    errors.push_back(StrCat("maxParallelImagePulls ", *c.max_parallel_image_pulls, " must be a positive number"));
  }
  if (c.serialize_image_pulls && c.max_parallel_image_pulls && *c.max_parallel_image_pulls > 1) {
    errors.push_back(StrCat("maxParallelImagePulls ", *c.max_parallel_image_pulls,
                                  " must be 1 or unset when serializeImagePulls is true"));
  }
  for (const auto& e : c.enforce_node_allocatable) {
    if (e != "pods" && e != "system-reserved" && e != "kube-reserved" && e != "none" &&
        e != "system-reserved-compressible" && e != "kube-reserved-compressible") {
      errors.push_back(StrCat("enforceNodeAllocatable (--enforce-node-allocatable) option \"", e,
                                    "\" is invalid"));
    }
  }
  if (c.container_runtime_endpoint.empty()) {
    errors.push_back("containerRuntimeEndpoint (--container-runtime-endpoint) must be set");
  }
  if (c.static_pod_path.empty() == false && c.static_pod_path[0] != '/') {
    errors.push_back(StrCat("staticPodPath (--pod-manifest-path) \"", c.static_pod_path,
                                  "\" must be an absolute path"));
  }
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat("invalid configuration: ", absl::StrJoin(errors, "; ")));
}

}  // namespace cubelet::kubeletconfig
