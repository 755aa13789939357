// The real cubelet binary against the test bed's containerd: it connects and logs the runtime,
// shuts down cleanly on SIGTERM and SIGINT, and rejects bad flags and config with clear errors.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/strings.h"
#include "testbed/cubelet_process.h"
#include "testbed/pods.h"
#include "testbed/testbed.h"

namespace cubelet::testing {
namespace {

using ::testing::HasSubstr;

// The binary under test, with its stderr in `log`.
class CubeletProcess : public cubelet::testing::CubeletProcess {
 public:
  CubeletProcess(std::vector<std::string> args, std::string log)
      : cubelet::testing::CubeletProcess(CUBELET_BINARY, std::move(args), std::move(log)) {}
};

class CubeletProcessNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CUBELET_REQUIRE_TESTBED();
    tb_ = NodeTestEnvironment::testbed();
    dir_ = MakeTempDir("cubelet-proc");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> BaseArgs() {
    return {"--container-runtime-endpoint=" + tb_->endpoint(), "--root-dir=" + dir_ + "/root",
            "--hostname-override=node-test"};
  }
  Testbed* tb_ = nullptr;
  std::string dir_;
};

TEST_F(CubeletProcessNodeTest, ConnectsLogsRuntimeAndStopsCleanlyOnSigterm) {
  CubeletProcess p(BaseArgs(), dir_ + "/cubelet.log");
  ASSERT_TRUE(p.WaitForLog("Container runtime initialized")) << p.Log();
  const std::string log = p.Log();
  EXPECT_THAT(log, HasSubstr("containerRuntime=\"containerd\""));
  EXPECT_THAT(log, HasSubstr("apiVersion=\"v1\""));
  // klog text format on every line.
  std::regex klog(R"(^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6} +\d+ [\w.]+:\d+\] ".*)");
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) EXPECT_TRUE(std::regex_match(line, klog)) << line;
  // Without CAP_SYS_RESOURCE the oom_score_adj cannot be lowered: a warning, not a failure.
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 0) << p.Log();
  EXPECT_THAT(p.Log(), HasSubstr("cubelet stopped"));
}

TEST_F(CubeletProcessNodeTest, StopsCleanlyOnSigint) {
  CubeletProcess p(BaseArgs(), dir_ + "/cubelet.log");
  ASSERT_TRUE(p.WaitForLog("Node agent running")) << p.Log();
  p.Signal(SIGINT);
  EXPECT_EQ(p.Wait(), 0) << p.Log();
}

TEST_F(CubeletProcessNodeTest, ConfigFileIsReadAndFlagsOverrideIt) {
  const std::string config = dir_ + "/kubelet.yaml";
  std::ofstream(config) << "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                        << "containerRuntimeEndpoint: unix:///nonexistent.sock\n"
                        << "staticPodPath: " << dir_ << "/manifests\n";
  auto args = BaseArgs();
  args.push_back("--config=" + config);
  CubeletProcess p(args, dir_ + "/cubelet.log");
  ASSERT_TRUE(p.WaitForLog("Container runtime initialized")) << p.Log();
  // The static pod source logs its path once it starts, after the runtime: wait for it.
  EXPECT_TRUE(p.WaitForLog("staticPodPath=\"" + dir_ + "/manifests\"")) << p.Log();
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 0);
}

TEST_F(CubeletProcessNodeTest, WaitsForARuntimeThatIsNotThereAndStillStopsCleanly) {
  auto args = BaseArgs();
  args[0] = "--container-runtime-endpoint=unix://" + dir_ + "/absent.sock";
  args.push_back("--runtime-request-timeout=2s");
  CubeletProcess p(args, dir_ + "/cubelet.log");
  ASSERT_TRUE(p.WaitForLog("Container runtime not ready, retrying", 30)) << p.Log();
  EXPECT_THAT(p.Log(), HasSubstr(dir_ + "/absent.sock"));
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(30), 0) << p.Log();
}

TEST_F(CubeletProcessNodeTest, BadFlagsAndConfigExitNonZeroNamingTheProblem) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"--no-such-flag"}, "Error: unknown flag: --no-such-flag"},
      {{"--max-pods=lots"}, "invalid argument \"lots\" for \"--max-pods\" flag"},
      {{"--cgroup-driver=fancy"}, "cgroupDriver (--cgroup-driver) \"fancy\""},
      {{"--config=" + dir_ + "/missing.yaml"}, dir_ + "/missing.yaml\": cannot read"},
      {{"--container-runtime-endpoint=tcp://127.0.0.1:1"}, "only unix sockets are supported"},
      // This machine does not boot with systemd: the systemd driver says so instead of
      // making slices nobody manages.
      {{"--cgroup-driver=systemd"}, "systemd is not running here"},
      {{"--cgroup-driver=systemd", "--cgroup-root=/cubelet"}, "is not a systemd slice"},
      {{"--kube-reserved=memory=12apples"}, "invalid configuration: kubeReserved.memory: \"12apples\" is not a quantity"},
      // Out of range, not wrapped to a small number or silently defaulted.
      {{"--max-pods=4294967406"}, "invalid argument \"4294967406\" for \"--max-pods\" flag"},
      // upstream refuses to start with a sysctl it cannot tell the namespace of.
      {{"--allowed-unsafe-sysctls=vm.swappiness"}, "the sysctl \\\"vm.swappiness\\\" are not known to be namespaced"},
  };
  const std::string bad_config = dir_ + "/bad.yaml";
  std::ofstream(bad_config) << "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nsyncFrequncy: 1m\n";
  int n = 0;
  for (auto& c : cases) {
    CubeletProcess p(c.args, dir_ + "/bad" + std::to_string(n++) + ".log");
    EXPECT_EQ(p.Wait(), 1) << c.message;
    EXPECT_THAT(p.Log(), HasSubstr(c.message));
  }
  CubeletProcess p({"--config=" + bad_config}, dir_ + "/badconfig.log");
  EXPECT_EQ(p.Wait(), 1);
  EXPECT_THAT(p.Log(), HasSubstr("kubelet config file \"" + bad_config + "\": unknown field \"syncFrequncy\""));
}

TEST_F(CubeletProcessNodeTest, VersionAndHelp) {
  CubeletProcess v({"--version"}, dir_ + "/version.log");
  EXPECT_EQ(v.Wait(), 0);
  EXPECT_THAT(v.Log(), ::testing::StartsWith("Kubernetes v1."));
  CubeletProcess h({"--help"}, dir_ + "/help.log");
  EXPECT_EQ(h.Wait(), 0);
  EXPECT_THAT(h.Log(), HasSubstr("--pod-manifest-path"));
}

}  // namespace
}  // namespace cubelet::testing
