// Owns: cubelet's command line: the upstream kubelet flags it supports, their parsing
// (--name=value, --name value, -v=N, bare booleans), usage text, and building the effective
// configuration as upstream does: defaults, then the --config file, then flags.
// Does not own: the meaning of each setting (the components that use them).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kubeletconfig/kubelet_configuration.h"

namespace cubelet::kubeletconfig {

// Settings that exist only as flags (they are not KubeletConfiguration fields).
struct NodeOptions {
  std::string config_file;
  std::string kubeconfig;
  std::string root_dir = "/var/lib/kubelet";
  std::string hostname_override;
  std::string node_ip;
  int verbosity = 0;
  bool show_version = false;
  bool show_help = false;
};

struct ParsedFlag {
  std::string name;   // without dashes
  std::string value;  // as given ("true" for a bare boolean)
};

struct CommandLine {
  NodeOptions options;
  // Flags that set KubeletConfiguration fields, in command-line order; applied over the file.
  std::vector<ParsedFlag> config_flags;
};

// Parses argv[1..]. Unknown flags, missing values, values of the wrong type and positional
// arguments are InvalidArgument errors naming the flag.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// Defaults, then the --config file (if any), then config flags; validated at the end.
absl::StatusOr<KubeletConfiguration> BuildConfiguration(const CommandLine& command_line);

// The --help text.
std::string Usage(const std::string& program);

}  // namespace cubelet::kubeletconfig
