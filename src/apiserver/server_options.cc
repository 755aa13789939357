#include "apiserver/server_options.h"

#include <functional>
#include <map>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/duration.h"
#include "common/strings.h"

namespace cubelet::apiserver {
namespace {

struct Flag {
  std::string help;
  bool is_bool = false;
  std::function<absl::Status(const std::string& value)> set;
};

absl::Status Bad(const std::string& flag, const std::string& value, std::string_view expected) {
  return absl::InvalidArgumentError(
      StrCat("invalid argument \"", value, "\" for \"--", flag, "\" flag: expected ", expected));
}

absl::Status SetInt(const std::string& flag, const std::string& value, int min, int max, int* out) {
  int v = 0;
  if (!absl::SimpleAtoi(value, &v) || v < min || v > max) {
    return Bad(flag, value, StrCat("an integer between ", min, " and ", max));
  }
  *out = v;
  return absl::OkStatus();
}

bool IsIpv4(const std::string& s) {
  std::vector<std::string> parts = absl::StrSplit(s, '.');
  if (parts.size() != 4) return false;
  for (const std::string& p : parts) {
    int v = 0;
    if (p.empty() || p.size() > 3 || !absl::SimpleAtoi(p, &v) || v < 0 || v > 255) return false;
  }
  return true;
}

absl::Status ParseFlags(const std::vector<std::string>& args, size_t first, std::map<std::string, Flag>& flags) {
  for (size_t i = first; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg.rfind("-", 0) != 0) {
      return absl::InvalidArgumentError(StrCat("unexpected argument \"", arg, "\": cubelet-server takes flags only"));
    }
    std::string name = arg.substr(arg.rfind("--", 0) == 0 ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "h") name = "help";
    auto it = flags.find(name);
    if (it == flags.end()) return absl::InvalidArgumentError(StrCat("unknown flag: --", name));
    if (!value) {
      if (it->second.is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(StrCat("flag needs an argument: --", name));
      }
    }
    if (absl::Status s = it->second.set(*value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status SetBool(const std::string& flag, const std::string& value, bool* out) {
  if (value == "true" || value == "1" || value == "True" || value == "TRUE" || value == "t" || value == "T") {
    *out = true;
  } else if (value == "false" || value == "0" || value == "False" || value == "FALSE" || value == "f" || value == "F") {
    *out = false;
  } else {
    return Bad(flag, value, "true or false");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine out;
  std::map<std::string, Flag> flags;
  if (!args.empty() && args[0] == "kubeconfig") {
    out.kubeconfig = true;
    KubeconfigCommand& k = out.kubeconfig_command;
    bool help = false;
    flags["data-dir"] = {"", false, [&](const std::string& v) { k.data_dir = v; return absl::OkStatus(); }};
    flags["node"] = {"", false, [&](const std::string& v) { k.node = v; return absl::OkStatus(); }};
    flags["user"] = {"", false, [&](const std::string& v) { k.user = v; return absl::OkStatus(); }};
    flags["group"] = {"", false, [&](const std::string& v) { k.group = v; return absl::OkStatus(); }};
    flags["server"] = {"", false, [&](const std::string& v) { k.server = v; return absl::OkStatus(); }};
    flags["out"] = {"", false, [&](const std::string& v) { k.out = v; return absl::OkStatus(); }};
    flags["help"] = {"", true, [&](const std::string& v) { return SetBool("help", v, &help); }};
    if (absl::Status s = ParseFlags(args, 1, flags); !s.ok()) return s;
    if (help) {
      out.server.show_help = true;
      return out;
    }
    for (auto [name, value] : {std::pair{"data-dir", &k.data_dir}, std::pair{"server", &k.server},
                               std::pair{"out", &k.out}}) {
      if (value->empty()) return absl::InvalidArgumentError(StrCat("required flag --", name, " is missing"));
    }
    if (k.node.empty() == k.user.empty()) {
      return absl::InvalidArgumentError("exactly one of --node and --user is required");
    }
    if (!k.group.empty() && k.user.empty()) return absl::InvalidArgumentError("--group goes with --user");
    if (k.server.rfind("https://", 0) != 0) return Bad("server", k.server, "an https:// URL");
    return out;
  }
  ServerOptions& o = out.server;
  flags["data-dir"] = {"", false, [&](const std::string& v) { o.data_dir = v; return absl::OkStatus(); }};
  flags["bind-address"] = {"", false, [&](const std::string& v) {
                             if (!IsIpv4(v) && v.find(':') == std::string::npos) return Bad("bind-address", v, "an IP address");
                             o.bind_address = v;
                             return absl::OkStatus();
                           }};
  flags["secure-port"] = {"", false, [&](const std::string& v) { return SetInt("secure-port", v, 0, 65535, &o.secure_port); }};
  flags["advertise-address"] = {"", false, [&](const std::string& v) {
                                  if (!IsIpv4(v)) return Bad("advertise-address", v, "an IPv4 address");
                                  o.advertise_address = v;
                                  return absl::OkStatus();
                                }};
  flags["tls-san"] = {"", false, [&](const std::string& v) {
                        for (absl::string_view san : absl::StrSplit(v, ',', absl::SkipEmpty())) {
                          o.tls_sans.emplace_back(san.data(), san.size());
                        }
                        return absl::OkStatus();
                      }};
  flags["token-auth-file"] = {"", false, [&](const std::string& v) { o.token_auth_file = v; return absl::OkStatus(); }};
  flags["event-ttl"] = {"", false, [&](const std::string& v) {
                          auto d = ParseGoDuration(v);
                          if (!d.ok() || *d <= absl::ZeroDuration()) return Bad("event-ttl", v, "a positive duration such as \"1h\"");
                          o.event_ttl = *d;
                          return absl::OkStatus();
                        }};
  flags["service-cluster-ip-range"] = {"", false, [&](const std::string& v) {
                                         std::vector<std::string> parts = absl::StrSplit(v, '/');
                                         int bits = 0;
                                         if (parts.size() != 2 || !IsIpv4(parts[0]) || !absl::SimpleAtoi(parts[1], &bits) ||
                                             bits < 12 || bits > 30) {
                                           return Bad("service-cluster-ip-range", v, "an IPv4 CIDR between /12 and /30");
                                         }
                                         o.service_cluster_ip_range = v;
                                         return absl::OkStatus();
                                       }};
  flags["service-node-port-range"] = {"", false, [&](const std::string& v) {
                                        std::vector<std::string> parts = absl::StrSplit(v, '-');
                                        int lo = 0, hi = 0;
                                        if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &lo) ||
                                            !absl::SimpleAtoi(parts[1], &hi) || lo < 1 || hi > 65535 || lo > hi) {
                                          return Bad("service-node-port-range", v, "a port range such as 30000-32767");
                                        }
                                        o.node_port_min = lo;
                                        o.node_port_max = hi;
                                        return absl::OkStatus();
                                      }};
  flags["scheduler-config"] = {"", false, [&](const std::string& v) { o.scheduler_config = v; return absl::OkStatus(); }};
  flags["disable-scheduler"] = {"", true, [&](const std::string& v) {
                                  return SetBool("disable-scheduler", v, &o.disable_scheduler);
                                }};
  flags["v"] = {"", false, [&](const std::string& v) { return SetInt("v", v, 0, 10, &o.verbosity); }};
  flags["version"] = {"", true, [&](const std::string& v) { return SetBool("version", v, &o.show_version); }};
  flags["help"] = {"", true, [&](const std::string& v) { return SetBool("help", v, &o.show_help); }};
  if (absl::Status s = ParseFlags(args, 0, flags); !s.ok()) return s;
  if (!o.show_help && !o.show_version && o.data_dir.empty()) {
    return absl::InvalidArgumentError("required flag --data-dir is missing");
  }
  return out;
}

std::string Usage() {
  return "cubelet-server is the bundled Kubernetes API server of cubelet.\n\n"
         "Usage:\n  cubelet-server --data-dir DIR [flags]\n"
         "  cubelet-server kubeconfig --data-dir DIR --node NAME --server URL --out FILE\n\nFlags:\n"
         "      --advertise-address string          The IP address advertised in the kubernetes Endpoints. (default: the\n"
         "                                          bind address, or the first non-loopback IPv4 address)\n"
         "      --bind-address string               The IP address to serve HTTPS on. (default \"127.0.0.1\")\n"
         "      --data-dir string                   Where the store, certificates and admin.kubeconfig live. (required)\n"
         "      --disable-scheduler                 Do not schedule pods (run kube-scheduler against this server instead).\n"
         "      --event-ttl duration                How long events are kept. (default 1h0m0s)\n"
         "      --scheduler-config string           A KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1).\n"
         "      --secure-port int                   The port to serve HTTPS on. (default 6443)\n"
         "      --service-cluster-ip-range string   The IPv4 range of service cluster IPs. (default \"10.0.0.0/24\")\n"
         "      --service-node-port-range string    The range of node ports. (default \"30000-32767\")\n"
         "      --tls-san strings                   Extra names or IPs for the serving certificate.\n"
         "      --token-auth-file string            Static bearer tokens (token,user,uid,\"group1,group2\").\n"
         "      --v int                             Log verbosity.\n"
         "      --version                           Print the version and quit.\n"
         "  -h, --help                              Show this help and quit.\n";
}

std::string KubeconfigUsage() {
  return "Writes a kubeconfig for a node (client certificate CN=system:node:NAME, O=system:nodes), or\n"
         "for another user (CN=USER, O=GROUP), such as system:kube-scheduler for a kube-scheduler run\n"
         "against a server started with --disable-scheduler.\n\n"
         "Usage:\n  cubelet-server kubeconfig --data-dir DIR --node NAME --server URL --out FILE\n"
         "  cubelet-server kubeconfig --data-dir DIR --user USER [--group GROUP] --server URL --out FILE\n";
}

}  // namespace cubelet::apiserver
