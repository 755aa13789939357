#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <sstream>
#include <string>

#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store_test_util.h"

namespace cubelet::storage {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

struct Ack {
  char kind = 0;  // 'C' or 'U'
  int64_t revision = 0;
};

class Child {
 public:
  // Starts the writer on `dir` with its stdout on a pipe.
  Child(const std::string& dir, int round, int threads) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      const std::string r = std::to_string(round);
      const std::string t = std::to_string(threads);
      ::execl(CRASH_WRITER, CRASH_WRITER, dir.c_str(), r.c_str(), t.c_str(), nullptr);
      _exit(127);
    }
    ::close(fds[1]);
    in_ = ::fdopen(fds[0], "r");
  }
  ~Child() {
    if (pid_ > 0) Kill();
    if (in_ != nullptr) fclose(in_);
  }

  // The next acknowledged write; false at end of output.
  bool Next(std::string* key, Ack* ack) {
    char kind;
    long long rev;
    char buf[256];
    if (fscanf(in_, " %c %lld %255s", &kind, &rev, buf) != 3) return false;
    *key = buf;
    *ack = Ack{kind, rev};
    return true;
  }
  // SIGKILL, then the exit status (which must say: killed).
  int Kill() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  FILE* in_ = nullptr;
};

TEST(SqliteStoreCrashTest, AcknowledgedWritesSurviveSigkill) {
  TempDir dir;
  FakeClock clock;
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 rng(seed);
  SCOPED_TRACE(StrCat("seed ", seed));
  std::map<std::string, Ack> acked;  // every key ever acknowledged → its last acknowledged write

  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(StrCat("round ", round));
    Child child(dir.path(), round, 16);
    const int kill_after = std::uniform_int_distribution<int>(20, 1500)(rng);
    std::string key;
    Ack ack;
    int seen = 0;
    while (seen < kill_after && child.Next(&key, &ack)) {
      acked[key] = ack;
      ++seen;
      if (round == 0 && seen == 10) {
        // Another process holds the store: opening it here must fail cleanly.
        auto second = sqlite::NewSqliteStore(dir.path(), testing::TestOptions(), &clock,
                                             testing::TestLogger());
        ASSERT_FALSE(second.ok());
        EXPECT_THAT(second.status().message(), HasSubstr("in use by another process"));
      }
    }
    ASSERT_EQ(seen, kill_after) << "the writer stopped on its own";
    const int status = child.Kill();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    // Lines already in the pipe were acknowledged before the kill.
    while (child.Next(&key, &ack)) acked[key] = ack;

    auto store = testing::OpenOrDie(dir.path(), &clock);
    ASSERT_NE(store, nullptr);
    int64_t newest = 0;
    for (const auto& [k, a] : acked) {
      auto got = store->Get(k);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_TRUE(got->kv.has_value()) << "acknowledged key lost: " << k << " at " << a.revision;
      if (a.kind == 'U') {
        EXPECT_EQ(got->kv->mod_revision, a.revision) << k;
        EXPECT_EQ(got->kv->value, "updated") << k;
      } else {
        // The update may have committed without its acknowledgement being read.
        EXPECT_GE(got->kv->mod_revision, a.revision) << k;
        EXPECT_EQ(got->kv->create_revision, a.revision) << k;
      }
      newest = std::max(newest, a.revision);
    }
    EXPECT_GE(*store->CurrentRevision(), newest);
  }
  EXPECT_GT(acked.size(), 100u);
}

}  // namespace
}  // namespace cubelet::storage
