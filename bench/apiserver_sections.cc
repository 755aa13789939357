// The write-side sections of the API server benchmark: pod creates against raw SQLite, and the
// idle wear of one node renewing its Lease.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_format.h"
#include "apiserver_bench.h"
#include "apiserver_raw_sqlite.h"
#include "apiserver_workloads.h"
#include "common/strings.h"
#include "json/parse.h"
#include "json/write.h"

namespace fs = std::filesystem;

namespace cubelet::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string Failed(std::ostringstream& md, const std::string& what) {
  std::cerr << "FAILED: " << what << "\n";
  md << "\n**FAILED: " << what << "**\n";
  return md.str();
}

void PrintFailures(const std::string& what, const std::vector<std::string>& failures) {
  for (const std::string& f : failures) std::cerr << what << ": " << f << "\n";
}

// Sizes of the regular files under `dir`, by name relative to it.
std::map<std::string, int64_t> FileSizes(const std::string& dir) {
  std::map<std::string, int64_t> sizes;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      sizes[fs::relative(it->path(), dir, ec).string()] = static_cast<int64_t>(it->file_size(ec));
    }
  }
  return sizes;
}

int64_t Total(const std::map<std::string, int64_t>& sizes) {
  int64_t total = 0;
  for (const auto& [name, size] : sizes) total += size;
  return total;
}

int64_t SizeOf(const std::map<std::string, int64_t>& sizes, const std::string& name) {
  auto it = sizes.find(name);
  return it == sizes.end() ? 0 : it->second;
}

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(size);
}

// RFC 3339 with microseconds, as metav1.MicroTime is written.
std::string MicroTime() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return absl::StrFormat("%s.%06dZ", buf, micros);
}

}  // namespace

std::string RunCreates(const Options& o, const std::string& root) {
  std::ostringstream md;
  md << "## Pod creates\n\n";
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(o, root, "creates");
  if (!server.ok()) return Failed(md, server.status().ToString());
  Server& s = **server;
  // A warm-up, and the stored form of a pod: the raw peer inserts values of that size.
  absl::StatusOr<CreateResult> warm = CreatePods(s.loop(), s.port(), 1, "warm-", 20, 30);
  if (!warm.ok()) return Failed(md, warm.status().ToString());
  if (warm->created != 20) {
    PrintFailures("warm-up create", warm->failures);
    return Failed(md, StrCat("warm-up: ", warm->created, " of 20 creates answered 201"));
  }
  const std::string value = warm->last_body;

  struct Row {
    int clients;
    RawInsertResult raw;
    CreateResult server;
    double server_cpu;
    double client_cpu;
    double server_wait;  // run-queue wait, % of the run's wall time
    double client_wait;
  };
  std::vector<Row> rows;
  int64_t failures = 0;
  for (int clients : o.create_clients) {
    std::cerr << "creates: raw SQLite, " << clients << " threads\n";
    absl::StatusOr<RawInsertResult> raw =
        RawInsert(StrCat(root, "/raw-", clients, ".db"), clients, 1, o.create_max, o.create_seconds, value);
    if (!raw.ok()) return Failed(md, StrCat("raw SQLite: ", raw.status().ToString()));
    std::cerr << "creates: cubelet-server, " << clients << " clients\n";
    const ProcSnapshot server_before = Snapshot(s.pid()), self_before = Snapshot(::getpid());
    absl::StatusOr<CreateResult> created =
        CreatePods(s.loop(), s.port(), clients, StrCat("c", clients, "-"), o.create_max, o.create_seconds);
    const ProcSnapshot server_after = Snapshot(s.pid()), self_after = Snapshot(::getpid());
    if (!created.ok()) return Failed(md, created.status().ToString());
    PrintFailures(StrCat("create with ", clients, " clients"), created->failures);
    failures += created->failed;
    const double secs = std::max(created->seconds, 1e-9);
    rows.push_back(Row{clients, std::move(*raw), std::move(*created),
                       (server_after.cpu_seconds - server_before.cpu_seconds) / secs * 100,
                       (self_after.cpu_seconds - self_before.cpu_seconds) / secs * 100,
                       (server_after.run_wait_seconds - server_before.run_wait_seconds) / secs * 100,
                       (self_after.run_wait_seconds - self_before.run_wait_seconds) / secs * 100});
  }
  std::cerr << "creates: raw SQLite, " << o.raw_batch << " inserts per commit\n";
  absl::StatusOr<RawInsertResult> batched =
      RawInsert(StrCat(root, "/raw-batched.db"), 1, o.raw_batch, o.create_max, o.create_seconds, value);
  if (!batched.ok()) return Failed(md, StrCat("raw SQLite batched: ", batched.status().ToString()));
  if (absl::Status stopped = s.Stop(); !stopped.ok()) return Failed(md, stopped.ToString());

  const double batched_rate = static_cast<double>(batched->rows) / batched->seconds;
  md << "Each client is a keep-alive HTTPS connection POSTing a small pod (labels, one container with a port, "
     << "requests and limits; unscheduled, distinct names) to `/api/v1/namespaces/default/pods`, the next as soon "
     << "as the last is answered, for " << o.create_seconds << " s or " << o.create_max << " creates; "
     << "every answer must be 201. The physical limit, measured in the same run on the same filesystem: raw SQLite "
     << "with the store's durability (WAL, synchronous=FULL, exclusive locking, page size 1 KiB) and table (kv, "
     << "index on name), inserting the server's own stored pod JSON (" << value.size() << " bytes) one "
     << "transaction (one WAL fsync) per insert, from as many threads sharing one connection (SQLite has one "
     << "writer; per-thread connections only add busy-wait sleeps). The store group-commits concurrent writes, so "
     << "it can beat one fsync per write; raw SQLite with " << o.raw_batch << " inserts per transaction (one "
     << "thread) is the upper bound for any group commit on this disk. Latencies are per request (per commit for "
     << "raw SQLite, waiting for the connection included). CPU is in % of one core over the server's run.\n\n"
     << "| clients | cubelet-server creates/s | answered 201 | p50 / p99 ms | raw SQLite inserts/s, 1 commit each "
     << "| raw p50 / p99 ms | server / raw | server / raw batched | server CPU | client CPU |\n"
     << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const Row& r : rows) {
    const double server_rate = static_cast<double>(r.server.created) / std::max(r.server.seconds, 1e-9);
    const double raw_rate = static_cast<double>(r.raw.rows) / r.raw.seconds;
    md << absl::StrFormat(
        "| %d | %.0f | %d of %d | %.1f / %.1f | %.0f | %.1f / %.1f | %.2f | %.2f | %.0f %% | %.0f %% |\n", r.clients,
        server_rate, r.server.created, r.server.created + r.server.failed, Quantile(r.server.latencies_ms, 0.5),
        Quantile(r.server.latencies_ms, 0.99), raw_rate, Quantile(r.raw.latencies_ms, 0.5),
        Quantile(r.raw.latencies_ms, 0.99), server_rate / raw_rate, server_rate / batched_rate, r.server_cpu,
        r.client_cpu);
  }
  md << absl::StrFormat(
      "\nRaw SQLite, %d inserts per commit (one thread): **%.0f inserts/s** (%.1f ms per commit at p50). "
      "Goal: at least 2,000 creates/s.\n",
      o.raw_batch, batched_rate, Quantile(batched->latencies_ms, 0.5));
  md << "\nTime runnable but waiting for a CPU (run queue, summed over threads, % of the run's wall time):";
  for (const Row& r : rows) {
    md << absl::StrFormat(" %d clients: server %.0f %%, client %.0f %%;", r.clients, r.server_wait, r.client_wait);
  }
  md << " the server's own threads queue behind each other too, beyond 100 % more than one waited at a time.\n";
  if (failures > 0) return Failed(md, StrCat(failures, " creates did not answer 201"));
  return md.str();
}

std::string RunWear(const Options& o, const std::string& root) {
  std::ostringstream md;
  md << "## Idle wear: one node renewing its Lease\n\n";
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(o, root, "wear");
  if (!server.ok()) return Failed(md, server.status().ToString());
  Server& s = **server;
  BlockingConnection conn(s.loop(), s.port());
  if (absl::Status c = conn.Connect(); !c.ok()) return Failed(md, c.ToString());
  absl::StatusOr<HttpResult> node = conn.Send(
      {.method = "POST",
       .target = "/api/v1/nodes",
       .body = R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"bench-node","labels":{"kubernetes.io/hostname":"bench-node"}}})"});
  if (!node.ok() || node->status != 201) {
    return Failed(md, StrCat("create node: ", node.ok() ? StrCat(node->status, " ", node->body) : node.status().ToString()));
  }
  absl::StatusOr<json::Value> node_object = json::Parse(node->body);
  if (!node_object.ok()) return Failed(md, node_object.status().ToString());
  const std::string lease_path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
  absl::StatusOr<HttpResult> created = conn.Send(
      {.method = "POST",
       .target = lease_path,
       .body = StrCat(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"bench-node",)",
                      R"("namespace":"kube-node-lease","ownerReferences":[{"apiVersion":"v1","kind":"Node",)",
                      R"("name":"bench-node","uid":")", node_object->GetString({"metadata", "uid"}),
                      R"("}]},"spec":{"holderIdentity":"bench-node","leaseDurationSeconds":40,"renewTime":")",
                      MicroTime(), R"("}})")});
  if (!created.ok() || created->status != 201) {
    return Failed(md, StrCat("create lease: ", created.ok() ? StrCat(created->status, " ", created->body)
                                                            : created.status().ToString()));
  }
  absl::StatusOr<json::Value> lease = json::Parse(created->body);
  if (!lease.ok()) return Failed(md, lease.status().ToString());

  // As the kubelet does: PUT the last returned Lease with a new renewTime, no GET in between.
  int renewals = 0, renewals_in_window = 0, renew_failures = 0;
  std::vector<std::string> failures;
  auto renew = [&](bool in_window) {
    lease->Ensure({"spec", "renewTime"}) = json::Value(MicroTime());
    absl::StatusOr<HttpResult> r = conn.Send({.method = "PUT", .target = StrCat(lease_path, "/bench-node"),
                                              .body = json::Write(*lease)});
    ++renewals;
    if (in_window) ++renewals_in_window;
    absl::StatusOr<json::Value> next = r.ok() && r->status == 200 ? json::Parse(r->body) : absl::StatusOr<json::Value>();
    if (!r.ok() || r->status != 200 || !next.ok()) {
      ++renew_failures;
      if (failures.size() < 5) failures.push_back(r.ok() ? StrCat(r->status, " ", r->body.substr(0, 300)) : r.status().ToString());
      return;
    }
    *lease = std::move(*next);
  };

  struct Mark {
    ProcSnapshot proc;
    std::map<std::string, int64_t> files;
    int64_t log_bytes = 0;
    Clock::time_point at;
  };
  auto mark = [&] {
    return Mark{Snapshot(s.pid()), FileSizes(s.data_dir()), FileSize(s.log_path()), Clock::now()};
  };
  const auto period = std::chrono::milliseconds(static_cast<int64_t>(o.lease_period_seconds * 1000));
  const Clock::time_point start = Clock::now();
  // The window opens between two renewals, after the warm-up, and spans whole renewal periods.
  const Clock::time_point open_at =
      start + std::chrono::milliseconds(static_cast<int64_t>(o.wear_warmup_seconds * 1000)) + period / 2;
  const Clock::time_point close_at = open_at + std::chrono::milliseconds(static_cast<int64_t>(o.wear_minutes * 60000));
  std::cerr << "wear: " << o.wear_warmup_seconds << " s warm-up, then " << o.wear_minutes << " min\n";
  Clock::time_point next_renewal = start;
  Mark opened, closed;
  bool is_open = false;
  while (true) {
    const Clock::time_point next_mark = is_open ? close_at : open_at;
    if (next_renewal < next_mark) {
      std::this_thread::sleep_until(next_renewal);
      renew(is_open);
      next_renewal += period;
      continue;
    }
    std::this_thread::sleep_until(next_mark);
    if (is_open) {
      closed = mark();
      break;
    }
    opened = mark();
    is_open = true;
  }
  if (absl::Status stopped = s.Stop(); !stopped.ok()) return Failed(md, stopped.ToString());
  PrintFailures("lease renewal", failures);

  const double minutes = std::chrono::duration<double>(closed.at - opened.at).count() / 60;
  auto per_minute = [&](int64_t bytes) { return static_cast<double>(bytes) / 1024 / minutes; };
  const int64_t written = closed.proc.write_bytes - opened.proc.write_bytes;
  const int64_t grown = Total(closed.files) - Total(opened.files);
  const int64_t wal = SizeOf(closed.files, "state.db-wal") - SizeOf(opened.files, "state.db-wal");
  const int64_t db = SizeOf(closed.files, "state.db") - SizeOf(opened.files, "state.db");
  const int64_t log = closed.log_bytes - opened.log_bytes;
  const double cpu = (closed.proc.cpu_seconds - opened.proc.cpu_seconds) / (minutes * 60) * 100;
  md << "A fresh server with one Node and its Lease in kube-node-lease; a simulated kubelet PUTs the last returned "
     << "Lease with a new renewTime every " << o.lease_period_seconds << " s (no GET in between, as upstream's "
     << "lease controller does) and nothing else happens. Measured over " << absl::StrFormat("%.1f", minutes)
     << " min after a " << o.wear_warmup_seconds << " s warm-up: the bytes the server process caused to be "
     << "written to storage (/proc/<pid>/io write_bytes: page-cache pages it dirtied, WAL and database files "
     << "and its log; filesystem journal excluded), and the growth of the data dir's files. The server log is "
     << "kept outside the data dir and shown on its own row. The store checkpoints its WAL at 1,000 pages "
     << "(about 1 MiB with 1 KiB pages); the WAL grows by the row below, so at that rate a checkpoint comes "
     << "every " << (wal > 0 ? absl::StrFormat("%.0f min", 1000.0 * 1048 / 1024 / per_minute(wal)) : "(no growth)")
     << "; its write is the few pages the renewals touch, so its cost spread over that time is small. The "
     << "compactor keeps the last 10,000 revisions: at " << absl::StrFormat("%.0f", renewals_in_window / minutes)
     << " writes per minute an idle cluster never compacts in such a window.\n\n"
     << "| metric | per minute | over the window | goal |\n|---|---:|---:|---:|\n"
     << absl::StrFormat("| written to storage by the server (write_bytes) | %.1f KiB | %.1f KiB | ≤ 100 KiB/min |\n",
                        per_minute(written), written / 1024.0)
     << absl::StrFormat("| growth of the data dir's files | %.1f KiB | %.1f KiB | |\n", per_minute(grown), grown / 1024.0)
     << absl::StrFormat("| of which the WAL (state.db-wal) | %.1f KiB | %.1f KiB | |\n", per_minute(wal), wal / 1024.0)
     << absl::StrFormat("| of which state.db | %.1f KiB | %.1f KiB | |\n", per_minute(db), db / 1024.0)
     << absl::StrFormat("| server log (outside the data dir, in write_bytes) | %.1f KiB | %.1f KiB | |\n",
                        per_minute(log), log / 1024.0)
     << absl::StrFormat("| Lease renewals (PUT) | %.1f | %d, %d failed | |\n", renewals_in_window / minutes,
                        renewals_in_window, renew_failures)
     << absl::StrFormat("| server CPU | %.2f %% of a core | | |\n", cpu)
     << absl::StrFormat("| server RSS at the end | %.1f MiB | | |\n", closed.proc.rss_kib / 1024.0);
  if (renew_failures > 0) return Failed(md, StrCat(renew_failures, " of ", renewals, " lease renewals failed"));
  return md.str();
}

}  // namespace cubelet::bench
