// Test support for the volume tests that mount (root only): the whole test binary runs in a
// private mount namespace, so nothing it mounts is seen by, or left behind on, the host; and a
// scratch directory that unmounts whatever a test left mounted in it, even when it failed.
#pragma once

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace cubelet::volumes::testing {

// Empty when this process can mount (root, in its own mount namespace); otherwise why not.
const std::string& MountsUnavailableReason();

// Skips a test that mounts, with the reason, unless CUBELET_REQUIRE_NODE_TESTS=1 (make test,
// CI), where it fails instead.
#define CUBELET_REQUIRE_MOUNTS()                                                          \
  do {                                                                                    \
    if (const std::string& why = ::cubelet::volumes::testing::MountsUnavailableReason(); \
        !why.empty()) {                                                                   \
      if (std::getenv("CUBELET_REQUIRE_NODE_TESTS") != nullptr) FAIL() << "needs mounts: " << why; \
      GTEST_SKIP() << "needs root to mount: " << why;                                     \
    }                                                                                     \
  } while (0)

// A fresh directory under the test temp dir; on destruction everything mounted beneath it is
// unmounted (deepest first) and it is removed.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace cubelet::volumes::testing
