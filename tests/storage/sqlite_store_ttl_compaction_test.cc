#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store_test_util.h"

namespace cubelet::storage {
namespace {

using ::testing::HasSubstr;
using testing::OpenOrDie;
using testing::RecordingSink;

class SqliteStoreTtlTest : public testing::StoreTest {
 protected:
  void SetUp() override { Open(); }

  // Waits (real time) until `key` is gone: the writer polls every few milliseconds.
  bool WaitUntilGone(const std::string& key) {
    for (int i = 0; i < 4000; ++i) {
      auto got = store_->Get(key);
      if (got.ok() && !got->kv) return true;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return false;
  }
};

TEST_F(SqliteStoreTtlTest, KeyIsDeletedWhenItsTtlPassesAndWatchersSeeTheDelete) {
  RecordingSink sink;
  auto watch = store_->WatchPrefix("/events/", 0, &sink);
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(store_->Create("/events/e1", "v", {.ttl = absl::Hours(1)}).ok());
  ASSERT_TRUE(store_->Create("/events/e2", "v", {.ttl = absl::Hours(2)}).ok());
  ASSERT_TRUE(store_->Create("/events/forever", "v").ok());

  clock_.Advance(absl::Minutes(59));
  absl::SleepFor(absl::Milliseconds(50));  // several polls of the writer
  EXPECT_TRUE(store_->Get("/events/e1")->kv.has_value()) << "deleted before its TTL";

  clock_.Advance(absl::Minutes(2));
  ASSERT_TRUE(WaitUntilGone("/events/e1"));
  EXPECT_TRUE(store_->Get("/events/e2")->kv.has_value());
  EXPECT_TRUE(store_->Get("/events/forever")->kv.has_value());
  ASSERT_TRUE(sink.WaitForEvents(4));
  auto events = sink.events();
  EXPECT_EQ(events[3].type, EventType::kDelete);
  EXPECT_EQ(events[3].kv.key, "/events/e1");
  EXPECT_EQ(events[3].kv.mod_revision, 4);
  ASSERT_TRUE(events[3].prev_kv.has_value());
  EXPECT_EQ(events[3].prev_kv->value, "v");
  EXPECT_EQ(store_->Stats().expired, 1);
}

TEST_F(SqliteStoreTtlTest, AnUpdateReplacesTheTtl) {
  auto created = store_->Create("/events/e", "v1", {.ttl = absl::Hours(1)});
  ASSERT_TRUE(created.ok());
  clock_.Advance(absl::Minutes(30));
  ASSERT_TRUE(store_->Update("/events/e", "v2", created->revision, {.ttl = absl::Hours(1)}).ok());
  clock_.Advance(absl::Minutes(45));  // past the first TTL, within the second
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(store_->Get("/events/e")->kv->value, "v2");
  clock_.Advance(absl::Minutes(20));
  EXPECT_TRUE(WaitUntilGone("/events/e"));

  // Without a TTL the key lives on.
  auto plain = store_->Create("/events/p", "v", {.ttl = absl::Minutes(1)});
  ASSERT_TRUE(store_->Update("/events/p", "v2", plain->revision).ok());
  clock_.Advance(absl::Minutes(5));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_TRUE(store_->Get("/events/p")->kv.has_value());
}

TEST_F(SqliteStoreTtlTest, TtlsSurviveAReopen) {
  ASSERT_TRUE(store_->Create("/events/e", "v", {.ttl = absl::Hours(1)}).ok());
  store_.reset();
  clock_.Advance(absl::Hours(2));
  store_ = OpenOrDie(dir_.path(), &clock_);
  EXPECT_TRUE(WaitUntilGone("/events/e"));
  EXPECT_EQ(*store_->CurrentRevision(), 2);
}

class SqliteStoreCompactionTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    options_.compact_chunk_revisions = 3;  // several transactions per Compact
    Open(options_);
  }

  sqlite::SqliteStoreOptions options_ = testing::TestOptions();
};

TEST_F(SqliteStoreCompactionTest, CompactionKeepsLatestVersionsAndForgetsHistoryBelowIt) {
  ASSERT_TRUE(store_->Create("/k/a", "a1").ok());     // 1
  ASSERT_TRUE(store_->Create("/k/b", "b1").ok());     // 2
  ASSERT_TRUE(store_->Update("/k/a", "a2", 1).ok());  // 3
  ASSERT_TRUE(store_->Delete("/k/b", 2).ok());        // 4
  ASSERT_TRUE(store_->Create("/k/c", "c1").ok());     // 5
  ASSERT_TRUE(store_->Update("/k/a", "a3", 3).ok());  // 6
  ASSERT_TRUE(store_->Create("/k/d", "d1").ok());     // 7
  ASSERT_TRUE(store_->Delete("/k/d", 7).ok());        // 8 (newest row, a delete)

  ASSERT_TRUE(store_->Compact(5).ok());
  EXPECT_EQ(store_->CompactedRevision(), 5);
  // Removed: a1 (superseded by 3), b1 and its delete row 4.
  EXPECT_EQ(store_->Stats().compacted_rows, 3);

  auto old = store_->List({.prefix = "/k/", .revision = 4});
  EXPECT_EQ(old.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(IsCompacted(old.status()));
  EXPECT_THAT(old.status().message(), HasSubstr("required revision has been compacted"));

  auto at5 = store_->List({.prefix = "/k/", .revision = 5});
  ASSERT_TRUE(at5.ok()) << at5.status();
  ASSERT_EQ(at5->kvs.size(), 2u);
  EXPECT_EQ(at5->kvs[0].value, "a2");
  EXPECT_EQ(at5->kvs[1].value, "c1");
  auto now = store_->List({.prefix = "/k/"});
  ASSERT_EQ(now->kvs.size(), 2u);
  EXPECT_EQ(now->kvs[0].value, "a3");
  EXPECT_EQ(now->kvs[0].create_revision, 1);

  // Watches after the compacted revision still get prev_kv (a2 is kept).
  RecordingSink sink;
  auto watch = store_->WatchPrefix("/k/", 5, &sink);
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(sink.WaitForEvents(3));
  auto events = sink.events();
  EXPECT_EQ(events[0].kv.value, "a3");
  ASSERT_TRUE(events[0].prev_kv.has_value());
  EXPECT_EQ(events[0].prev_kv->value, "a2");

  // Compacting everything removes the newest row (a delete); the revision does not go back.
  ASSERT_TRUE(store_->Compact(8).ok());
  EXPECT_FALSE(store_->Get("/k/d")->kv.has_value());
  EXPECT_EQ(store_->Get("/k/a")->kv->value, "a3");
  Open(options_);
  EXPECT_EQ(store_->CompactedRevision(), 8);
  EXPECT_EQ(*store_->CurrentRevision(), 8);
  EXPECT_EQ(store_->Create("/k/e", "e")->revision, 9);
  EXPECT_EQ(store_->Get("/k/c")->kv->value, "c1");
}

TEST_F(SqliteStoreCompactionTest, CompactionBeyondTheCurrentRevisionIsRefused) {
  ASSERT_TRUE(store_->Create("/a", "v").ok());
  EXPECT_EQ(store_->Compact(5).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->Compact(1).ok());
  EXPECT_TRUE(store_->Compact(1).ok()) << "compacting again to the same revision is a no-op";
  EXPECT_TRUE(store_->Compact(0).ok());
  EXPECT_EQ(store_->CompactedRevision(), 1);
}

TEST_F(SqliteStoreCompactionTest, RepeatedCompactionsRemoveVersionsSupersededLater) {
  ASSERT_TRUE(store_->Create("/lease", "0").ok());
  int64_t rev = 1;
  for (int i = 1; i <= 20; ++i) {
    auto r = store_->Update("/lease", std::to_string(i), rev);
    ASSERT_TRUE(r.ok() && r->succeeded);
    rev = r->revision;
    if (i % 5 == 0) {
      ASSERT_TRUE(store_->Compact(rev - 1).ok());
    }
  }
  // Every version but the newest (row 21) is gone.
  ASSERT_TRUE(store_->Compact(rev).ok());
  EXPECT_EQ(store_->Stats().compacted_rows, 20);
  EXPECT_EQ(store_->Get("/lease")->kv->value, "20");
  EXPECT_EQ(store_->Get("/lease")->kv->create_revision, 1);
}

}  // namespace
}  // namespace cubelet::storage
