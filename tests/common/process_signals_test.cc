#include "common/process_signals.h"

#include <unistd.h>

#include <cerrno>
#include <thread>

#include <gtest/gtest.h>

namespace cubelet {
namespace {

// SIGHUP (a terminal or an operator) and SIGPIPE (a client closing a watch mid-stream) ended the
// agent by their default action; only SIGTERM and SIGINT may.
TEST(ProcessSignalsTest, SighupIsLoggedAndWaitedPastSigpipeIsAnEpipeShutdownSignalsEndTheWait) {
  const ProcessSignals signals = ProcessSignals::Install();

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  errno = 0;
  EXPECT_EQ(::write(fds[1], "x", 1), -1) << "the process survived the write";
  EXPECT_EQ(errno, EPIPE);
  ::close(fds[1]);

  FakeClock clock;
  auto sink = std::make_shared<CapturingLogSink>();
  // Sent from a thread started after Install (it inherits the mask), as signals from outside
  // reach a process whose threads all block them: only the waiting thread takes them.
  std::thread sender([] {
    ::kill(::getpid(), SIGHUP);
    ::kill(::getpid(), SIGTERM);
  });
  sender.join();
  EXPECT_EQ(signals.WaitForShutdown(Logger(sink, 0, &clock)), SIGTERM);
  EXPECT_EQ(sink->Count("Received SIGHUP"), 1);
}

}  // namespace
}  // namespace cubelet
