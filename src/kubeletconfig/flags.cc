#include "common/strings.h"
#include "kubeletconfig/flags.h"

#include <functional>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/ascii.h"
#include "common/duration.h"
#include "common/status_macros.h"
#include "kubeletconfig/values.h"

namespace cubelet::kubeletconfig {
namespace {

// kColonMultimap is upstream's ColonSeparatedMultimapStringString: "a:hello,b:again", repeatable,
// values of a key accumulate in order.
// Integers carry their width, as pflag's Int32Var / Int64Var: a value that does not fit is an
// error naming the flag, never a wrapped number (--max-pods=4294967406 is not 110).
enum class Kind { kBool, kInt32, kInt64, kString, kDuration, kStringList, kStringMap, kColonMultimap, kQuantity };

struct FlagDef {
  std::string name;
  Kind kind;
  std::string help;
  // Exactly one of these is set: a flag-only option, or a KubeletConfiguration field.
  std::function<void(const std::string&, NodeOptions&)> set_option;
  std::function<void(const std::string&, KubeletConfiguration&)> set_config;
  // For a flag whose repeated values accumulate: empties the field before the first value, so
  // the command line replaces the config file's value instead of adding to it (upstream's
  // "the first call to Set will clear the map").
  std::function<void(KubeletConfiguration&)> clear_config = nullptr;
};

// Checks `value` against the flag's kind; the setters below can then convert without failing.
absl::Status CheckValue(const FlagDef& f, const std::string& value) {
  auto bad = [&](std::string_view expected) {
    return absl::InvalidArgumentError(StrCat("invalid argument \"", value, "\" for \"--", f.name,
                                                   "\" flag: expected ", expected));
  };
  // An optional sign and digits: an integer, in range or not.
  const std::string_view unsigned_part =
      std::string_view(value).substr(!value.empty() && (value[0] == '-' || value[0] == '+') ? 1 : 0);
  const bool integer = !unsigned_part.empty() && unsigned_part.find_first_not_of("0123456789") == std::string_view::npos;
  int32_t i32;
  int64_t i64;
  switch (f.kind) {
    case Kind::kBool: return ParseBool(value) ? absl::OkStatus() : bad("true or false");
    case Kind::kInt32:
      if (integer && ParseInteger(value, &i32)) return absl::OkStatus();
      return bad(integer ? "a 32-bit integer (value out of range)" : "an integer");
    case Kind::kInt64:
      if (integer && ParseInteger(value, &i64)) return absl::OkStatus();
      return bad(integer ? "a 64-bit integer (value out of range)" : "an integer");
    case Kind::kDuration:
      return ParseGoDuration(value).ok() ? absl::OkStatus() : bad("a duration such as \"20s\" or \"1m30s\"");
    case Kind::kQuantity: return IsQuantity(value) ? absl::OkStatus() : bad("a quantity such as \"10Mi\"");
    case Kind::kStringMap:
      for (absl::string_view kv : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        if (!absl::StrContains(kv, '=')) return bad("a list of key=value pairs");
      }
      return absl::OkStatus();
    case Kind::kColonMultimap:
      for (absl::string_view kv : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        if (!absl::StrContains(kv, ':')) return bad("a list of key:value pairs (malformed pair, expect string:string)");
      }
      return absl::OkStatus();
    case Kind::kString:
    case Kind::kStringList: return absl::OkStatus();
  }
  return absl::OkStatus();
}

std::vector<std::string> SplitList(const std::string& v) {
  return absl::StrSplit(v, ',', absl::SkipEmpty());
}

std::map<std::string, std::string> SplitMap(const std::string& v) {
  std::map<std::string, std::string> out;
  for (absl::string_view kv : absl::StrSplit(v, ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    out[p.first] = p.second;
  }
  return out;
}

// Appends each "key:value" of `v` to `m`, keys and values trimmed of spaces.
void AppendColonMultimap(const std::string& v, std::map<std::string, std::vector<std::string>>& m) {
  for (absl::string_view kv : absl::StrSplit(v, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> p = absl::StrSplit(kv, absl::MaxSplits(':', 1));
    m[std::string(absl::StripAsciiWhitespace(p.first))].push_back(std::string(absl::StripAsciiWhitespace(p.second)));
  }
}

// Only after CheckValue accepted `v` for the flag's width.
template <typename Int>
Int ToInt(const std::string& v) {
  Int i = 0;
  ParseInteger(v, &i);
  return i;
}

using C = KubeletConfiguration;

FlagDef ConfigString(std::string name, std::string C::*m, std::string help) {
  return {std::move(name), Kind::kString, std::move(help), nullptr,
          [m](const std::string& v, C& c) { c.*m = v; }};
}
FlagDef ConfigInt32(std::string name, int32_t C::*m, std::string help) {
  return {std::move(name), Kind::kInt32, std::move(help), nullptr,
          [m](const std::string& v, C& c) { c.*m = ToInt<int32_t>(v); }};
}
FlagDef ConfigBool(std::string name, bool C::*m, std::string help) {
  return {std::move(name), Kind::kBool, std::move(help), nullptr,
          [m](const std::string& v, C& c) { c.*m = *ParseBool(v); }};
}
FlagDef ConfigDuration(std::string name, absl::Duration C::*m, std::string help) {
  return {std::move(name), Kind::kDuration, std::move(help), nullptr,
          [m](const std::string& v, C& c) { c.*m = *ParseGoDuration(v); }};
}
FlagDef ConfigList(std::string name, std::vector<std::string> C::*m, std::string help) {
  return {std::move(name), Kind::kStringList, std::move(help), nullptr,
          [m](const std::string& v, C& c) { c.*m = SplitList(v); }};
}
FlagDef ConfigMap(std::string name, std::map<std::string, std::string> C::*m, std::string help) {
  return {std::move(name), Kind::kStringMap, std::move(help), nullptr,
          [m](const std::string& v, C& c) { c.*m = SplitMap(v); }};
}

FlagDef ConfigColonMultimap(std::string name, std::map<std::string, std::vector<std::string>> C::*m, std::string help) {
  return {std::move(name), Kind::kColonMultimap, std::move(help), nullptr,
          [m](const std::string& v, C& c) { AppendColonMultimap(v, c.*m); }, [m](C& c) { (c.*m).clear(); }};
}

const std::vector<FlagDef>& Flags() {
  static const auto* flags = new std::vector<FlagDef>{
      {"config", Kind::kString,
       "The kubelet will load its initial configuration from this file (YAML or JSON, "
       "kubelet.config.k8s.io/v1beta1 KubeletConfiguration). Flags override its values.",
       [](const std::string& v, NodeOptions& o) { o.config_file = v; }, nullptr},
      {"kubeconfig", Kind::kString, "Path to a kubeconfig file naming the API server to register with.",
       [](const std::string& v, NodeOptions& o) { o.kubeconfig = v; }, nullptr},
      {"root-dir", Kind::kString, "Directory for kubelet files (volume mounts, pod state). (default \"/var/lib/kubelet\")",
       [](const std::string& v, NodeOptions& o) { o.root_dir = v; }, nullptr},
      {"hostname-override", Kind::kString, "Use this name as the node name instead of the hostname.",
       [](const std::string& v, NodeOptions& o) { o.hostname_override = v; }, nullptr},
      {"node-ip", Kind::kString, "IP address (or comma-separated dual-stack IPs) of the node.",
       [](const std::string& v, NodeOptions& o) { o.node_ip = v; }, nullptr},
      {"v", Kind::kInt32, "Number for the log level verbosity.",
       [](const std::string& v, NodeOptions& o) { o.verbosity = ToInt<int32_t>(v); }, nullptr},
      {"version", Kind::kBool, "Print version information and quit.",
       [](const std::string& v, NodeOptions& o) { o.show_version = *ParseBool(v); }, nullptr},
      {"help", Kind::kBool, "Show this help and quit.",
       [](const std::string& v, NodeOptions& o) { o.show_help = *ParseBool(v); }, nullptr},
      ConfigString("container-runtime-endpoint", &C::container_runtime_endpoint,
                   "The endpoint of the container runtime service. (default \"unix:///run/containerd/containerd.sock\")"),
      ConfigString("image-service-endpoint", &C::image_service_endpoint,
                   "The endpoint of the image service; defaults to --container-runtime-endpoint."),
      ConfigString("pod-manifest-path", &C::static_pod_path, "Directory of static pod manifests to run."),
      ConfigString("manifest-url", &C::static_pod_url, "URL for accessing additional Pod specifications to run."),
      ConfigColonMultimap("manifest-url-header", &C::static_pod_url_header,
                          "Comma-separated list of HTTP headers to use when accessing the url provided to "
                          "--manifest-url. Multiple headers with the same name will be added in the same order "
                          "provided. This flag can be repeatedly invoked. For example: --manifest-url-header "
                          "'a:hello,b:again,c:world' --manifest-url-header 'b:beautiful'"),
      ConfigString("address", &C::address, "The IP address for the kubelet to serve on. (default 0.0.0.0)"),
      ConfigInt32("port", &C::port, "The port for the kubelet to serve on. (default 10250)"),
      ConfigInt32("read-only-port", &C::read_only_port,
                  "The read-only port for the kubelet to serve on with no authentication (0 to disable). (default 0)"),
      ConfigInt32("healthz-port", &C::healthz_port, "The port of the localhost healthz endpoint (0 to disable). (default 10248)"),
      ConfigString("healthz-bind-address", &C::healthz_bind_address,
                   "The IP address for the healthz server to serve on. (default \"127.0.0.1\")"),
      ConfigString("cgroup-driver", &C::cgroup_driver,
                   "Driver used to manipulate cgroups on the host: \"cgroupfs\" or \"systemd\". (default \"cgroupfs\")"),
      ConfigString("cgroup-root", &C::cgroup_root, "Optional root cgroup to use for pods."),
      ConfigInt32("max-pods", &C::max_pods, "Number of pods that can run on this kubelet. (default 110)"),
      ConfigDuration("sync-frequency", &C::sync_frequency, "Max period between synchronizing running containers. (default 1m0s)"),
      ConfigDuration("file-check-frequency", &C::file_check_frequency,
                     "Duration between checking the static pod path for new data. (default 20s)"),
      ConfigDuration("http-check-frequency", &C::http_check_frequency,
                     "Duration between checking http for new data. (default 20s)"),
      ConfigDuration("runtime-request-timeout", &C::runtime_request_timeout,
                     "Timeout of all runtime requests except long running ones. (default 2m0s)"),
      ConfigDuration("node-status-update-frequency", &C::node_status_update_frequency,
                     "How often the kubelet posts node status to the API server. (default 10s)"),
      ConfigList("cluster-dns", &C::cluster_dns, "Comma-separated list of DNS server IP addresses for pods."),
      ConfigString("cluster-domain", &C::cluster_domain, "Domain for this cluster."),
      ConfigString("resolv-conf", &C::resolv_conf, "Resolver configuration file used as the basis for pod DNS. (default \"/etc/resolv.conf\")"),
      ConfigBool("cgroups-per-qos", &C::cgroups_per_qos, "Create the top-level QoS and pod cgroups. (default true)"),
      ConfigBool("fail-swap-on", &C::fail_swap_on, "Fail to start if swap is enabled on the node. (default true)"),
      ConfigBool("seccomp-default", &C::seccomp_default, "Use RuntimeDefault as the default seccomp profile."),
      ConfigBool("register-node", &C::register_node, "Register the node with the API server. (default true)"),
      ConfigInt32("container-log-max-files", &C::container_log_max_files,
                  "Maximum number of container log files per container. (default 5)"),
      {"container-log-max-size", Kind::kQuantity, "Maximum size of a container log file before rotation. (default 10Mi)",
       nullptr, [](const std::string& v, C& c) { c.container_log_max_size = v; }},
      {"pod-max-pids", Kind::kInt64, "Maximum number of processes per pod (-1: unlimited). (default -1)", nullptr,
       [](const std::string& v, C& c) { c.pod_pids_limit = ToInt<int64_t>(v); }},
      ConfigList("allowed-unsafe-sysctls", &C::allowed_unsafe_sysctls,
                 "Comma-separated unsafe sysctls or patterns (ending in *) pods may set."),
      ConfigList("enforce-node-allocatable", &C::enforce_node_allocatable,
                 "Comma-separated levels of node allocatable enforcement. (default [pods])"),
      ConfigMap("kube-reserved", &C::kube_reserved, "Resources reserved for Kubernetes components, e.g. cpu=200m,memory=500Mi."),
      ConfigMap("system-reserved", &C::system_reserved, "Resources reserved for the system, e.g. cpu=200m,memory=500Mi."),
      ConfigMap("eviction-hard", &C::eviction_hard, "Hard eviction thresholds, e.g. memory.available<100Mi."),
      {"feature-gates", Kind::kStringMap, "Comma-separated feature=true|false pairs.", nullptr,
       [](const std::string& v, C& c) {
         for (const auto& [k, b] : SplitMap(v)) c.feature_gates[k] = ParseBool(b).value_or(false);
       }},
  };
  return *flags;
}

const FlagDef* FindFlag(std::string_view name) {
  for (const auto& f : Flags()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string_view body = arg;
    if (body.starts_with("--")) {
      body.remove_prefix(2);
    } else if (body.starts_with("-") && body.size() > 1) {
      // Shorthands upstream accepts: -v (verbosity) and -h (help).
      body.remove_prefix(1);
      if ((body[0] != 'v' && body[0] != 'h') || (body.size() > 1 && body[1] != '=')) {
        return absl::InvalidArgumentError(
            StrCat("unknown shorthand flag: '", body.substr(0, 1), "' in ", arg));
      }
    } else {
      return absl::InvalidArgumentError(StrCat("unknown command \"", arg, "\": cubelet takes only flags"));
    }
    std::string name(body);
    std::optional<std::string> value;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      name = std::string(body.substr(0, eq));
      value = std::string(body.substr(eq + 1));
    }
    if (name == "h") name = "help";
    const FlagDef* def = FindFlag(name);
    if (def == nullptr) return absl::InvalidArgumentError(StrCat("unknown flag: --", name));
    if (!value) {
      if (def->kind == Kind::kBool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(StrCat("flag needs an argument: --", name));
      }
    }
    RETURN_IF_ERROR(CheckValue(*def, *value));
    if (def->set_option) {
      def->set_option(*value, out.options);
    } else {
      out.config_flags.push_back({name, *value});
    }
  }
  return out;
}

absl::StatusOr<KubeletConfiguration> BuildConfiguration(const CommandLine& command_line) {
  KubeletConfiguration config;
  if (!command_line.options.config_file.empty()) {
    ASSIGN_OR_RETURN(config, LoadKubeletConfigurationFile(command_line.options.config_file));
  }
  std::set<std::string> cleared;
  for (const auto& f : command_line.config_flags) {
    const FlagDef* def = FindFlag(f.name);
    if (def->clear_config && cleared.insert(f.name).second) def->clear_config(config);
    def->set_config(f.value, config);
  }
  RETURN_IF_ERROR(ValidateKubeletConfiguration(config));
  return config;
}

std::string Usage(const std::string& program) {
  std::string out = StrCat(
      "cubelet is a kubelet-compatible Kubernetes node agent: it runs the pods of its static pod\n"
      "directory and of the API server on a CRI v1 container runtime.\n\n"
      "Usage:\n  ", program, " [flags]\n\nFlags:\n");
  for (const auto& f : Flags()) {
    std::string type;
    switch (f.kind) {
      case Kind::kBool: break;
      case Kind::kInt32: type = " int32"; break;
      case Kind::kInt64: type = " int64"; break;
      case Kind::kDuration: type = " duration"; break;
      case Kind::kStringList: type = " strings"; break;
      case Kind::kStringMap: type = " mapStringString"; break;
      case Kind::kColonMultimap: type = " colonSeparatedMultimapStringString"; break;
      case Kind::kQuantity: type = " quantity"; break;
      case Kind::kString: type = " string"; break;
    }
    std::string left = StrCat("      --", f.name, type);
    if (left.size() < 46) left.resize(46, ' '); else left += "  ";
    StrAppend(&out, left, f.help, "\n");
  }
  return out;
}

}  // namespace cubelet::kubeletconfig
