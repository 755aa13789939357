// Owns: small helpers for node tests that drive a test bed's containerd directly through the
// CRI client: the sandbox and container configs a kubelet would send, and a running pod.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cri/runtime_service.h"
#include "testbed/testbed.h"

namespace cubelet::testing {

// A sandbox config like a kubelet's for pod `name`, its cgroup under the test bed's parent and
// its logs under `log_dir`.
cri::PodSandboxConfig SandboxConfig(const Testbed& tb, const std::string& name, const std::string& log_dir);

// A container of the test image running `command` (via sh -c), logging to <name>/0.log.
cri::ContainerConfig ShellContainer(const Testbed& tb, const std::string& name, const std::string& command);

struct RunningPod {
  std::string sandbox_id;
  std::string container_id;
  cri::PodSandboxConfig sandbox_config;
};

// Runs a sandbox and one container executing `command`, and starts it.
absl::StatusOr<RunningPod> RunShellPod(cri::RuntimeService& runtime, const Testbed& tb, const std::string& name,
                                       const std::string& log_dir, const std::string& command);

// A new empty temp directory.
std::string MakeTempDir(const std::string& prefix);

}  // namespace cubelet::testing
