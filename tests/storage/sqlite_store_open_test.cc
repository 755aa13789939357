#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store_test_util.h"

namespace cubelet::storage::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class SqliteStoreOpenTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_ / "state.db"; }
  absl::StatusOr<std::unique_ptr<sqlite::SqliteStore>> Open() {
    return sqlite::NewSqliteStore(dir_.path(), testing::TestOptions(), &clock_,
                                  testing::TestLogger());
  }
  // Runs SQL on `path` with SQLite directly (as another program would).
  static void RunSql(const std::string& path, const std::string& sql) {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
    sqlite3_free(err);
    sqlite3_close(h);
  }

  TempDir dir_;
  FakeClock clock_;
};

TEST_F(SqliteStoreOpenTest, ANewDataDirAndFileAreCreatedOwnerOnly) {
  const std::string sub = dir_ / "data";
  auto store = sqlite::NewSqliteStore(sub, testing::TestOptions(), &clock_, testing::TestLogger());
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Create("/a", "v").ok());
  struct stat st {};
  ASSERT_EQ(::stat((sub + "/state.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((sub + "/state.db-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(sub.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_FALSE(std::filesystem::exists(sub + "/state.db-shm"))
      << "exclusive locking mode keeps the WAL index in memory";
}

TEST_F(SqliteStoreOpenTest, AnEmptyFileIsInitialised) {
  WriteBytes(db(), "");
  auto store = Open();
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->Create("/a", "v").ok());
}

TEST_F(SqliteStoreOpenTest, AFileThatIsNotSqliteIsRefusedAndLeftUnchanged) {
  std::string junk;
  for (int i = 0; i < 300; ++i) junk += "this is not a database at all. ";
  WriteBytes(db(), junk);
  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), AllOf(HasSubstr(db()), HasSubstr("not a SQLite database")));
  EXPECT_EQ(ReadBytes(db()), junk);
  EXPECT_FALSE(std::filesystem::exists(db() + "-wal"));
}

TEST_F(SqliteStoreOpenTest, AForeignSqliteDatabaseIsRefusedAndLeftUnchanged) {
  RunSql(db(), "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');");
  const std::string before = ReadBytes(db());
  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              AllOf(HasSubstr(db()), HasSubstr("not a cubelet-server store")));
  EXPECT_EQ(ReadBytes(db()), before);
}

TEST_F(SqliteStoreOpenTest, AForeignDatabaseWithAPendingWalIsRefusedAndNeitherFileChanges) {
  // A WAL-mode database whose last transaction is still only in its WAL, as a crashed program
  // leaves it: copied while the writer still has it open.
  TempDir other;
  const std::string src = other / "x.db";
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(src.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h,
                         "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; "
                         "CREATE TABLE t (x); INSERT INTO t VALUES (1);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::filesystem::copy_file(src, db());
  std::filesystem::copy_file(src + "-wal", db() + "-wal");
  sqlite3_close(h);
  const std::string db_before = ReadBytes(db());
  const std::string wal_before = ReadBytes(db() + "-wal");
  ASSERT_FALSE(wal_before.empty());

  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("not a cubelet-server store"));
  EXPECT_EQ(ReadBytes(db()), db_before);
  EXPECT_EQ(ReadBytes(db() + "-wal"), wal_before);
}

TEST_F(SqliteStoreOpenTest, ADatabaseFromANewerVersionIsRefusedAndLeftUnchanged) {
  {
    auto store = Open();
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Create("/a", "v").ok());
  }
  RunSql(db(), "PRAGMA user_version = 7;");
  const std::string before = ReadBytes(db());
  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(),
              AllOf(HasSubstr(db()), HasSubstr("newer cubelet-server"), HasSubstr("version 7")));
  EXPECT_EQ(ReadBytes(db()), before);
}

TEST_F(SqliteStoreOpenTest, ACorruptDatabaseIsRefusedAndLeftUnchanged) {
  {
    auto store = Open();
    ASSERT_TRUE(store.ok());
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE((*store)->Create(StrCat("/k/", i), std::string(300, 'v')).ok());
    }
  }
  std::string bytes = ReadBytes(db());
  ASSERT_GT(bytes.size(), 40u * 1024);
  // Garbage over a page in the middle of the table.
  const size_t page = 1024;
  const size_t at = (bytes.size() / page / 2) * page;
  for (size_t i = 0; i < page; ++i) bytes[at + i] = static_cast<char>(0xa5 ^ (i * 7));
  WriteBytes(db(), bytes);

  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
  EXPECT_THAT(store.status().message(), AllOf(HasSubstr(db()), HasSubstr("corrupt")));
  EXPECT_EQ(ReadBytes(db()), bytes);
}

TEST_F(SqliteStoreOpenTest, AFileInUseIsRefusedAndItsOwnerKeepsWorking) {
  auto first = Open();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->Create("/a", "v").ok());
  const std::string db_before = ReadBytes(db());
  const std::string wal_before = ReadBytes(db() + "-wal");

  auto second = Open();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(),
              AllOf(HasSubstr(db()), HasSubstr("in use by another process")));
  EXPECT_EQ(ReadBytes(db()), db_before);
  EXPECT_EQ(ReadBytes(db() + "-wal"), wal_before);

  // The failed open must not have released the first store's lock.
  ASSERT_TRUE((*first)->Create("/b", "v").ok());
  auto third = Open();
  EXPECT_EQ(third.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*first)->Get("/b")->kv->value, "v");
  first->reset();
  auto reopened = Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(*(*reopened)->CurrentRevision(), 2);
}

TEST_F(SqliteStoreOpenTest, ARollbackJournalIsNeverOurs) {
  RunSql(db(), "CREATE TABLE t (x);");
  WriteBytes(db() + "-journal", "journal");
  const std::string before = ReadBytes(db());
  auto store = Open();
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), AllOf(HasSubstr(db()), HasSubstr("rollback journal")));
  EXPECT_EQ(ReadBytes(db()), before);
  EXPECT_EQ(ReadBytes(db() + "-journal"), "journal");
}

}  // namespace
}  // namespace cubelet::storage::testing
