// The test bed itself: teardown leaves nothing behind, also after the owning test process was
// killed. Needs root and containerd.
#include "testbed/testbed.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/strings.h"
#include "cri/remote_runtime.h"
#include "testbed/pods.h"

namespace cubelet::testing {
namespace {

namespace fs = std::filesystem;

bool LinkExists(const std::string& name) {
  return std::system(StrCat("ip link show ", name, " >/dev/null 2>&1").c_str()) == 0;
}

bool CgroupExists(const std::string& parent) {
  return fs::exists(StrCat("/sys/fs/cgroup/memory", parent)) || fs::exists(StrCat("/sys/fs/cgroup", parent));
}

std::unique_ptr<cri::RuntimeService> Client(const std::string& endpoint) {
  cri::RemoteRuntimeOptions o;
  o.endpoint = endpoint;
  return *cri::NewRemoteRuntimeService(o);
}

// PIDs whose command line mentions `needle`.
std::vector<int> ProcessesMentioning(const std::string& needle) {
  std::vector<int> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(e.path() / "cmdline");
    std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (cmd.find(needle) != std::string::npos && std::stoi(name) != ::getpid()) out.push_back(std::stoi(name));
  }
  return out;
}

// Pod logs inside the bed's own directory, so that teardown removes them too.
std::string LogDir(const Testbed& tb) {
  const std::string dir = tb.dir() + "/pod-logs";
  fs::create_directories(dir);
  return dir;
}

class TestbedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = Testbed::UnavailableReason(); !why.empty()) {
      if (std::getenv("CUBELET_REQUIRE_NODE_TESTS") != nullptr) FAIL() << "node test bed required: " << why;
      GTEST_SKIP() << "needs root and containerd: " << why;
    }
  }
};

TEST_F(TestbedTest, StopLeavesNoProcessMountNetnsBridgeOrCgroupBehind) {
  auto tb = Testbed::Start();
  ASSERT_TRUE(tb.ok()) << tb.status();
  const std::string dir = (*tb)->dir();
  const std::string bridge = (*tb)->bridge();
  const std::string cgroup = (*tb)->cgroup_parent();
  auto runtime = Client((*tb)->endpoint());
  auto pod = RunShellPod(*runtime, **tb, "teardown", LogDir(**tb), "sleep 3600");
  ASSERT_TRUE(pod.ok()) << pod.status();

  // The pod really holds all the kinds of resource teardown must release.
  EXPECT_TRUE(LinkExists(bridge));
  EXPECT_TRUE(CgroupExists(cgroup));
  EXPECT_FALSE(ProcessesMentioning(dir).empty()) << "containerd and its shim";
  auto sandbox = runtime->GetPodSandboxStatus(pod->sandbox_id);
  ASSERT_TRUE(sandbox.ok());
  EXPECT_THAT(sandbox->ip, ::testing::StartsWith((*tb)->subnet_prefix()));

  ASSERT_TRUE((*tb)->Stop().ok());
  EXPECT_EQ((*tb)->Leftovers(), "");
  EXPECT_TRUE(ProcessesMentioning(dir).empty());
  EXPECT_FALSE(LinkExists(bridge));
  EXPECT_FALSE(CgroupExists(cgroup));
  EXPECT_FALSE(fs::exists(dir));
  std::ifstream mounts("/proc/self/mountinfo");
  std::string all((std::istreambuf_iterator<char>(mounts)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all.find(dir), std::string::npos) << "a mount under the test bed is left";
}

TEST_F(TestbedTest, ABedWhoseOwnerWasKilledIsSweptAtTheNextStart) {
  // The "test process" that owns the bed is killed with SIGKILL, so it cleans nothing itself.
  pid_t owner = ::fork();
  if (owner == 0) {
    ::execl("/bin/sleep", "sleep", "600", nullptr);
    ::_exit(127);
  }
  auto tb = Testbed::Start(owner);
  ASSERT_TRUE(tb.ok()) << tb.status();
  const std::string dir = (*tb)->dir();
  auto runtime = Client((*tb)->endpoint());
  auto pod = RunShellPod(*runtime, **tb, "orphan", LogDir(**tb), "sleep 3600");
  ASSERT_TRUE(pod.ok()) << pod.status();
  (*tb)->Abandon();
  ::kill(owner, SIGKILL);
  ::waitpid(owner, nullptr, 0);
  EXPECT_FALSE(ProcessesMentioning(dir).empty()) << "nothing cleaned the bed yet";

  ASSERT_TRUE(Testbed::Sweep().ok());
  EXPECT_EQ((*tb)->Leftovers(), "");
  EXPECT_TRUE(ProcessesMentioning(dir).empty());
  EXPECT_FALSE(LinkExists((*tb)->bridge()));
  EXPECT_FALSE(CgroupExists((*tb)->cgroup_parent()));
}

}  // namespace
}  // namespace cubelet::testing
