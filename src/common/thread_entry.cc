#include "common/thread_entry.h"

#include <pthread.h>

#include <exception>

#include "common/strings.h"

namespace cubelet {

absl::Status RunGuarded(const Logger& logger, std::string_view thread, std::string_view what,
                        absl::FunctionRef<void()> operation) {
  std::string err;
  try {
    operation();
    return absl::OkStatus();
  } catch (const std::exception& e) {
    err = e.what();
  } catch (...) {
    err = "an exception that is no std::exception";
  }
  logger.Error("A thread's operation threw; it failed, the process goes on",
               {{"thread", thread}, {"operation", what}, {"err", err}});
  return absl::InternalError(StrCat(thread, ": ", what, " threw: ", err));
}

void SetCurrentThreadName(std::string_view name) {
  char buf[16] = {};  // the kernel's TASK_COMM_LEN, NUL included
  name.copy(buf, sizeof(buf) - 1);
  (void)::pthread_setname_np(::pthread_self(), buf);
}

}  // namespace cubelet
