// Owns: what the sections of the API server benchmark share: the options, a cubelet-server
// child process on its own data dir with a client loop holding its admin credentials, /proc
// samples of a process (CPU, RSS, threads, bytes written), and quantiles.
// Does not own: the sections themselves (apiserver_sections.cc), the client, the raw peer.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "apiserver_client.h"
#include "apiserver_workloads.h"
#include "testbed/cubelet_process.h"

namespace cubelet::bench {

struct Options {
  std::string server_binary;
  std::string out_path;
  std::string dir = "/tmp";  // where the data dirs (and the raw SQLite files) go: same filesystem
  bool quick = false;
  bool keep = false;  // keep the data dirs and logs
  std::vector<std::string> sections = {"creates", "wear", "list", "watch"};
  // creates
  std::vector<int> create_clients = {10, 50};
  int64_t create_max = 10000;
  double create_seconds = 10;
  int raw_batch = 50;
  // wear
  double wear_minutes = 3;
  double wear_warmup_seconds = 30;
  double lease_period_seconds = 10;
  // list
  int list_pods = 10000;
  int list_requests = 50;
  double list_seconds = 15;  // per kind of list, at least 5 requests (one whole paged list)
  // watch
  int watchers = 2000;
  std::vector<FanOutOptions::Phase> watch_phases = {{100, 10}, {200, 50}};
};

struct ProcSnapshot {
  double cpu_seconds = 0;
  long rss_kib = 0;
  long rss_anon_kib = 0;
  long rss_file_kib = 0;
  int threads = 0;
  int64_t write_bytes = 0;  // /proc/<pid>/io: bytes this process caused to be written to storage
  // Summed over the threads alive now (/proc/<pid>/task/*/schedstat): time runnable but waiting
  // for a CPU. On a shared 2-core machine this says how much a number was held up by other work.
  double run_wait_seconds = 0;
};

ProcSnapshot Snapshot(pid_t pid);

// A cubelet-server started as the e2e fixture starts it (--data-dir, --secure-port, ready when
// it logs "cubelet-server is ready"), with a client loop that has its admin credentials.
class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(const Options& options, const std::string& root,
                                                       const std::string& name);
  ~Server();  // SIGKILL if still running

  // SIGTERM and wait; an error when it did not exit 0 within 30 s.
  absl::Status Stop();

  pid_t pid() const { return process_->pid(); }
  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_path() const { return log_path_; }
  ClientLoop& loop() { return *loop_; }
  // A second loop with the same credentials (for a writer the watchers must not delay).
  absl::StatusOr<std::unique_ptr<ClientLoop>> NewLoop() const { return ClientLoop::Create(credentials_); }

 private:
  Server() = default;
  std::string data_dir_;
  std::string log_path_;
  int port_ = 0;
  Credentials credentials_;
  std::unique_ptr<testing::CubeletProcess> process_;
  std::unique_ptr<ClientLoop> loop_;
};

// The q-quantile (0..1) by nearest rank; 0 for no samples.
double Quantile(std::vector<double> v, double q);
double Mean(const std::vector<double>& v);

// Each section runs its own server(s) and returns its markdown; failures are printed to stderr
// and counted in the tables.
std::string RunCreates(const Options& options, const std::string& root);
std::string RunWear(const Options& options, const std::string& root);
std::string RunList(const Options& options, const std::string& root);
std::string RunWatch(const Options& options, const std::string& root);

}  // namespace cubelet::bench
