// A child process for SqliteStoreCrashTest: opens the store in DIR and, on THREADS threads,
// creates and then updates keys /crash/ROUND/<thread>/<i> until it is killed, writing one line
// per acknowledged write to stdout: "C <revision> <key>" or "U <revision> <key>".
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/logger.h"
#include "common/strings.h"
#include "storage/sqlite/sqlite_store.h"

namespace {

void Report(const std::string& line) {
  // One write per line (shorter than PIPE_BUF): lines from many threads never interleave.
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    _exit(3);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s DIR ROUND THREADS\n", argv[0]);
    return 2;
  }
  cubelet::RealClock clock;
  cubelet::Logger logger(std::make_shared<cubelet::StderrLogSink>(), 0, &clock);
  auto store = cubelet::storage::sqlite::NewSqliteStore(argv[1], {}, &clock, logger);
  if (!store.ok()) {
    fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const std::string round = argv[2];
  const int threads = atoi(argv[3]);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        const std::string key = cubelet::StrCat("/crash/", round, "/", t, "/", i);
        auto created = (*store)->Create(key, "created");
        if (!created.ok() || !created->succeeded) _exit(4);
        Report(cubelet::StrCat("C ", created->revision, " ", key, "\n"));
        auto updated = (*store)->Update(key, "updated", created->revision);
        if (!updated.ok() || !updated->succeeded) _exit(5);
        Report(cubelet::StrCat("U ", updated->revision, " ", key, "\n"));
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
