// The CRI client against the real containerd of the test bed: run a sandbox, read its IP,
// create and start containers, ExecSync in them, read status and exit codes, stop and remove.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/strings.h"
#include "cri/remote_runtime.h"
#include "testbed/pods.h"
#include "testbed/testbed.h"

namespace cubelet::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class CriRuntimeNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUBELET_REQUIRE_TESTBED();
    tb_ = NodeTestEnvironment::testbed();
    cri::RemoteRuntimeOptions o;
    o.endpoint = tb_->endpoint();
    runtime_ = *cri::NewRemoteRuntimeService(o);
    images_ = *cri::NewRemoteImageService(o);
    log_dir_ = MakeTempDir("cri-node-logs");
  }

  void TearDown() override {
    if (runtime_ == nullptr) return;
    auto sandboxes = runtime_->ListPodSandbox({});
    ASSERT_TRUE(sandboxes.ok()) << sandboxes.status();
    for (const auto& sb : *sandboxes) {
      (void)runtime_->StopPodSandbox(sb.id);
      (void)runtime_->RemovePodSandbox(sb.id);
    }
    std::filesystem::remove_all(log_dir_);
  }

  // Polls the container until it has exited.
  cri::ContainerStatus WaitExited(const std::string& id) {
    for (int i = 0; i < 200; ++i) {
      auto s = runtime_->GetContainerStatus(id);
      if (s.ok() && s->state == cri::ContainerState::kExited) return *s;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "container " << id << " did not exit";
    return {};
  }

  Testbed* tb_ = nullptr;
  std::unique_ptr<cri::RuntimeService> runtime_;
  std::unique_ptr<cri::ImageService> images_;
  std::string log_dir_;
};

TEST_F(CriRuntimeNodeTest, VersionNamesContainerd) {
  auto v = runtime_->Version();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->runtime_name, "containerd");
  EXPECT_EQ(v->runtime_api_version, "v1");
  EXPECT_FALSE(v->runtime_version.empty());
  auto s = runtime_->Status(false);
  ASSERT_TRUE(s.ok()) << s.status();
  for (const auto& c : s->conditions) EXPECT_TRUE(c.status) << c.type << ": " << c.message;
}

TEST_F(CriRuntimeNodeTest, SandboxGetsAnIpInTheTestbedSubnet) {
  auto id = runtime_->RunPodSandbox(SandboxConfig(*tb_, "ip", log_dir_), "");
  ASSERT_TRUE(id.ok()) << id.status();
  auto st = runtime_->GetPodSandboxStatus(*id);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->state, cri::PodSandboxState::kReady);
  EXPECT_THAT(st->ip, StartsWith(tb_->subnet_prefix()));
  EXPECT_EQ(st->metadata.name, "ip");
  EXPECT_EQ(st->labels.at("io.kubernetes.pod.name"), "ip");
  ASSERT_TRUE(runtime_->StopPodSandbox(*id).ok());
  EXPECT_EQ(runtime_->GetPodSandboxStatus(*id)->state, cri::PodSandboxState::kNotReady);
  ASSERT_TRUE(runtime_->RemovePodSandbox(*id).ok());
  EXPECT_EQ(runtime_->GetPodSandboxStatus(*id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CriRuntimeNodeTest, ContainerRunsExecsStopsAndIsRemoved) {
  auto pod = RunShellPod(*runtime_, *tb_, "exec", log_dir_, "echo started; exec sleep 3600");
  ASSERT_TRUE(pod.ok()) << pod.status();
  auto running = runtime_->GetContainerStatus(pod->container_id);
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(running->state, cri::ContainerState::kRunning);
  EXPECT_GT(running->started_at, 0);
  EXPECT_THAT(running->image_ref, StartsWith("sha256:"));

  auto hello = runtime_->ExecSync(pod->container_id, {"sh", "-c", "echo hello; echo oops >&2; exit 3"},
                                  absl::Seconds(10));
  ASSERT_TRUE(hello.ok()) << hello.status();
  EXPECT_EQ(hello->stdout_data, "hello\n");
  EXPECT_EQ(hello->stderr_data, "oops\n");
  EXPECT_EQ(hello->exit_code, 3);
  auto whoami = runtime_->ExecSync(pod->container_id, {"id", "-u"}, absl::Seconds(10));
  ASSERT_TRUE(whoami.ok());
  EXPECT_EQ(whoami->stdout_data, "0\n");

  // The container's stdout is in its CRI log file.
  const std::string log = log_dir_ + "/exec/0.log";
  std::string content;
  for (int i = 0; i < 100 && content.find("started") == std::string::npos; ++i) {
    std::ifstream f(log);
    content.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(content, HasSubstr(" stdout F started")) << log;

  ASSERT_TRUE(runtime_->StopContainer(pod->container_id, absl::Seconds(1), {}).ok());
  auto stopped = runtime_->GetContainerStatus(pod->container_id);
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->state, cri::ContainerState::kExited);
  EXPECT_THAT(stopped->exit_code, ::testing::AnyOf(137, 143)) << "ended by SIGTERM or, after the grace, SIGKILL";
  EXPECT_GT(stopped->finished_at, stopped->started_at);
  ASSERT_TRUE(runtime_->RemoveContainer(pod->container_id).ok());
  EXPECT_EQ(runtime_->GetContainerStatus(pod->container_id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CriRuntimeNodeTest, UpdateContainerResourcesChangesTheRunningContainersCgroup) {
  auto pod = RunShellPod(*runtime_, *tb_, "resize", log_dir_, "exec sleep 3600");
  ASSERT_TRUE(pod.ok()) << pod.status();
  cri::LinuxContainerResources r;
  r.cpu_shares = 512;
  r.cpu_period = 100000;
  r.cpu_quota = 25000;
  r.memory_limit_in_bytes = 96 << 20;
  ASSERT_TRUE(runtime_->UpdateContainerResources(pod->container_id, r).ok());
  const std::string cgroup = StrCat(pod->sandbox_config.linux.cgroup_parent, "/", pod->container_id);
  auto read = [&](const std::string& file) {
    std::ifstream f(file);
    std::string s;
    std::getline(f, s);
    return s;
  };
  EXPECT_EQ(read("/sys/fs/cgroup/cpu" + cgroup + "/cpu.shares"), "512");
  EXPECT_EQ(read("/sys/fs/cgroup/cpu" + cgroup + "/cpu.cfs_quota_us"), "25000");
  EXPECT_EQ(read("/sys/fs/cgroup/memory" + cgroup + "/memory.limit_in_bytes"), std::to_string(96 << 20));
  EXPECT_EQ(runtime_->UpdateContainerResources("no-such-container", r).code(), absl::StatusCode::kNotFound);
  // containerd reports what is applied in the container's status: resize compares against it.
  auto status = runtime_->GetContainerStatus(pod->container_id);
  ASSERT_TRUE(status.ok() && status->resources.has_value());
  EXPECT_EQ(status->resources->cpu_shares, 512);
  EXPECT_EQ(status->resources->cpu_quota, 25000);
  EXPECT_EQ(status->resources->memory_limit_in_bytes, 96 << 20);
}

TEST_F(CriRuntimeNodeTest, ExitCodeAndReasonOfAFinishedContainer) {
  auto failing = RunShellPod(*runtime_, *tb_, "fail", log_dir_, "exit 7");
  ASSERT_TRUE(failing.ok()) << failing.status();
  auto s = WaitExited(failing->container_id);
  EXPECT_EQ(s.exit_code, 7);
  EXPECT_EQ(s.reason, "Error");
  auto ok = RunShellPod(*runtime_, *tb_, "ok", log_dir_, "true");
  ASSERT_TRUE(ok.ok()) << ok.status();
  auto s2 = WaitExited(ok->container_id);
  EXPECT_EQ(s2.exit_code, 0);
  EXPECT_EQ(s2.reason, "Completed");
}

TEST_F(CriRuntimeNodeTest, ExecSyncThatOutlivesItsTimeoutFails) {
  auto pod = RunShellPod(*runtime_, *tb_, "slow", log_dir_, "exec sleep 3600");
  ASSERT_TRUE(pod.ok()) << pod.status();
  auto r = runtime_->ExecSync(pod->container_id, {"sleep", "10"}, absl::Seconds(1));
  EXPECT_FALSE(r.ok() && r->exit_code == 0) << "a command past its timeout is never a success";
}

TEST_F(CriRuntimeNodeTest, ImagesArePresentAndUnknownOnesFailToPull) {
  auto pause = images_->ImageStatus({.image = tb_->pause_image()});
  ASSERT_TRUE(pause.ok()) << pause.status();
  ASSERT_TRUE(pause->has_value());
  EXPECT_THAT((*pause)->repo_tags, ::testing::Contains(tb_->pause_image()));
  auto absent = images_->ImageStatus({.image = "localhost/cubelet/absent:0"});
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  auto pull = images_->PullImage({.image = "localhost/cubelet/absent:0"}, nullptr, nullptr, {});
  ASSERT_FALSE(pull.ok());
  EXPECT_THAT(std::string(pull.status().message()), HasSubstr("PullImage image \"localhost/cubelet/absent:0\""));
  auto list = images_->ListImages({});
  ASSERT_TRUE(list.ok());
  EXPECT_GE(list->size(), 2u);
}

TEST_F(CriRuntimeNodeTest, ErrorsFromContainerdKeepCodeAndContext) {
  auto missing = runtime_->GetContainerStatus("0123456789abcdef");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), StartsWith("ContainerStatus container \"0123456789abcdef\": "));
}

}  // namespace
}  // namespace cubelet::testing
