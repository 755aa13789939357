// Owns: cubelet-server's command line: its flags (kube-apiserver's names where they exist:
// --bind-address, --secure-port, --advertise-address, --token-auth-file, --event-ttl,
// --service-cluster-ip-range, --service-node-port-range; k3s' --tls-san and --data-dir), strict
// parsing (an unknown flag or a bad value is an error naming it), usage text, and the
// `kubeconfig` subcommand's flags.
// Does not own: what the settings do (api_server.h).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cubelet::apiserver {

struct ServerOptions {
  std::string data_dir;
  std::string bind_address = "127.0.0.1";
  int secure_port = 6443;
  std::string advertise_address;  // default: the bind address, or the first non-loopback IPv4 for 0.0.0.0
  std::vector<std::string> tls_sans;
  std::string token_auth_file;
  absl::Duration event_ttl = absl::Hours(1);
  std::string service_cluster_ip_range = "10.0.0.0/24";
  int node_port_min = 30000;
  int node_port_max = 32767;
  std::string scheduler_config;  // a KubeSchedulerConfiguration file; "" = upstream's defaults
  bool disable_scheduler = false;  // for users who run kube-scheduler instead
  // Not a flag: the scheduler benchmark's fake nodes never heartbeat, and it measures the
  // scheduler, not their tainting.
  bool node_lifecycle = true;
  int verbosity = 0;
  bool show_version = false;
  bool show_help = false;
};

struct KubeconfigCommand {
  std::string data_dir;
  std::string node;   // a node's kubeconfig, or
  std::string user;   // any user's (e.g. system:kube-scheduler), with
  std::string group;  // an optional group
  std::string server;
  std::string out;
};

struct CommandLine {
  bool kubeconfig = false;  // the `kubeconfig` subcommand
  ServerOptions server;
  KubeconfigCommand kubeconfig_command;
};

// Parses argv[1..]. InvalidArgument naming the flag for unknown flags, missing or bad values,
// stray arguments, and a missing --data-dir (unless --help or --version).
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

std::string Usage();
std::string KubeconfigUsage();

}  // namespace cubelet::apiserver
