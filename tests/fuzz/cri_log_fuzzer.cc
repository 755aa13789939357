// CRI-format container logs ("2016-10-06T00:17:09.669794202Z stdout F msg", partial lines
// tagged P) as the kubelet reads their tail for FallbackToLogsOnError termination messages:
// the container writes these bytes, so any content must give a bounded message, never a crash.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/fuzz_input.h"
#include "kuberuntime/termination_message.h"

namespace {

// The log is a file to TailCriLog; an in-memory one keeps the run off the disk.
const std::string& LogPath() {
  static const std::string path = [] {
    int fd = memfd_create("cri-log", 0);
    if (fd < 0) abort();
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cubelet::kuberuntime;
  const std::string& path = LogPath();
  int fd = std::atoi(path.c_str() + sizeof("/proc/self/fd/") - 1);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) abort();
  std::string tail = TailCriLog(path, kMaxTerminationMessageLogLines, kMaxTerminationMessageLogBytes);
  CUBELET_FUZZ_CHECK(tail.size() <= kMaxTerminationMessageLogBytes);
  tail = TailCriLog(path, 2, 16);
  CUBELET_FUZZ_CHECK(tail.size() <= 16);
  return 0;
}
