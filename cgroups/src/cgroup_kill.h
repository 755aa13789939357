// Owns: killing every process of a cgroup through the cgroup itself, for both managers: v2's
// cgroup.kill, and v1's freeze / list / kill / thaw rounds (libcontainer's signalAllProcesses),
// never by pids read at another time (a pid may have been reused since). Private to
// cubelet_cgroups.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cubelet::cgroups::kill {

// How long KillAll waits for the killed processes to leave the cgroup, per round.
inline constexpr absl::Duration kExitWait = absl::Seconds(2);

// v2: writes "1" to `dir`/cgroup.kill (the kernel SIGKILLs the whole subtree, new forks
// included) and waits until cgroup.events says it is unpopulated. A kernel without cgroup.kill
// (before 5.14) gets the v1 rounds without a freezer. A missing `dir` is no error.
absl::Status KillUnified(const std::string& dir);

// v1: rounds of: freeze `freezer_dir` (when the freezer is mounted: "" otherwise), list the
// processes of `procs_dir` and below while frozen, SIGKILL each through a pidfd opened while it
// could not exit, thaw, wait for them to exit; until a round finds none. Errors name the
// cgroup and how many processes are left.
absl::Status KillFrozen(const std::string& freezer_dir, const std::string& procs_dir);

}  // namespace cubelet::cgroups::kill
