// Owns: the process-wide signal set-up both mains share: SIGPIPE ignored (a peer that closes a
// connection mid-write costs that write an EPIPE, not the process), SIGTERM, SIGINT and SIGHUP
// blocked in every thread and taken by the one thread that waits for shutdown; SIGHUP is logged
// and otherwise ignored (no config reload, and no exit: its default action would end the agent).
// Does not own: what shutdown does (the mains stop their composition roots).
#pragma once

#include <signal.h>

#include "common/logger.h"

namespace cubelet {

class ProcessSignals {
 public:
  // Ignores SIGPIPE and blocks SIGTERM, SIGINT and SIGHUP in the calling thread. Call it before
  // any thread starts: threads inherit the mask, so that only WaitForShutdown takes them.
  static ProcessSignals Install();

  // Blocks until SIGTERM or SIGINT and returns it; a SIGHUP meanwhile is logged and waited past.
  int WaitForShutdown(const Logger& logger) const;

 private:
  ProcessSignals() = default;
  sigset_t waited_;
};

}  // namespace cubelet
