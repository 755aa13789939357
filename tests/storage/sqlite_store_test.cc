#include "storage/sqlite/sqlite_store.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/store_test_util.h"

namespace cubelet::storage {
namespace {

using ::testing::HasSubstr;

std::string Key(int i) {
  char buf[48];
  snprintf(buf, sizeof(buf), "/registry/pods/default/p%04d", i);
  return buf;
}

class SqliteStoreTest : public testing::StoreTest {
 protected:
  void SetUp() override { Open(); }

  // Reopens the store with `options` and creates /first on the returned thread, holding that
  // commit until ReleaseFirstCommit: the writes made meanwhile queue behind it.
  std::thread CreateFirstAndHoldItsCommit(sqlite::SqliteStoreOptions options) {
    options.test_before_commit = [this] {
      if (commits_++ == 0) {
        in_first_commit_.Notify();
        release_first_commit_.WaitForNotification();
      }
    };
    Open(std::move(options));
    std::thread first([this] { EXPECT_TRUE(store_->Create("/first", "v")->succeeded); });
    in_first_commit_.WaitForNotification();
    return first;
  }
  void ReleaseFirstCommit() { release_first_commit_.Notify(); }
  // Waits (real time) until `n` writes wait for the next commit.
  void AwaitQueued(int64_t n) {
    while (store_->Stats().queued < n) absl::SleepFor(absl::Milliseconds(1));
  }

 private:
  std::atomic<int> commits_{0};
  absl::Notification in_first_commit_;
  absl::Notification release_first_commit_;
};

TEST_F(SqliteStoreTest, CreateThenGetReturnsTheKeyAtItsRevision) {
  auto created = store_->Create("/a", "one");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->succeeded);
  EXPECT_EQ(created->revision, 1);
  ASSERT_TRUE(created->current.has_value());
  EXPECT_EQ(created->current->key, "/a");
  EXPECT_EQ(created->current->value, "one");
  EXPECT_EQ(created->current->create_revision, 1);
  EXPECT_EQ(created->current->mod_revision, 1);

  auto got = store_->Get("/a");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->kv.has_value());
  EXPECT_EQ(got->kv->value, "one");
  EXPECT_EQ(got->kv->mod_revision, 1);
  EXPECT_EQ(got->revision, 1);

  auto missing = store_->Get("/b");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->kv.has_value());
  EXPECT_EQ(missing->revision, 1);
}

TEST_F(SqliteStoreTest, CreateOfAnExistingKeyFailsWithItsCurrentState) {
  ASSERT_TRUE(store_->Create("/a", "one").ok());
  auto again = store_->Create("/a", "two");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->succeeded);
  ASSERT_TRUE(again->current.has_value());
  EXPECT_EQ(again->current->value, "one");
  EXPECT_EQ(again->revision, 1);
  EXPECT_EQ(*store_->CurrentRevision(), 1) << "a failed comparison must not use a revision";
}

TEST_F(SqliteStoreTest, UpdateComparesTheModRevision) {
  ASSERT_TRUE(store_->Create("/a", "one").ok());
  ASSERT_TRUE(store_->Create("/other", "x").ok());

  auto stale = store_->Update("/a", "two", /*expected_mod_revision=*/2);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->succeeded);
  ASSERT_TRUE(stale->current.has_value());
  EXPECT_EQ(stale->current->value, "one");
  EXPECT_EQ(stale->current->mod_revision, 1);

  auto updated = store_->Update("/a", "two", 1);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated->succeeded);
  EXPECT_EQ(updated->revision, 3);
  EXPECT_EQ(updated->current->value, "two");
  EXPECT_EQ(updated->current->create_revision, 1);
  EXPECT_EQ(updated->current->mod_revision, 3);

  auto missing = store_->Update("/missing", "v", 1);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->succeeded);
  EXPECT_FALSE(missing->current.has_value());

  // etcd's mod_revision == 0 means "absent": an update expecting 0 creates.
  auto absent = store_->Update("/new", "v", 0);
  ASSERT_TRUE(absent.ok());
  EXPECT_TRUE(absent->succeeded);
  EXPECT_EQ(absent->current->create_revision, 4);
}

TEST_F(SqliteStoreTest, DeleteIsConditionalOrUnconditional) {
  auto missing = store_->Delete("/a", std::nullopt);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->succeeded);
  EXPECT_FALSE(missing->current.has_value());

  ASSERT_TRUE(store_->Create("/a", "one").ok());
  ASSERT_TRUE(store_->Create("/b", "bee").ok());
  auto stale = store_->Delete("/a", 7);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->succeeded);
  EXPECT_EQ(stale->current->value, "one");

  auto deleted = store_->Delete("/a", 1);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->succeeded);
  EXPECT_EQ(deleted->revision, 3);
  EXPECT_EQ(deleted->current->value, "one");
  EXPECT_EQ(deleted->current->mod_revision, 3);
  EXPECT_FALSE(store_->Get("/a")->kv.has_value());

  auto unconditional = store_->Delete("/b", std::nullopt);
  ASSERT_TRUE(unconditional.ok());
  EXPECT_TRUE(unconditional->succeeded);
  EXPECT_EQ(unconditional->current->value, "bee");

  auto twice = store_->Delete("/b", std::nullopt);
  EXPECT_FALSE(twice->succeeded);

  // A new incarnation gets a new create_revision.
  auto recreated = store_->Create("/a", "again");
  ASSERT_TRUE(recreated->succeeded);
  EXPECT_EQ(recreated->current->create_revision, 5);
}

TEST_F(SqliteStoreTest, ListAtAFixedRevisionPagesConsistentlyWhileWritesContinue) {
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store_->Create(Key(i), "v0").ok());
  const int64_t at = *store_->CurrentRevision();

  std::atomic<bool> stop{false};
  std::thread writer([&] {
    int n = 0;
    while (!stop) {
      int i = n % 100;
      auto got = store_->Get(Key(i));
      if (got.ok() && got->kv) {
        if (n % 3 == 0) {
          (void)store_->Delete(Key(i), got->kv->mod_revision);
        } else {
          (void)store_->Update(Key(i), "changed", got->kv->mod_revision);
        }
      } else {
        (void)store_->Create(Key(i), "recreated");
      }
      (void)store_->Create(Key(1000 + n), "new");
      ++n;
    }
  });

  std::vector<KeyValue> all;
  std::string after;
  int pages = 0;
  while (true) {
    auto page = store_->List(
        {.prefix = "/registry/pods/", .start_after = after, .limit = 7, .revision = at});
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->revision, at);
    ++pages;
    for (auto& kv : page->kvs) all.push_back(kv);
    // Between pages, change keys on both sides of the cursor.
    const int64_t rev = *store_->CurrentRevision();
    ASSERT_TRUE(store_->Create(StrCat("/registry/pods/a-", pages), "between").ok());
    (void)store_->Delete(Key(pages), std::nullopt);
    (void)store_->Update(Key(99 - pages), "late", rev);
    if (!page->more) break;
    ASSERT_FALSE(page->kvs.empty());
    after = page->kvs.back().key;
  }
  stop = true;
  writer.join();

  EXPECT_EQ(pages, 15);
  ASSERT_EQ(all.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(all[i].key, Key(i));
    EXPECT_EQ(all[i].value, "v0");
    EXPECT_EQ(all[i].mod_revision, i + 1);
  }
  EXPECT_GT(*store_->CurrentRevision(), at) << "the writer should have written during the list";
}

TEST_F(SqliteStoreTest, ListShowsOlderRevisionsAndHidesDeletedKeys) {
  ASSERT_TRUE(store_->Create("/k/a", "a1").ok());  // 1
  ASSERT_TRUE(store_->Create("/k/b", "b1").ok());  // 2
  ASSERT_TRUE(store_->Update("/k/a", "a2", 1).ok());  // 3
  ASSERT_TRUE(store_->Delete("/k/b", 2).ok());  // 4

  auto now = store_->List({.prefix = "/k/"});
  ASSERT_TRUE(now.ok());
  ASSERT_EQ(now->kvs.size(), 1u);
  EXPECT_EQ(now->kvs[0].value, "a2");
  EXPECT_EQ(now->revision, 4);

  auto at2 = store_->List({.prefix = "/k/", .revision = 2});
  ASSERT_TRUE(at2.ok());
  ASSERT_EQ(at2->kvs.size(), 2u);
  EXPECT_EQ(at2->kvs[0].value, "a1");
  EXPECT_EQ(at2->kvs[1].value, "b1");

  auto limited = store_->List({.prefix = "/k/", .limit = 1, .revision = 3});
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->kvs.size(), 1u);
  EXPECT_TRUE(limited->more);

  auto future = store_->List({.prefix = "/k/", .revision = 99});
  EXPECT_EQ(future.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(future.status().message(), HasSubstr("future revision"));
}

TEST_F(SqliteStoreTest, PrefixesMatchBytewise) {
  const std::string ff = std::string("/a/") + '\xff';
  for (const std::string& k : {std::string("/a"), std::string("/a/"), std::string("/a/x"),
                               ff, ff + '\xff', std::string("/ab"), std::string("/b"),
                               std::string("/a/\0z", 5)}) {
    ASSERT_TRUE(store_->Create(k, "v").ok()) << k;
  }
  auto under_a = store_->List({.prefix = "/a/"});
  ASSERT_TRUE(under_a.ok());
  std::vector<std::string> keys;
  for (auto& kv : under_a->kvs) keys.push_back(kv.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"/a/", std::string("/a/\0z", 5), "/a/x", ff,
                                            ff + '\xff'}));
  auto under_ff = store_->List({.prefix = ff});
  EXPECT_EQ(under_ff->kvs.size(), 2u);
  auto all = store_->List({});
  EXPECT_EQ(all->kvs.size(), 8u);
  EXPECT_EQ(*store_->Count("/a/"), 5);
  EXPECT_EQ(*store_->Count(""), 8);

  // start_after before the prefix starts at the prefix; after its end finds nothing.
  auto before = store_->List({.prefix = "/a/", .start_after = "/0"});
  EXPECT_EQ(before->kvs.size(), 5u);
  auto past = store_->List({.prefix = "/a/", .start_after = "/b"});
  EXPECT_TRUE(past->kvs.empty());
}

TEST_F(SqliteStoreTest, CountIgnoresDeletedKeysAndOldVersions) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->Create(Key(i), "v").ok());
  ASSERT_TRUE(store_->Update(Key(0), "v2", 1).ok());
  ASSERT_TRUE(store_->Delete(Key(1), std::nullopt).ok());
  ASSERT_TRUE(store_->Create("/registry/nodes/n1", "v").ok());
  EXPECT_EQ(*store_->Count("/registry/pods/"), 9);
  EXPECT_EQ(*store_->Count("/registry/"), 10);
  EXPECT_EQ(*store_->Count("/nothing/"), 0);
}

TEST_F(SqliteStoreTest, BadInputIsRefusedWithContextAndChangesNothing) {
  ASSERT_TRUE(store_->Create("/a", "v").ok());
  auto empty = store_->Create("", "v");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("create"));

  auto long_key = store_->Create(std::string(9000, 'k'), "v");
  EXPECT_EQ(long_key.status().code(), absl::StatusCode::kInvalidArgument);

  sqlite::SqliteStoreOptions small = testing::TestOptions();
  small.max_value_bytes = 10;
  Open(small);
  auto big = store_->Update("/a", std::string(11, 'v'), 1);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(big.status().message(), HasSubstr("update /a"));

  EXPECT_EQ(store_->Update("/a", "v", -1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Create("/t", "v", {.ttl = absl::Seconds(-1)}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->List({.limit = -1}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*store_->CurrentRevision(), 1);
  EXPECT_EQ(store_->Get("/a")->kv->value, "v");
}

TEST_F(SqliteStoreTest, ReopenKeepsKeysRevisionsAndHistory) {
  ASSERT_TRUE(store_->Create("/a", "a1").ok());
  ASSERT_TRUE(store_->Update("/a", "a2", 1).ok());
  ASSERT_TRUE(store_->Create("/b", "b1").ok());
  ASSERT_TRUE(store_->Delete("/b", 3).ok());
  Open();
  EXPECT_EQ(*store_->CurrentRevision(), 4);
  EXPECT_EQ(store_->Get("/a")->kv->value, "a2");
  EXPECT_FALSE(store_->Get("/b")->kv.has_value());
  auto at3 = store_->List({.revision = 3});
  ASSERT_TRUE(at3.ok());
  ASSERT_EQ(at3->kvs.size(), 2u);
  auto created = store_->Create("/c", "c");
  EXPECT_EQ(created->revision, 5);
}

TEST_F(SqliteStoreTest, CloseMakesLaterCallsUnavailable) {
  ASSERT_TRUE(store_->Create("/a", "v").ok());
  store_->Close();
  EXPECT_EQ(store_->Create("/b", "v").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->Get("/a").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->List({}).status().code(), absl::StatusCode::kUnavailable);
  store_->Close();  // idempotent
}

TEST_F(SqliteStoreTest, WritesQueuedDuringACommitShareTheNextOne) {
  std::vector<std::thread> threads;
  threads.push_back(CreateFirstAndHoldItsCommit(testing::TestOptions()));
  constexpr int kQueued = 49;
  for (int t = 0; t < kQueued; ++t) {
    threads.emplace_back([&, t] { EXPECT_TRUE(store_->Create(StrCat("/q/", t), "v")->succeeded); });
  }
  AwaitQueued(kQueued);
  ReleaseFirstCommit();
  for (auto& th : threads) th.join();
  const sqlite::SqliteStoreStats stats = store_->Stats();
  EXPECT_EQ(stats.writes, 1 + kQueued);
  EXPECT_EQ(stats.commits, 2) << "the 49 writes queued behind the first commit share one";
  EXPECT_EQ(stats.largest_batch, kQueued);
  EXPECT_EQ(*store_->CurrentRevision(), 1 + kQueued);
}

TEST_F(SqliteStoreTest, AWriteThatFailsInABatchFailsAloneWithItsKeyAndCode) {
  auto options = testing::TestOptions();
  options.max_db_bytes = 256 * 1024;
  std::vector<std::thread> threads;
  threads.push_back(CreateFirstAndHoldItsCommit(options));
  // Queued behind the first commit, so they share a batch: small writes and one too big for
  // the file's cap.
  absl::Status big_status;
  threads.emplace_back([&] {
    big_status = store_->Create("/big", std::string(400 * 1024, 'x')).status();
  });
  for (int t = 0; t < 5; ++t) {
    threads.emplace_back([&, t] { EXPECT_TRUE(store_->Create(StrCat("/small/", t), "v")->succeeded); });
  }
  AwaitQueued(6);
  ReleaseFirstCommit();
  for (auto& th : threads) th.join();
  EXPECT_EQ(big_status.code(), absl::StatusCode::kResourceExhausted) << big_status;
  EXPECT_THAT(big_status.message(), HasSubstr("create /big"));
  EXPECT_FALSE(store_->Get("/big")->kv.has_value());
  EXPECT_EQ(*store_->Count("/small/"), 5);
  EXPECT_EQ(*store_->CurrentRevision(), 6) << "revisions stay consecutive";
  EXPECT_TRUE(store_->Create("/after", "v")->succeeded);
  Open();
  EXPECT_EQ(*store_->CurrentRevision(), 7);
}

TEST_F(SqliteStoreTest, GroupCommitSharesCommitsAndSyncsAmongConcurrentWriters) {
  auto options = testing::TestOptions();
  // Every commit takes at least a millisecond, as an fsync on a real disk does, so that
  // the batching shows on a disk that syncs for free (tmpfs) too.
  options.test_before_commit = [] { absl::SleepFor(absl::Milliseconds(1)); };
  Open(options);
  constexpr int kWriters = 50;
  constexpr int kPerWriter = 40;
  const sqlite::SqliteStoreStats before = store_->Stats();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        auto r = store_->Create(StrCat("/g/", t, "/", i), "value");
        if (!r.ok() || !r->succeeded) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures, 0);
  const sqlite::SqliteStoreStats after = store_->Stats();
  const int64_t writes = after.writes - before.writes;
  const int64_t commits = after.commits - before.commits;
  const int64_t syncs = after.syncs - before.syncs;
  EXPECT_EQ(writes, kWriters * kPerWriter);
  // One fsync per write would make commits == writes; shared commits are far fewer.
  EXPECT_LT(commits * 5, writes) << "commits=" << commits << " syncs=" << syncs;
  // synchronous=FULL: every commit syncs the WAL (checkpoints add a few more).
  EXPECT_GE(syncs, commits);
  EXPECT_LT(syncs * 3, writes) << "commits=" << commits << " syncs=" << syncs;
  EXPECT_EQ(*store_->Count("/g/"), kWriters * kPerWriter);
}

TEST_F(SqliteStoreTest, ConflictingWritersInOneBatchEachGetTheirOwnAnswer) {
  ASSERT_TRUE(store_->Create("/counter", "0").ok());
  constexpr int kWriters = 20;
  std::vector<std::thread> threads;
  std::atomic<int> won{0};
  std::atomic<int> lost{0};
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&] {
      // Everyone races from the same base revision: exactly one may win.
      auto r = store_->Update("/counter", "x", 1);
      if (r.ok() && r->succeeded) ++won;
      if (r.ok() && !r->succeeded) {
        ++lost;
        EXPECT_EQ(r->current->value, "x");
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won, 1);
  EXPECT_EQ(lost, kWriters - 1);
  EXPECT_EQ(*store_->CurrentRevision(), 2);
}

}  // namespace
}  // namespace cubelet::storage
