// `make bench`, cubelet-server: pod creates against raw SQLite with the same durability, the
// disk wear of an idle cluster with one node renewing its Lease, lists of 10,000 pods against
// reading them straight out of the store file, and the fan-out of pod events to 2,000 watchers.
// Every number is measured against its peer (or limit) in the same run, on the same disk.
// Writes bench/results/apiserver.md (or the path given) and stdout.
//
// Usage: cubelet_apiserver_bench [cubelet-server] [out.md] [--quick] [--dir DIR] [--keep]
//          [--sections creates,wear,list,watch] [--wear-minutes M] [--watchers N] [--list-pods N]
#include "apiserver_bench.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/str_format.h"
#include "bench_util.h"
#include "common/strings.h"

namespace fs = std::filesystem;

namespace cubelet::bench {

ProcSnapshot Snapshot(pid_t pid) {
  ProcSample s = Sample(pid);
  ProcSnapshot snap{.cpu_seconds = s.cpu_seconds,
                    .rss_kib = s.rss_kib,
                    .rss_anon_kib = s.rss_anon_kib,
                    .rss_file_kib = s.rss_file_kib};
  std::ifstream status(StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) snap.threads = std::stoi(line.substr(8));
  }
  std::ifstream io(StrCat("/proc/", pid, "/io"));
  for (std::string line; std::getline(io, line);) {
    if (line.rfind("write_bytes:", 0) == 0) snap.write_bytes = std::stoll(line.substr(12));
  }
  std::error_code ec;
  for (const auto& task : fs::directory_iterator(StrCat("/proc/", pid, "/task"), ec)) {
    std::ifstream sched(task.path() / "schedstat");
    int64_t on_cpu_ns = 0, waiting_ns = 0;
    if (sched >> on_cpu_ns >> waiting_ns) snap.run_wait_seconds += static_cast<double>(waiting_ns) / 1e9;
  }
  return snap;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const Options& options, const std::string& root,
                                                      const std::string& name) {
  std::unique_ptr<Server> server(new Server());
  server->data_dir_ = StrCat(root, "/", name);
  server->log_path_ = StrCat(root, "/", name, ".log");  // outside the data dir: not part of its wear
  fs::create_directories(server->data_dir_);
  server->port_ = testing::FreePort();
  server->process_ = std::make_unique<testing::CubeletProcess>(
      options.server_binary,
      // The API server alone: no scheduler writing conditions onto the benchmark's unscheduled pods.
      std::vector<std::string>{"--data-dir", server->data_dir_, "--secure-port", std::to_string(server->port_),
                               "--disable-scheduler"},
      server->log_path_);
  if (!server->process_->WaitForLog("cubelet-server is ready", 60)) {
    return absl::UnavailableError(StrCat("cubelet-server did not get ready in 60 s; log:\n", server->process_->Log()));
  }
  absl::StatusOr<Credentials> credentials = ReadKubeconfigCredentials(server->data_dir_ + "/admin.kubeconfig");
  if (!credentials.ok()) return credentials.status();
  server->credentials_ = *credentials;
  absl::StatusOr<std::unique_ptr<ClientLoop>> loop = ClientLoop::Create(*credentials);
  if (!loop.ok()) return loop.status();
  server->loop_ = std::move(*loop);
  return server;
}

Server::~Server() {
  loop_.reset();  // connections close before the process goes
}

absl::Status Server::Stop() {
  process_->Signal(SIGTERM);
  const int code = process_->Wait(30);
  if (code != 0) {
    return absl::InternalError(StrCat("cubelet-server exited with ", code, " on SIGTERM (-1: still running after 30 s)"));
  }
  return absl::OkStatus();
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

double Mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

}  // namespace cubelet::bench

namespace {

using cubelet::StrCat;
using cubelet::bench::Options;

std::string FilesystemType(const std::string& path) {
  struct statfs st {};
  if (::statfs(path.c_str(), &st) != 0) return "unknown filesystem";
  switch (static_cast<unsigned long>(st.f_type)) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794c7630: return "overlayfs";
    default: return absl::StrFormat("filesystem 0x%x", static_cast<unsigned long>(st.f_type));
  }
}

std::string CpuModel() {
  std::ifstream f("/proc/cpuinfo");
  for (std::string line; std::getline(f, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

// The 1-minute load average: other work on the machine skews every number here.
std::string LoadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string one;
  f >> one;
  return one.empty() ? "?" : one;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, ',');) out.push_back(part);
  return out;
}

bool ParseArgs(int argc, char** argv, Options& o) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--quick") {
      o.quick = true;
      o.create_max = 2000;
      o.create_seconds = 3;
      o.wear_minutes = 1;
      o.wear_warmup_seconds = 15;
      o.list_pods = 2000;
      o.list_requests = 10;
      o.list_seconds = 5;
      o.watchers = 200;
      o.watch_phases = {{20, 10}, {50, 50}};
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--dir") {
      o.dir = value();
    } else if (a == "--sections") {
      o.sections = Split(value());
    } else if (a == "--wear-minutes") {
      o.wear_minutes = std::stod(value());
    } else if (a == "--watchers") {
      o.watchers = std::stoi(value());
    } else if (a == "--list-pods") {
      o.list_pods = std::stoi(value());
    } else if (a.rfind("--", 0) == 0) {
      std::cerr << "unknown flag " << a << "\n";
      return false;
    } else {
      positional.push_back(a);
    }
  }
  o.server_binary = positional.size() > 0 ? positional[0] : CUBELET_SERVER_BINARY;
  o.out_path = positional.size() > 1 ? positional[1] : "bench/results/apiserver.md";
  return true;
}

// Thousands of watch connections: take the hard limit on open files.
void RaiseOpenFileLimit() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, options)) return 2;
  RaiseOpenFileLimit();
  signal(SIGPIPE, SIG_IGN);
  std::string pattern = StrCat(options.dir, "/cubelet-apiserver-bench-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "cannot create a directory in " << options.dir << "\n";
    return 1;
  }
  const std::string root = pattern;

  std::ostringstream md;
  utsname un{};
  ::uname(&un);
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%d", std::localtime(&now));
  md << "# cubelet-server: creates, idle wear, lists and watch fan-out\n\n"
     << "Run " << date << " on " << ::sysconf(_SC_NPROCESSORS_ONLN) << " CPUs (" << CpuModel() << "), Linux "
     << un.release << "; data dirs and the raw SQLite files on the same " << FilesystemType(root) << " ("
     << options.dir << "). The server is the real `cubelet-server` binary, started as the e2e tests start it, "
     << "driven over HTTPS with its admin client certificate by an async Boost.Beast client in this process "
     << "(one io_context, one thread); client and server share the machine's cores."
     << (options.quick ? " **Quick run (--quick): smaller counts and shorter windows than the defaults.**" : "")
     << "\n";
  int failed_sections = 0;
  for (const std::string& section : options.sections) {
    std::string text;
    const std::string load = LoadAverage();
    std::cerr << "== " << section << " (load average " << load << ")\n";
    if (section == "creates") text = cubelet::bench::RunCreates(options, root);
    else if (section == "wear") text = cubelet::bench::RunWear(options, root);
    else if (section == "list") text = cubelet::bench::RunList(options, root);
    else if (section == "watch") text = cubelet::bench::RunWatch(options, root);
    else {
      std::cerr << "unknown section " << section << "\n";
      return 2;
    }
    if (text.find("FAILED") != std::string::npos) ++failed_sections;
    md << "\n" << text << "\n_Load average (1 min) of the machine when this section started: " << load
       << " (other work on the machine competes for the same cores and disk)._\n";
  }
  std::cout << md.str();
  if (!fs::path(options.out_path).parent_path().empty()) fs::create_directories(fs::path(options.out_path).parent_path());
  std::ofstream(options.out_path) << md.str();
  std::error_code ec;
  if (!options.keep) fs::remove_all(root, ec);
  else std::cerr << "kept " << root << "\n";
  if (failed_sections > 0) std::cerr << failed_sections << " section(s) had failures: see above\n";
  return failed_sections > 0 ? 1 : 0;
}
