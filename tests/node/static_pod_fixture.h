// Shared by the node tests that run the real `cubelet` on static pods: a fixture that writes
// manifests, starts cubelet against the test bed and reads its /pods endpoint.
#pragma once

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/strings.h"
#include "cri/remote_runtime.h"
#include "testbed/cubelet_process.h"
#include "testbed/pods.h"
#include "testbed/testbed.h"

namespace cubelet::testing {

namespace fs = std::filesystem;

inline const api::ContainerStatus* Container(const api::Pod& p, const std::string& name) {
  for (const auto* list : {&p.status.container_statuses, &p.status.init_container_statuses}) {
    for (const auto& c : *list) {
      if (c.name == name) return &c;
    }
  }
  return nullptr;
}

inline const api::PodCondition* Condition(const api::Pod& p, const std::string& type) {
  for (const auto& c : p.status.conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

inline std::string PodYaml(const std::string& name, const std::string& spec) {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", name, "\nspec:\n", spec);
}

inline std::string Container1(const std::string& name, const std::string& command, const std::string& extra = "") {
  return StrCat("  - name: ", name, "\n    image: localhost/cubelet/testimage:1.0\n    command: [\"sh\", \"-c\", ",
                command, "]\n", extra);
}

class StaticPodNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUBELET_REQUIRE_TESTBED();
    tb_ = NodeTestEnvironment::testbed();
    dir_ = MakeTempDir("static-pods");
    manifests_ = dir_ + "/manifests";
    logs_ = dir_ + "/pod-logs";
    fs::create_directories(manifests_);
    port_ = FreePort();
    std::ofstream(dir_ + "/config.yaml") << "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                         << "podLogsDir: " << logs_ << "\nfileCheckFrequency: 2s\n"
                                         << "clusterDNS: [10.96.0.10]\nclusterDomain: cluster.local\n";
    cri::RemoteRuntimeOptions o;
    o.endpoint = tb_->endpoint();
    runtime_ = *cri::NewRemoteRuntimeService(o);
  }

  void TearDown() override {
    cubelet_.reset();
    if (runtime_ != nullptr) {
      auto sandboxes = runtime_->ListPodSandbox({});
      if (sandboxes.ok()) {
        for (const auto& sb : *sandboxes) {
          (void)runtime_->StopPodSandbox(sb.id);
          (void)runtime_->RemovePodSandbox(sb.id);
        }
      }
    }
    if (!dir_.empty()) {
      std::system(StrCat("umount -R ", dir_, "/root/pods/*/volumes/*/* 2>/dev/null").c_str());
      fs::remove_all(dir_);
    }
  }

  // Adds KubeletConfiguration fields (YAML lines) before StartCubelet.
  void AppendConfig(const std::string& yaml) { std::ofstream(dir_ + "/config.yaml", std::ios::app) << yaml; }

  void StartCubelet() {
    cubelet_ = std::make_unique<CubeletProcess>(
        CUBELET_BINARY,
        std::vector<std::string>{"--config=" + dir_ + "/config.yaml", "--container-runtime-endpoint=" + tb_->endpoint(),
                                 "--pod-manifest-path=" + manifests_, "--root-dir=" + dir_ + "/root",
                                 "--cgroup-root=" + tb_->cgroup_parent(), "--hostname-override=node-test",
                                 "--read-only-port=" + std::to_string(port_), "--healthz-port=0", "--v=2"},
        dir_ + "/cubelet.log");
    ASSERT_TRUE(cubelet_->WaitForLog("Node agent running")) << cubelet_->Log();
  }

  void WriteManifest(const std::string& file, const std::string& content) {
    // Written aside and renamed, as configuration tools do, so cubelet never reads half a file.
    const std::string tmp = manifests_ + "/." + file + ".tmp";
    std::ofstream(tmp) << content;
    fs::rename(tmp, manifests_ + "/" + file);
  }

  api::Pod Wait(const std::string& name, const std::function<bool(const api::Pod&)>& pred, int seconds = 60) {
    auto p = WaitForPod(port_, name, pred, seconds);
    EXPECT_TRUE(p.ok()) << p.status() << "\ncubelet log:\n" << cubelet_->Log();
    return p.ok() ? *p : api::Pod{};
  }

  static bool Running(const api::Pod& p) {
    return p.status.phase == "Running" && !p.status.container_statuses.empty() &&
           std::all_of(p.status.container_statuses.begin(), p.status.container_statuses.end(),
                       [](const api::ContainerStatus& c) { return c.state.running.has_value(); });
  }

  std::set<std::string> RunningContainerIds() {
    std::set<std::string> out;
    auto list = runtime_->ListContainers({.id = "", .state = cri::ContainerState::kRunning});
    for (const auto& c : *list) out.insert(c.id);
    return out;
  }

  Testbed* tb_ = nullptr;
  std::string dir_, manifests_, logs_;
  int port_ = 0;
  std::unique_ptr<CubeletProcess> cubelet_;
  std::unique_ptr<cri::RuntimeService> runtime_;
};

}  // namespace cubelet::testing
