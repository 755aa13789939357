// Owns: RuntimePods, pods put straight into the in-process fake CRI runtime with the labels the
// runtime manager gives them, as if an earlier agent had run them: the runtime state that
// housekeeping and garbage collection tests start from.
// Does not own: the fake runtime (cri/fake), pods the agent itself runs.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "cri/runtime_service.h"
#include "kuberuntime/labels.h"

namespace cubelet::kubelet {

// Returns the container's ID. With `running` false the container has exited and the sandbox is
// stopped, as a pod that finished long ago.
inline std::string RunRuntimePod(cri::RuntimeService& runtime, const std::string& uid, bool running = true) {
  cri::PodSandboxConfig sb;
  sb.metadata = {"p-" + uid, uid, "default", 0};
  sb.labels = {{kuberuntime::kPodUidLabel, uid}, {kuberuntime::kPodNameLabel, "p-" + uid},
               {kuberuntime::kPodNamespaceLabel, "default"}};
  auto sid = runtime.RunPodSandbox(sb, "");
  EXPECT_TRUE(sid.ok()) << sid.status();
  cri::ContainerConfig cc;
  cc.metadata = {"c", 0};
  cc.image.image = "i:1";
  cc.labels = {{kuberuntime::kPodUidLabel, uid}, {kuberuntime::kPodNameLabel, "p-" + uid},
               {kuberuntime::kPodNamespaceLabel, "default"}, {kuberuntime::kContainerNameLabel, "c"}};
  auto cid = runtime.CreateContainer(*sid, cc, sb);
  EXPECT_TRUE(cid.ok()) << cid.status();
  EXPECT_TRUE(runtime.StartContainer(*cid).ok());
  if (!running) {
    EXPECT_TRUE(runtime.StopContainer(*cid, absl::Seconds(1), {}).ok());
    EXPECT_TRUE(runtime.StopPodSandbox(*sid).ok());
  }
  return *cid;
}

}  // namespace cubelet::kubelet
