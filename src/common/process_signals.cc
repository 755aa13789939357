#include "common/process_signals.h"

#include <pthread.h>
#include <string.h>

namespace cubelet {

ProcessSignals ProcessSignals::Install() {
  ProcessSignals s;
  sigemptyset(&s.waited_);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&s.waited_, sig);
  pthread_sigmask(SIG_BLOCK, &s.waited_, nullptr);
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
  return s;
}

int ProcessSignals::WaitForShutdown(const Logger& logger) const {
  while (true) {
    int sig = 0;
    if (sigwait(&waited_, &sig) != 0) continue;
    if (sig != SIGHUP) return sig;
    logger.Info("Received SIGHUP; ignored (no configuration reload), still running", {{"signal", strsignal(sig)}});
  }
}

}  // namespace cubelet
