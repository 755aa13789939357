// Owns: the one guard every long-running thread's entry goes through: RunGuarded catches anything
// a library throws out of one operation (a task, a loop iteration, a whole thread body), logs it
// with the thread's name and fails that operation only, so no exception ever reaches
// std::terminate; StartThread starts a named std::jthread whose entry is so guarded.
// Does not own: what the operations do, or retrying them (the caller's loop goes on or ends).
#pragma once

#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "common/logger.h"

namespace cubelet {

// Runs `operation` on the calling thread. Whatever it throws (std::exception or anything else)
// is caught, logged as an error naming `thread`, `what` and the exception's text, and returned
// as INTERNAL; OK when it returned normally. Thread-safe; adds a try block only.
absl::Status RunGuarded(const Logger& logger, std::string_view thread, std::string_view what,
                        absl::FunctionRef<void()> operation);

// Names the calling thread for ps/top/gdb (the kernel keeps the first 15 bytes).
void SetCurrentThreadName(std::string_view name);

// Starts a std::jthread named `name` whose entry runs `body` (callable with a std::stop_token or
// with nothing) under RunGuarded: a throw ends the thread with an error line, not the process.
// A loop that must survive a failed iteration guards each iteration itself.
template <typename F>
std::jthread StartThread(Logger logger, std::string name, F body) {
  return std::jthread([logger = std::move(logger), name = std::move(name),
                       body = std::move(body)](std::stop_token stop) mutable {
    SetCurrentThreadName(name);
    (void)RunGuarded(logger, name, "thread entry", [&] {
      if constexpr (std::is_invocable_v<F&, std::stop_token>) {
        body(stop);
      } else {
        body();
      }
    });
  });
}

}  // namespace cubelet
