#include "testbed/pods.h"

#include <unistd.h>

#include <cstdlib>

#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::testing {

cri::PodSandboxConfig SandboxConfig(const Testbed& tb, const std::string& name, const std::string& log_dir) {
  cri::PodSandboxConfig c;
  c.metadata = {name, StrCat("uid-", name), "default", 0};
  c.hostname = name;
  c.log_directory = log_dir;
  c.labels = {{"io.kubernetes.pod.name", name}, {"io.kubernetes.pod.namespace", "default"},
              {"io.kubernetes.pod.uid", c.metadata.uid}};
  c.linux.cgroup_parent = StrCat(tb.cgroup_parent(), "/pod", name);
  c.linux.security_context.namespace_options.pid = cri::NamespaceMode::kContainer;
  return c;
}

cri::ContainerConfig ShellContainer(const Testbed& tb, const std::string& name, const std::string& command) {
  cri::ContainerConfig c;
  c.metadata = {name, 0};
  c.image.image = tb.test_image();
  c.command = {"/bin/sh", "-c", command};
  c.labels = {{"io.kubernetes.container.name", name}};
  c.log_path = StrCat(name, "/0.log");
  return c;
}

absl::StatusOr<RunningPod> RunShellPod(cri::RuntimeService& runtime, const Testbed& tb, const std::string& name,
                                       const std::string& log_dir, const std::string& command) {
  RunningPod pod;
  pod.sandbox_config = SandboxConfig(tb, name, log_dir);
  ASSIGN_OR_RETURN(pod.sandbox_id, runtime.RunPodSandbox(pod.sandbox_config, ""));
  ASSIGN_OR_RETURN(pod.container_id,
                   runtime.CreateContainer(pod.sandbox_id, ShellContainer(tb, name, command), pod.sandbox_config));
  RETURN_IF_ERROR(runtime.StartContainer(pod.container_id));
  return pod;
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = StrCat("/tmp/", prefix, ".XXXXXX");
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

}  // namespace cubelet::testing
