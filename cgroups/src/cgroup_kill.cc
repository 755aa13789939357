#include "cgroup_kill.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "cgroup_files.h"
#include "common/unique_fd.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::cgroups::kill {
namespace {

constexpr int kMaxRounds = 5;

// Debian 12's <sys/pidfd.h> declares these without extern "C": call the kernel directly.
int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int PidfdKill(int pidfd) { return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0)); }
// Reads of freezer.state before giving up on FROZEN (a task in uninterruptible sleep holds
// FREEZING): the round then kills what it listed anyway and the next round tries again.
constexpr int kFreezePolls = 10000;

using Fd = UniqueFd;

absl::Status SetFreezerState(const std::string& dir, const char* state) {
  return files::Write(StrCat(dir, "/freezer.state"), state);
}

// FROZEN once every task below is frozen; the kernel reports FREEZING until then.
absl::Status Freeze(const std::string& dir) {
  RETURN_IF_ERROR(SetFreezerState(dir, "FROZEN"));
  for (int i = 0; i < kFreezePolls; ++i) {
    ASSIGN_OR_RETURN(std::string state, files::Read(StrCat(dir, "/freezer.state")));
    if (state == "FROZEN") return absl::OkStatus();
    ::sched_yield();
  }
  return absl::OkStatus();  // best effort: see kFreezePolls
}

// Waits until every pidfd is readable (its process exited) or `timeout` passed.
void AwaitExits(std::vector<Fd>& pidfds, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<pollfd> waiting;
  for (const Fd& fd : pidfds) waiting.push_back({fd.get(), POLLIN, 0});
  while (!waiting.empty()) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return;
    if (::poll(waiting.data(), waiting.size(), static_cast<int>(ms)) < 0 && errno != EINTR) return;
    std::erase_if(waiting, [](const pollfd& p) { return p.revents != 0; });
    for (pollfd& p : waiting) p.revents = 0;
  }
}

// Waits until `dir`/cgroup.events reads "populated 0" (the kernel notifies a change with
// POLLPRI) or `timeout` passed. Returns whether it did.
bool AwaitUnpopulated(const std::string& dir, absl::Duration timeout) {
  Fd fd(::open(StrCat(dir, "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno == ENOENT;  // the cgroup is gone
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    char buf[256];
    const ssize_t n = ::pread(fd.get(), buf, sizeof(buf) - 1, 0);
    if (n < 0) return false;
    buf[n] = '\0';
    if (std::strstr(buf, "populated 0") != nullptr) return true;
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return false;
    pollfd p{fd.get(), POLLPRI, 0};
    if (::poll(&p, 1, static_cast<int>(ms)) < 0 && errno != EINTR) return false;
  }
}

}  // namespace

absl::Status KillFrozen(const std::string& freezer_dir, const std::string& procs_dir) {
  if (!files::IsDir(procs_dir)) return absl::OkStatus();
  const bool freezer = !freezer_dir.empty() && files::IsDir(freezer_dir);
  size_t left = 0;
  for (int round = 0; round < kMaxRounds; ++round) {
    if (freezer) RETURN_IF_ERROR(Annotate(Freeze(freezer_dir), StrCat("kill the processes of cgroup ", procs_dir)));
    // While frozen a listed process cannot exit, so its pid names it until the pidfd holds it.
    auto pids = files::PidsBelow(procs_dir);
    std::vector<Fd> pidfds;
    if (pids.ok()) {
      for (int pid : *pids) {
        Fd fd(PidfdOpen(pid));
        if (fd.get() < 0) continue;  // ESRCH: gone already
        if (PidfdKill(fd.get()) == 0) pidfds.push_back(std::move(fd));
      }
    }
    // SIGKILL is acted on only once thawed.
    if (freezer) RETURN_IF_ERROR(Annotate(SetFreezerState(freezer_dir, "THAWED"), StrCat("thaw cgroup ", procs_dir)));
    if (!pids.ok()) return Annotate(pids.status(), StrCat("kill the processes of cgroup ", procs_dir));
    if (pids->empty()) return absl::OkStatus();
    left = pids->size();
    AwaitExits(pidfds, kExitWait);
  }
  return absl::UnavailableError(StrCat("kill the processes of cgroup ", procs_dir, ": ", left,
                                       " still there after ", kMaxRounds, " rounds of SIGKILL"));
}

absl::Status KillUnified(const std::string& dir) {
  if (!files::IsDir(dir)) return absl::OkStatus();
  const std::string kill_file = StrCat(dir, "/cgroup.kill");
  if (::access(kill_file.c_str(), F_OK) != 0) return KillFrozen("", dir);
  RETURN_IF_ERROR(Annotate(files::Write(kill_file, "1"), StrCat("kill the processes of cgroup ", dir)));
  if (AwaitUnpopulated(dir, kExitWait)) return absl::OkStatus();
  auto left = files::PidsBelow(dir);
  return absl::UnavailableError(StrCat("kill the processes of cgroup ", dir, ": ", left.ok() ? left->size() : 0,
                                       " still there ", absl::FormatDuration(kExitWait), " after cgroup.kill"));
}

}  // namespace cubelet::cgroups::kill
