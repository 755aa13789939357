// Owns: Testbed, the C++ handle on a private containerd started by tests/testbed/testbed, and
// NodeTestEnvironment, the GoogleTest environment that gives node tests one per test binary.
// Does not own: what runs in it (the tests do that through the CRI client or cubelet).
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "absl/status/statusor.h"

namespace cubelet::testing {

class Testbed {
 public:
  // Starts a test bed in a new temp dir. Unavailable (with the reason) when this process is not
  // root or containerd/runc are not installed.
  // `owner` is the process whose death makes the bed stale (swept by the next start).
  static absl::StatusOr<std::unique_ptr<Testbed>> Start(int owner_pid = 0);
  ~Testbed();

  // Forgets the bed without stopping it, as a killed test process would.
  void Abandon() { stopped_ = true; }
  // Restarts containerd; its containers and shims keep running.
  absl::Status RestartContainerd();
  // Stops every bed whose owner is gone (`testbed sweep`).
  static absl::Status Sweep();

  // Tears everything down; safe to call twice.
  absl::Status Stop();
  // What a stopped test bed left behind, as the script reports it; empty when clean.
  std::string Leftovers() const;

  const std::string& dir() const { return dir_; }
  const std::string& endpoint() const { return endpoint_; }      // unix:///.../containerd.sock
  const std::string& subnet() const { return subnet_; }          // 10.231.N.0/24
  const std::string& subnet_prefix() const { return prefix_; }   // "10.231.N."
  const std::string& bridge() const { return bridge_; }
  const std::string& cgroup_parent() const { return cgroup_parent_; }
  const std::string& pause_image() const { return pause_image_; }
  const std::string& test_image() const { return test_image_; }
  int slot() const { return slot_; }

  // Why node tests cannot run here, or empty when they can.
  static std::string UnavailableReason();
  // Path of tests/testbed/testbed.
  static std::string ScriptPath();

 private:
  Testbed() = default;
  std::string dir_, endpoint_, subnet_, prefix_, bridge_, cgroup_parent_, pause_image_, test_image_;
  int slot_ = 0;
  bool stopped_ = false;
};

// One test bed for a whole test binary, torn down at exit and on SIGINT/SIGTERM.
class NodeTestEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  // Null when unavailable; then `skip_reason()` says why.
  static Testbed* testbed();
  static const std::string& skip_reason();
};

// In a node test: skips with the reason when there is no test bed — unless
// CUBELET_REQUIRE_NODE_TESTS=1 (set by `make test` and CI), where a missing test bed fails.
#define CUBELET_REQUIRE_TESTBED()                                                     \
  do {                                                                                \
    if (::cubelet::testing::NodeTestEnvironment::testbed() == nullptr) {              \
      if (std::getenv("CUBELET_REQUIRE_NODE_TESTS") != nullptr) {                     \
        FAIL() << "node test bed required but unavailable: "                          \
               << ::cubelet::testing::NodeTestEnvironment::skip_reason();             \
      }                                                                               \
      GTEST_SKIP() << "needs root and containerd: "                                   \
                   << ::cubelet::testing::NodeTestEnvironment::skip_reason();         \
    }                                                                                 \
  } while (0)

}  // namespace cubelet::testing
