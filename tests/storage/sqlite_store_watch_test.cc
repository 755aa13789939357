#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store_test_util.h"

namespace cubelet::storage {
namespace {

using ::testing::HasSubstr;
using testing::RecordingSink;

// Each test opens the store with the options it needs.
class SqliteStoreWatchTest : public testing::StoreTest {};

TEST_F(SqliteStoreWatchTest, ReplaysHistoryThenDeliversLiveChangesWithPrevKv) {
  Open();
  ASSERT_TRUE(store_->Create("/w/a", "a1").ok());     // 1
  ASSERT_TRUE(store_->Create("/x/other", "o").ok());  // 2
  ASSERT_TRUE(store_->Update("/w/a", "a2", 1).ok());  // 3

  RecordingSink sink;
  auto watch = store_->WatchPrefix("/w/", 0, &sink);
  ASSERT_TRUE(watch.ok()) << watch.status();
  ASSERT_TRUE(sink.WaitForEvents(2));

  ASSERT_TRUE(store_->Delete("/w/a", 3).ok());         // 4
  ASSERT_TRUE(store_->Create("/w/a", "again").ok());   // 5
  ASSERT_TRUE(sink.WaitForEvents(4));
  auto e = sink.events();
  ASSERT_EQ(e.size(), 4u);

  EXPECT_EQ(e[0].type, EventType::kPut);
  EXPECT_EQ(e[0].kv.value, "a1");
  EXPECT_EQ(e[0].kv.mod_revision, 1);
  EXPECT_FALSE(e[0].prev_kv.has_value());

  EXPECT_EQ(e[1].kv.value, "a2");
  EXPECT_EQ(e[1].kv.create_revision, 1);
  EXPECT_EQ(e[1].kv.mod_revision, 3);
  ASSERT_TRUE(e[1].prev_kv.has_value());
  EXPECT_EQ(e[1].prev_kv->value, "a1");
  EXPECT_EQ(e[1].prev_kv->mod_revision, 1);

  EXPECT_EQ(e[2].type, EventType::kDelete);
  EXPECT_EQ(e[2].kv.key, "/w/a");
  EXPECT_EQ(e[2].kv.mod_revision, 4);
  ASSERT_TRUE(e[2].prev_kv.has_value());
  EXPECT_EQ(e[2].prev_kv->value, "a2");
  EXPECT_EQ(e[2].prev_kv->mod_revision, 3);

  EXPECT_EQ(e[3].type, EventType::kPut);
  EXPECT_EQ(e[3].kv.create_revision, 5);
  EXPECT_FALSE(e[3].prev_kv.has_value()) << "a create after a delete has no prev_kv";

  // The same history read back from the table (a new watch from 0) is identical.
  RecordingSink replay;
  auto watch2 = store_->WatchPrefix("/w/", 0, &replay);
  ASSERT_TRUE(replay.WaitForEvents(4));
  auto r = replay.events();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r[i].type, e[i].type);
    EXPECT_EQ(r[i].kv.mod_revision, e[i].kv.mod_revision);
    EXPECT_EQ(r[i].kv.value, e[i].kv.value);
    EXPECT_EQ(r[i].prev_kv.has_value(), e[i].prev_kv.has_value());
    if (r[i].prev_kv) {
      EXPECT_EQ(r[i].prev_kv->value, e[i].prev_kv->value);
    }
  }
}

TEST_F(SqliteStoreWatchTest, WatchesStartedDuringConcurrentWritesSeeEveryChangeOnceInOrder) {
  auto options = testing::TestOptions();
  // A tiny ring so watches cross from table replay to the ring and back while writes go on.
  options.watch_ring_events = 8;
  options.watch_max_events_per_call = 5;
  Open(options);

  constexpr int kWriters = 8;
  constexpr int kPerWriter = 150;
  std::mutex mu;
  std::map<int64_t, std::string> key_at;  // every revision → its key
  std::vector<std::thread> writers;
  std::atomic<int> started{0};
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      ++started;
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string key = StrCat(t % 2 == 0 ? "/w/" : "/x/", t, "/", i % 10);
        auto got = store_->Get(key);
        absl::StatusOr<TxnResult> r;
        if (!got.ok()) continue;
        if (!got->kv) {
          r = store_->Create(key, StrCat(i));
        } else if (i % 7 == 0) {
          r = store_->Delete(key, got->kv->mod_revision);
        } else {
          r = store_->Update(key, StrCat(i), got->kv->mod_revision);
        }
        ASSERT_TRUE(r.ok()) << r.status();
        if (r->succeeded) {
          std::lock_guard<std::mutex> lock(mu);
          key_at[r->revision] = key;
        }
      }
    });
  }
  // Watches from the start, from the present at various moments, and of everything.
  struct Started {
    std::string prefix;
    int64_t start;
    std::unique_ptr<RecordingSink> sink = std::make_unique<RecordingSink>();
    std::unique_ptr<Watch> watch;
  };
  std::vector<Started> watches;
  while (started < kWriters) std::this_thread::yield();
  for (int i = 0; i < 6; ++i) {
    Started s;
    s.prefix = i % 3 == 2 ? "" : "/w/";
    s.start = i < 2 ? 0 : *store_->CurrentRevision();
    auto w = store_->WatchPrefix(s.prefix, s.start, s.sink.get());
    ASSERT_TRUE(w.ok()) << w.status();
    s.watch = std::move(*w);
    watches.push_back(std::move(s));
    absl::SleepFor(absl::Milliseconds(20));
  }
  for (auto& th : writers) th.join();
  // A last write that every watch matches marks the end.
  auto sentinel = store_->Create("/w/sentinel", "end");
  ASSERT_TRUE(sentinel.ok() && sentinel->succeeded);
  key_at[sentinel->revision] = "/w/sentinel";
  const int64_t final_revision = sentinel->revision;
  ASSERT_EQ(static_cast<int64_t>(key_at.size()), final_revision) << "revisions must be consecutive";

  for (auto& s : watches) {
    ASSERT_TRUE(s.sink->WaitForRevision(final_revision))
        << "watch of '" << s.prefix << "' from " << s.start << " did not catch up";
    std::vector<int64_t> want;
    for (auto& [rev, key] : key_at) {
      if (rev > s.start && key.rfind(s.prefix, 0) == 0) want.push_back(rev);
    }
    std::vector<int64_t> got;
    for (const Event& e : s.sink->events()) {
      got.push_back(e.kv.mod_revision);
      EXPECT_EQ(e.kv.key, key_at[e.kv.mod_revision]);
    }
    EXPECT_EQ(got, want) << "watch of '" << s.prefix << "' from " << s.start;
  }
}

TEST_F(SqliteStoreWatchTest, WatchFromACompactedRevisionFails) {
  Open();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(store_->Create(StrCat("/w/", i), "v").ok());
  ASSERT_TRUE(store_->Compact(4).ok());
  RecordingSink sink;
  auto old = store_->WatchPrefix("/w/", 3, &sink);
  ASSERT_FALSE(old.ok());
  EXPECT_TRUE(IsCompacted(old.status()));
  EXPECT_THAT(old.status().message(), HasSubstr("required revision has been compacted"));

  auto ok = store_->WatchPrefix("/w/", 4, &sink);
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_TRUE(sink.WaitForEvents(2));
  EXPECT_EQ(sink.events()[0].kv.mod_revision, 5);
}

TEST_F(SqliteStoreWatchTest, CompactionDuringReplayEndsTheWatchWithOutOfRange) {
  auto options = testing::TestOptions();
  options.watch_ring_events = 1;
  options.watch_max_events_per_call = 1;
  Open(options);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store_->Create(StrCat("/w/", i), "v").ok());

  // The sink holds the dispatcher in its first callback while the history is compacted.
  class BlockingSink : public RecordingSink {
   public:
    void OnEvents(std::vector<Event> events) override {
      entered.Notify();
      release.WaitForNotification();
      RecordingSink::OnEvents(std::move(events));
    }
    absl::Notification entered, release;
  } sink;
  auto watch = store_->WatchPrefix("/w/", 0, &sink);
  ASSERT_TRUE(watch.ok());
  sink.entered.WaitForNotification();
  ASSERT_TRUE(store_->Compact(40).ok());
  sink.release.Notify();
  ASSERT_TRUE(sink.WaitForClosed());
  EXPECT_TRUE(IsCompacted(*sink.closed())) << *sink.closed();
  EXPECT_EQ(sink.events().size(), 1u);
}

TEST_F(SqliteStoreWatchTest, ASlowSinkDoesNotStallCommits) {
  Open();
  class StuckSink : public WatchSink {
   public:
    void OnEvents(std::vector<Event>) override { release.WaitForNotification(); }
    absl::Notification release;
  } stuck;
  auto watch = store_->WatchPrefix("", 0, &stuck);
  ASSERT_TRUE(watch.ok());
  for (int i = 0; i < 200; ++i) {
    auto r = store_->Create(StrCat("/k/", i), "v");
    ASSERT_TRUE(r.ok() && r->succeeded);
  }
  EXPECT_EQ(*store_->CurrentRevision(), 200);
  stuck.release.Notify();
}

TEST_F(SqliteStoreWatchTest, DestroyingAWatchStopsDeliveryAndWaitsForARunningCallback) {
  Open();
  class SlowSink : public RecordingSink {
   public:
    void OnEvents(std::vector<Event> events) override {
      inside = true;
      absl::SleepFor(absl::Milliseconds(100));
      RecordingSink::OnEvents(std::move(events));
      inside = false;
    }
    std::atomic<bool> inside{false};
  } sink;
  auto watch = store_->WatchPrefix("/w/", 0, &sink);
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(store_->Create("/w/a", "v").ok());
  while (!sink.inside) std::this_thread::yield();
  watch->reset();
  EXPECT_FALSE(sink.inside) << "the watch was destroyed while its callback still ran";
  const int calls = sink.calls();
  ASSERT_TRUE(store_->Create("/w/b", "v").ok());
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(sink.calls(), calls);
}

TEST_F(SqliteStoreWatchTest, ASinkMayEndItsOwnWatchFromItsCallback) {
  Open();
  class SelfEndingSink : public RecordingSink {
   public:
    void OnEvents(std::vector<Event> events) override {
      RecordingSink::OnEvents(std::move(events));
      watch.reset();
    }
    std::unique_ptr<Watch> watch;
  } sink;
  auto watch = store_->WatchPrefix("/w/", 0, &sink);
  ASSERT_TRUE(watch.ok());
  sink.watch = std::move(*watch);
  ASSERT_TRUE(store_->Create("/w/a", "v").ok());
  ASSERT_TRUE(sink.WaitForEvents(1));
  ASSERT_TRUE(store_->Create("/w/b", "v").ok());
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(sink.calls(), 1);
}

TEST_F(SqliteStoreWatchTest, CloseEndsWatchesWithUnavailable) {
  Open();
  RecordingSink sink;
  auto watch = store_->WatchPrefix("/w/", 0, &sink);
  ASSERT_TRUE(watch.ok());
  store_->Close();
  ASSERT_TRUE(sink.WaitForClosed());
  EXPECT_EQ(sink.closed()->code(), absl::StatusCode::kUnavailable);
  watch->reset();  // after the store closed: still safe
  store_.reset();
}

TEST_F(SqliteStoreWatchTest, IdleWatchesGetProgressWhenOtherPrefixesChange) {
  Open();
  RecordingSink sink;
  auto watch = store_->WatchPrefix("/w/", 0, &sink);
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(store_->Create("/x/a", "v").ok());
  ASSERT_TRUE(sink.WaitForRevision(1));
  EXPECT_TRUE(sink.events().empty());
  EXPECT_EQ(sink.progress().back(), 1);
}

TEST_F(SqliteStoreWatchTest, AWatchFromTheFutureStartsWhenItsRevisionArrives) {
  Open();
  RecordingSink sink;
  auto watch = store_->WatchPrefix("/w/", 2, &sink);
  ASSERT_TRUE(watch.ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(store_->Create(StrCat("/w/", i), "v").ok());
  ASSERT_TRUE(sink.WaitForEvents(2));
  EXPECT_EQ(sink.events()[0].kv.mod_revision, 3);
}


// Throws from its first OnEvents (as a library might), records the rest.
class ThrowingSink : public RecordingSink {
 public:
  void OnEvents(std::vector<Event> events) override {
    if (!thrown_.exchange(true)) throw std::runtime_error("sink exploded");
    RecordingSink::OnEvents(std::move(events));
  }

 private:
  std::atomic<bool> thrown_{false};
};

TEST_F(SqliteStoreWatchTest, ASinkThatThrowsEndsOnlyItsOwnWatchWithTheError) {
  Open();
  ThrowingSink bad;
  RecordingSink good;
  auto bad_watch = store_->WatchPrefix("/w/", 0, &bad);
  ASSERT_TRUE(bad_watch.ok()) << bad_watch.status();
  auto good_watch = store_->WatchPrefix("/w/", 0, &good);
  ASSERT_TRUE(good_watch.ok()) << good_watch.status();
  ASSERT_TRUE(store_->Create("/w/a", "1").ok());

  // The throwing sink is told its watch ended (its owner relists), naming what threw.
  ASSERT_TRUE(bad.WaitForClosed());
  EXPECT_EQ(bad.closed()->code(), absl::StatusCode::kInternal);
  EXPECT_THAT(bad.closed()->message(), HasSubstr("sink exploded"));
  // The store's watch thread is still alive: the other watch and later writes go on.
  ASSERT_TRUE(store_->Create("/w/b", "2").ok());
  ASSERT_TRUE(good.WaitForEvents(2));
  EXPECT_EQ(good.events()[1].kv.key, "/w/b");
  EXPECT_FALSE(good.closed().has_value());
  EXPECT_TRUE(bad.events().empty());
}

}  // namespace
}  // namespace cubelet::storage
