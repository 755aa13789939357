// Owns: helpers shared by the store tests: a temp data dir, a logger, a store opened with
// test settings (and a fixture holding one), and a WatchSink that records what it receives.
// Does not own: any assertion about the store (the tests make those).
#pragma once

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/logger.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"
#include "testutil/temp_dir.h"

namespace cubelet::storage::testing {

using ::cubelet::testing::TempDir;

inline Logger TestLogger() {
  static RealClock clock;
  return Logger(std::make_shared<StderrLogSink>(), 0, &clock);
}

inline sqlite::SqliteStoreOptions TestOptions() {
  sqlite::SqliteStoreOptions o;
  o.expiry_poll_interval = absl::Milliseconds(5);
  return o;
}

inline std::unique_ptr<sqlite::SqliteStore> OpenOrDie(const std::string& dir, Clock* clock,
                                                      sqlite::SqliteStoreOptions options = TestOptions()) {
  auto store = sqlite::NewSqliteStore(dir, options, clock, TestLogger());
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

// A store on a fresh temp dir with a fake clock. Open (again) is what a restarted server does.
class StoreTest : public ::testing::Test {
 protected:
  void Open(sqlite::SqliteStoreOptions options = TestOptions()) {
    store_.reset();
    store_ = OpenOrDie(dir_.path(), &clock_, std::move(options));
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Records every callback; WaitFor blocks (up to a generous real-time limit) until a condition
// on what was recorded holds.
class RecordingSink : public WatchSink {
 public:
  void OnEvents(std::vector<Event> events) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    for (Event& e : events) events_.push_back(std::move(e));
    cv_.notify_all();
  }
  void OnProgress(int64_t revision) override {
    std::lock_guard<std::mutex> lock(mu_);
    progress_.push_back(revision);
    cv_.notify_all();
  }
  void OnClosed(const absl::Status& reason) override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = reason;
    cv_.notify_all();
  }

  // True when `pred` held within the limit.
  bool WaitFor(const std::function<bool()>& pred,
               std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, pred);
  }
  bool WaitForEvents(size_t n) {
    return WaitFor([&] { return events_.size() >= n; });
  }
  // True when the sink has seen every revision up to `revision` (an event at it, or progress).
  bool WaitForRevision(int64_t revision) {
    return WaitFor([&] {
      return (!events_.empty() && events_.back().kv.mod_revision >= revision) ||
             (!progress_.empty() && progress_.back() >= revision);
    });
  }
  bool WaitForClosed() {
    return WaitFor([&] { return closed_.has_value(); });
  }

  std::vector<Event> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::vector<int64_t> progress() const {
    std::lock_guard<std::mutex> lock(mu_);
    return progress_;
  }
  std::optional<absl::Status> closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Event> events_;
  std::vector<int64_t> progress_;
  std::optional<absl::Status> closed_;
  int calls_ = 0;
};

}  // namespace cubelet::storage::testing
