#include "common/thread_entry.h"

#include <stdexcept>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"

namespace cubelet {
namespace {

TEST(RunGuardedTest, AThrowFailsTheOperationWithTheThreadsNameAndIsLogged) {
  FakeClock clock;
  auto sink = std::make_shared<CapturingLogSink>();
  Logger logger(sink, 0, &clock);
  absl::Status s = RunGuarded(logger, "pleg", "relist", [] { throw std::out_of_range("stoi"); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "pleg: relist threw: stoi");
  EXPECT_EQ(sink->Count("thread=\"pleg\" operation=\"relist\" err=\"stoi\""), 1) << sink->Lines()[0];
  s = RunGuarded(logger, "pleg", "relist", [] { throw 7; });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(RunGuarded(logger, "pleg", "relist", [] {}).ok());
}

TEST(StartThreadTest, AThreadWhoseBodyThrowsEndsWithAnErrorLineNotTheProcess) {
  FakeClock clock;
  auto sink = std::make_shared<CapturingLogSink>();
  absl::Notification stopped_seen;
  {
    std::jthread t = StartThread(Logger(sink, 0, &clock), "file-watch", [] { throw std::runtime_error("inotify"); });
  }  // joined: without the guard std::terminate would have ended the test binary
  EXPECT_EQ(sink->Count("thread=\"file-watch\""), 1);
  {
    std::jthread t = StartThread(Logger(sink, 0, &clock), "loop", [&](std::stop_token st) {
      while (!st.stop_requested()) std::this_thread::yield();
      stopped_seen.Notify();
    });
  }  // request_stop, then join
  EXPECT_TRUE(stopped_seen.HasBeenNotified());
}

}  // namespace
}  // namespace cubelet
