// The watch cache under many watchers and concurrent writes: nothing lost or duplicated between
// a watch's start and its live changes, slow or departing sinks, handles destroyed while their
// sink is being called, 2,000 watchers, and the loss of the cache's own store watch.
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "storage/cacher/cacher.h"
#include "storage/cacher_test_util.h"

namespace cubelet::storage::cacher::testing {
namespace {

class CacherFanoutTest : public CacherTestBase {};

// Applies a watch's events as a reflector would, checking each makes sense: ADDED for an absent
// key, MODIFIED/DELETED for a present one, no (key, revision) twice.
std::map<std::string, int64_t> Replay(const std::vector<Received>& events, std::string* error) {
  std::map<std::string, int64_t> state;
  std::set<std::pair<std::string, int64_t>> seen;
  for (const Received& e : events) {
    if (e.type == EventType::kBookmark) continue;
    if (!seen.insert({e.key, e.revision}).second) *error += "duplicate " + e.key + "@" + std::to_string(e.revision) + "; ";
    const bool present = state.count(e.key) > 0;
    if (e.type == EventType::kAdded && present) *error += "ADDED twice " + e.key + "; ";
    if (e.type != EventType::kAdded && !present) *error += "change of absent " + e.key + "; ";
    if (e.type == EventType::kDeleted) {
      state.erase(e.key);
    } else {
      state[e.key] = e.revision;
    }
  }
  return state;
}

TEST_F(CacherFanoutTest, WatchesStartedDuringWritesLoseAndDuplicateNothing) {
  for (int i = 0; i < 30; ++i) Put({.name = "p" + std::to_string(i)});
  StartCacher();

  std::thread writer([&] {
    for (int i = 0; i < 400; ++i) {
      const std::string name = "p" + std::to_string((i * 7) % 45);
      if (i % 5 == 4 && store_->Get(PodKey("default", name)).value().kv) {
        Delete("default", name);
      } else {
        Put({.name = name, .phase = "P" + std::to_string(i)});
      }
    }
  });

  // Watchers from 0 started at different moments, and streaming-list watchers that resume once
  // from the last revision they saw (a client-go reflector after its watch timed out).
  std::vector<std::unique_ptr<RecordingSink>> sinks;
  std::vector<std::unique_ptr<WatchHandle>> handles;
  std::vector<std::unique_ptr<RecordingSink>> resumed;
  std::vector<std::vector<Received>> before_resume;
  for (int i = 0; i < 16; ++i) {
    sinks.push_back(std::make_unique<RecordingSink>());
    const bool streaming = i % 2 == 0;
    handles.push_back(WatchOrDie({.send_initial_events = streaming, .allow_bookmarks = streaming}, sinks.back().get()));
    if (i % 2 == 1) {
      // Drop the previous (streaming) watcher and watch again from its last revision; before
      // its initial-events-end bookmark a client would start over, from 0.
      handles[i - 1].reset();
      std::vector<Received> got = sinks[i - 1]->events();
      int64_t last = 0;
      bool listed = false;
      for (const Received& e : got) {
        last = std::max(last, e.revision);
        listed = listed || e.initial_events_end;
      }
      if (!listed) {
        got.clear();
        last = 0;
      }
      before_resume.push_back(got);
      resumed.push_back(std::make_unique<RecordingSink>());
      handles[i - 1] = WatchOrDie({.start_revision = last}, resumed.back().get());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  writer.join();
  const int64_t final_rev = Put({.name = "last"});
  Sync();

  std::map<std::string, int64_t> want;
  absl::StatusOr<storage::ListResult> stored = store_->List({.prefix = testing::kPrefix});
  ASSERT_TRUE(stored.ok()) << stored.status();
  for (const KeyValue& kv : stored->kvs) want[kv.key] = kv.mod_revision;
  std::map<std::string, int64_t> cached;
  for (const ObjectPtr& o : cacher_->List({}).items) cached[o->key] = o->mod_revision;
  EXPECT_EQ(cached, want);

  for (size_t i = 1; i < sinks.size(); i += 2) {
    ASSERT_TRUE(sinks[i]->WaitForRevision(final_rev));
    std::string error;
    EXPECT_EQ(Replay(sinks[i]->events(), &error), want) << "watcher " << i;
    EXPECT_EQ(error, "") << "watcher " << i;
  }
  for (size_t j = 0; j < resumed.size(); ++j) {
    ASSERT_TRUE(resumed[j]->WaitForRevision(final_rev));
    std::vector<Received> all = before_resume[j];
    for (const Received& e : resumed[j]->events()) all.push_back(e);
    std::string error;
    EXPECT_EQ(Replay(all, &error), want) << "resumed watcher " << j;
    EXPECT_EQ(error, "") << "resumed watcher " << j;
  }
}

TEST_F(CacherFanoutTest, SinkReturningFalseIsNeverCalledAgain) {
  StartCacher();
  RecordingSink quitter(/*accept_limit=*/2);
  RecordingSink barrier;
  auto h1 = WatchOrDie({}, &quitter);
  auto h2 = WatchOrDie({}, &barrier);
  int64_t last = 0;
  for (int i = 0; i < 6; ++i) last = Put({.name = "p" + std::to_string(i)});
  ASSERT_TRUE(barrier.WaitForRevision(last));
  EXPECT_EQ(quitter.events().size(), 2u);
  EXPECT_FALSE(quitter.closed().has_value());  // the sink ended it; no OnClosed follows
}

// Sleeps in every call and writes to its own memory, so that a call after the handle's
// destruction (the sink is freed right after) is a use-after-free the sanitizer reports.
class SlowSink : public WatchSink {
 public:
  bool OnEvent(const WatchEvent& e) override {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    revisions_.push_back(e.revision);
    return true;
  }
  std::vector<int64_t> revisions_;
};

TEST_F(CacherFanoutTest, DestroyingAHandleWhileItsSinkIsCalledIsSafe) {
  for (int i = 0; i < 50; ++i) Put({.name = "p" + std::to_string(i)});
  StartCacher();
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 0; writing; ++i) Put({.name = "p" + std::to_string(i % 50), .phase = std::to_string(i)});
  });
  for (int round = 0; round < 30; ++round) {
    auto sink = std::make_unique<SlowSink>();
    auto handle = WatchOrDie({}, sink.get());
    std::this_thread::sleep_for(std::chrono::microseconds(500 * (round % 7)));
    handle.reset();  // must wait out a call in progress...
    sink.reset();    // ...so that freeing the sink now is safe
  }
  writing = false;
  writer.join();
}

// Destroys its own handle from inside OnEvent (a client that gives up mid-event).
class SelfEndingSink : public WatchSink {
 public:
  bool OnEvent(const WatchEvent&) override {
    if (++calls_ == 3) handle_.reset();
    return true;
  }
  std::unique_ptr<WatchHandle> handle_;
  std::atomic<int> calls_{0};
};

TEST_F(CacherFanoutTest, SinkMayDestroyItsOwnHandle) {
  StartCacher();
  SelfEndingSink self;
  RecordingSink barrier;
  self.handle_ = WatchOrDie({}, &self);
  auto h = WatchOrDie({}, &barrier);
  int64_t last = 0;
  for (int i = 0; i < 6; ++i) last = Put({.name = "p" + std::to_string(i)});
  ASSERT_TRUE(barrier.WaitForRevision(last));
  EXPECT_EQ(self.calls_.load(), 3);
  EXPECT_EQ(self.handle_, nullptr);
}

// Counts what one of many watchers receives, checking revision order.
class CountingSink : public WatchSink {
 public:
  bool OnEvent(const WatchEvent& e) override {
    if (e.revision <= last_) out_of_order_ = true;
    last_ = e.revision;
    ++count_;
    return true;
  }
  int count_ = 0;  // dispatch thread only until the test has waited
  int64_t last_ = 0;
  bool out_of_order_ = false;
};

TEST_F(CacherFanoutTest, TwoThousandWatchersEachReceiveEveryEvent) {
  StartCacher();
  constexpr int kWatchers = 2000;
  constexpr int kNodes = 50;
  constexpr int kWrites = 200;
  std::vector<std::unique_ptr<CountingSink>> sinks;
  std::vector<std::unique_ptr<WatchHandle>> handles;
  for (int i = 0; i < kWatchers; ++i) {
    sinks.push_back(std::make_unique<CountingSink>());
    handles.push_back(WatchOrDie({}, sinks.back().get()));
  }
  // Kubelet-like watchers, one per node, reached through the spec.nodeName index.
  std::vector<std::unique_ptr<CountingSink>> node_sinks;
  for (int n = 0; n < kNodes; ++n) {
    node_sinks.push_back(std::make_unique<CountingSink>());
    handles.push_back(WatchOrDie({.fields = Fields("spec.nodeName=node-" + std::to_string(n))}, node_sinks.back().get()));
  }
  RecordingSink barrier;  // registered last: once it has everything, so have the others
  handles.push_back(WatchOrDie({}, &barrier));

  int64_t last = 0;
  for (int i = 0; i < kWrites; ++i) {
    last = Put({.name = "p" + std::to_string(i), .node = "node-" + std::to_string(i % kNodes)});
  }
  ASSERT_TRUE(barrier.WaitForRevision(last, absl::Seconds(120)));
  handles.clear();  // waits out the dispatch thread's last calls
  for (int i = 0; i < kWatchers; ++i) {
    ASSERT_EQ(sinks[i]->count_, kWrites) << "watcher " << i;
    EXPECT_EQ(sinks[i]->last_, last);
    EXPECT_FALSE(sinks[i]->out_of_order_);
  }
  for (int n = 0; n < kNodes; ++n) {
    EXPECT_EQ(node_sinks[n]->count_, kWrites / kNodes) << "node " << n;
    EXPECT_FALSE(node_sinks[n]->out_of_order_);
  }
}

// Forwards to a real store, but lets the test end the watches it hands out (as a store that
// fell behind or restarted would), to exercise the cacher's relist.
class BreakableStore : public Store {
 public:
  explicit BreakableStore(Store* inner) : inner_(inner) {}

  absl::StatusOr<GetResult> Get(std::string_view key) override { return inner_->Get(key); }
  absl::StatusOr<storage::ListResult> List(const ListOptions& o) override { return inner_->List(o); }
  absl::StatusOr<int64_t> Count(std::string_view prefix) override { return inner_->Count(prefix); }
  absl::StatusOr<TxnResult> Create(std::string_view k, std::string_view v, const WriteOptions& o) override {
    return inner_->Create(k, v, o);
  }
  absl::StatusOr<TxnResult> Update(std::string_view k, std::string_view v, int64_t rev,
                                   const WriteOptions& o) override {
    return inner_->Update(k, v, rev, o);
  }
  absl::StatusOr<TxnResult> Delete(std::string_view k, std::optional<int64_t> rev) override {
    return inner_->Delete(k, rev);
  }
  absl::StatusOr<int64_t> CurrentRevision() override { return inner_->CurrentRevision(); }
  int64_t CompactedRevision() override { return inner_->CompactedRevision(); }
  absl::Status Compact(int64_t rev) override { return inner_->Compact(rev); }

  absl::StatusOr<std::unique_ptr<Watch>> WatchPrefix(std::string_view prefix, int64_t start,
                                                     storage::WatchSink* sink) override {
    auto forwarder = std::make_shared<Forwarder>(sink);
    absl::StatusOr<std::unique_ptr<Watch>> inner = inner_->WatchPrefix(prefix, start, forwarder.get());
    if (!inner.ok()) return inner.status();
    absl::MutexLock lock(&mu_);
    live_.push_back(forwarder);
    return std::make_unique<BreakableWatch>(std::move(forwarder), *std::move(inner));
  }

  // Ends every watch handed out so far with OnClosed(kUnavailable).
  void BreakWatches() {
    absl::MutexLock lock(&mu_);
    for (const auto& f : live_) f->Break();
    live_.clear();
  }

 private:
  // Passes the store's callbacks on until broken (by the test or by the watch's end).
  struct Forwarder : storage::WatchSink {
    explicit Forwarder(storage::WatchSink* outer) : outer(outer) {}
    void OnEvents(std::vector<Event> events) override {
      absl::MutexLock lock(&mu);
      if (!broken) outer->OnEvents(std::move(events));
    }
    void OnProgress(int64_t rev) override {
      absl::MutexLock lock(&mu);
      if (!broken) outer->OnProgress(rev);
    }
    void OnClosed(const absl::Status& s) override { End(s); }
    void Break() { End(absl::UnavailableError("store watch broken by the test")); }
    void End(const absl::Status& s) {
      absl::MutexLock lock(&mu);
      if (!broken) outer->OnClosed(s);
      broken = true;
    }
    storage::WatchSink* const outer;
    absl::Mutex mu;
    bool broken ABSL_GUARDED_BY(mu) = false;
  };
  struct BreakableWatch : Watch {
    BreakableWatch(std::shared_ptr<Forwarder> f, std::unique_ptr<Watch> inner)
        : forwarder(std::move(f)), inner(std::move(inner)) {}
    ~BreakableWatch() override {
      inner.reset();
      absl::MutexLock lock(&forwarder->mu);
      forwarder->broken = true;  // no call after the watch is gone
    }
    std::shared_ptr<Forwarder> forwarder;
    std::unique_ptr<Watch> inner;
  };

  Store* const inner_;
  absl::Mutex mu_;
  std::vector<std::shared_ptr<Forwarder>> live_ ABSL_GUARDED_BY(mu_);
};

TEST_F(CacherFanoutTest, LosingTheStoreWatchRelistsAndEndsCachedWatches) {
  BreakableStore breakable(store_.get());
  Put({.name = "a"});
  cacher_ = std::make_unique<Cacher>(&breakable, Options(), &clock_, logger_);
  ASSERT_TRUE(cacher_->Start().ok());
  RecordingSink sink;
  auto h = WatchOrDie({}, &sink);
  ASSERT_TRUE(sink.WaitForCount(1));

  breakable.BreakWatches();
  ASSERT_TRUE(sink.WaitForClosed());
  EXPECT_TRUE(sink.closed()->ok()) << *sink.closed();  // ended cleanly: the client resumes
  // Whatever happened meanwhile is in the new list, and later writes arrive again.
  Put({.name = "b"});
  Sync();
  const int64_t rc = Put({.name = "c"});
  ASSERT_TRUE(cacher_->WaitForRevision(rc, testing::kWait).ok());
  EXPECT_EQ(cacher_->List({}).items.size(), 3u);
  RecordingSink again;
  auto h2 = WatchOrDie({}, &again);
  ASSERT_TRUE(again.WaitForCount(3));
  cacher_.reset();  // before `breakable` goes
}

}  // namespace
}  // namespace cubelet::storage::cacher::testing
