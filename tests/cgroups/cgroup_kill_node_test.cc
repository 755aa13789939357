// KillAll against the host's real cgroups, as root: a forked process and its own child in a
// fresh cgroup are killed through the cgroup (v1: freezer rounds; v2: cgroup.kill), and the
// cgroup can then be removed. Skips with the reason without root or the hierarchy; fails instead
// when CUBELET_REQUIRE_NODE_TESTS=1.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "cgroups/cgroup_v1_manager.h"
#include "cgroups/cgroup_v2_manager.h"

namespace cubelet::cgroups {
namespace {

constexpr char kV1Freezer[] = "/sys/fs/cgroup/freezer";
constexpr char kV2Root[] = "/sys/fs/cgroup/unified";

#define SKIP_OR_FAIL(reason)                                      \
  do {                                                            \
    if (std::getenv("CUBELET_REQUIRE_NODE_TESTS") != nullptr) {   \
      FAIL() << reason;                                           \
    }                                                             \
    GTEST_SKIP() << reason;                                       \
  } while (0)

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A child, moved into `procs_file`'s cgroup, that forks a grandchild (in the cgroup too); both
// then wait forever. Returns the child's pid; `grandchild` gets a pidfd of the grandchild.
pid_t StartTwoProcessesIn(const std::string& procs_file, int& grandchild) {
  int go[2], report[2];
  if (::pipe(go) != 0 || ::pipe(report) != 0) return -1;
  const pid_t child = ::fork();
  if (child == 0) {
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(1);
    const pid_t g = ::fork();
    if (g == 0) {
      for (;;) ::pause();
    }
    if (::write(report[1], &g, sizeof(g)) != sizeof(g)) ::_exit(1);
    for (;;) ::pause();
  }
  { std::ofstream(procs_file) << child << "\n"; }
  (void)::write(go[1], "x", 1);
  pid_t g = -1;
  (void)::read(report[0], &g, sizeof(g));
  grandchild = static_cast<int>(::syscall(SYS_pidfd_open, g, 0));
  for (int fd : {go[0], go[1], report[0], report[1]}) ::close(fd);
  return child;
}

bool Exited(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

class CgroupKillNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Orphaned grandchildren are re-parented to this process, which reaps them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  void ReapAll() {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
};

const CgroupName kPod{{"cubelet-kill-test", "pod1"}};

TEST_F(CgroupKillNodeTest, V1FreezerRoundsKillEveryProcessOfTheCgroupAsRoot) {
  if (::geteuid() != 0) SKIP_OR_FAIL("needs root to create cgroups");
  struct stat st;
  if (::stat((std::string(kV1Freezer) + "/freezer.state").c_str(), &st) != 0 &&
      ::stat((std::string(kV1Freezer) + "/cgroup.procs").c_str(), &st) != 0) {
    SKIP_OR_FAIL("no v1 freezer hierarchy at " << kV1Freezer);
  }
  CgroupV1Manager m({{"freezer", kV1Freezer}}, CgroupDriver::kCgroupfs);
  ASSERT_TRUE(m.Create(kPod, {}).ok());
  const std::string dir = std::string(kV1Freezer) + "/cubelet-kill-test/pod1";
  int grandchild = -1;
  const pid_t child = StartTwoProcessesIn(dir + "/cgroup.procs", grandchild);
  ASSERT_GT(child, 0);
  ASSERT_GE(grandchild, 0);
  ASSERT_EQ(m.Pids(kPod).status().code(), absl::StatusCode::kFailedPrecondition) << "memory is not given";

  absl::Status killed = m.KillAll(kPod);
  EXPECT_TRUE(killed.ok()) << killed;
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_TRUE(Exited(grandchild)) << "KillAll returned once the processes had exited";
  EXPECT_EQ(Slurp(dir + "/freezer.state"), "THAWED\n") << "left thawed";
  EXPECT_EQ(Slurp(dir + "/cgroup.procs"), "");
  ReapAll();
  EXPECT_TRUE(m.Destroy(kPod).ok());
  EXPECT_TRUE(m.Destroy(CgroupName{{"cubelet-kill-test"}}).ok());
  ::close(grandchild);
}

TEST_F(CgroupKillNodeTest, V2CgroupKillKillsEveryProcessOfTheCgroupAsRoot) {
  if (::geteuid() != 0) SKIP_OR_FAIL("needs root to create cgroups");
  struct stat st;
  if (::stat((std::string(kV2Root) + "/cgroup.procs").c_str(), &st) != 0) {
    SKIP_OR_FAIL("no cgroup2 mount at " << kV2Root);
  }
  // Made by hand: the manager's Create wants cpu, memory and pids delegated, which a hybrid
  // host's cgroup2 mount does not offer; KillAll needs none of them.
  const std::string parent = std::string(kV2Root) + "/cubelet-kill-test";
  const std::string dir = parent + "/pod1";
  ::mkdir(parent.c_str(), 0755);
  ASSERT_EQ(::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST, true);
  if (::stat((dir + "/cgroup.kill").c_str(), &st) != 0) {
    ::rmdir(dir.c_str());
    ::rmdir(parent.c_str());
    SKIP_OR_FAIL("the kernel has no cgroup.kill (before 5.14)");
  }
  CgroupV2Manager m(kV2Root, CgroupDriver::kCgroupfs);
  int grandchild = -1;
  const pid_t child = StartTwoProcessesIn(dir + "/cgroup.procs", grandchild);
  ASSERT_GT(child, 0);
  auto pids = m.Pids(kPod);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_EQ(pids->size(), 2u);

  absl::Status killed = m.KillAll(kPod);
  EXPECT_TRUE(killed.ok()) << killed;
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_TRUE(Exited(grandchild));
  ReapAll();
  EXPECT_EQ(Slurp(dir + "/cgroup.procs"), "");
  EXPECT_TRUE(m.Destroy(kPod).ok());
  EXPECT_TRUE(m.Destroy(CgroupName{{"cubelet-kill-test"}}).ok());
  ::close(grandchild);
}

}  // namespace
}  // namespace cubelet::cgroups
