// The read-side sections of the API server benchmark: lists of 10,000 pods against reading them
// straight out of the store file, and the watch fan-out to thousands of watchers.
#include <unistd.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/str_format.h"
#include "apiserver_bench.h"
#include "apiserver_raw_sqlite.h"
#include "apiserver_workloads.h"
#include "common/strings.h"
#include "json/parse.h"

namespace cubelet::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kTableAccept[] = "application/json;as=Table;v=v1;g=meta.k8s.io";

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double MiB(long kib) { return static_cast<double>(kib) / 1024; }

std::string Failed(std::ostringstream& md, const std::string& what) {
  std::cerr << "FAILED: " << what << "\n";
  md << "\n**FAILED: " << what << "**\n";
  return md.str();
}

std::string UrlEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += absl::StrFormat("%%%02X", static_cast<unsigned char>(c));
    }
  }
  return out;
}

struct Series {
  std::vector<double> ms;        // per request
  std::vector<double> whole_ms;  // per whole paged list (sum of its pages)
  int64_t items = -1;            // in the first (whole) list
  int64_t page_items = -1;       // in the first page
  int64_t bytes = 0;             // of the first response
  std::vector<std::string> failures;
};

void Note(Series& s, std::string what) {
  if (s.failures.size() < 5) s.failures.push_back(std::move(what));
  std::cerr << "list: " << s.failures.back() << "\n";
}

// Occurrences of `needle` in `text`.
int64_t Count(std::string_view text, std::string_view needle) {
  int64_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// Every pod in a list (and in a Table row's object metadata) has exactly one uid.
constexpr std::string_view kPerItem = "\"uid\":\"";

// GETs of `target` (after one warm-up) until `requests` were made or `max_seconds` passed (at
// least 5), each checked: 200, and `expected` items. The first answer is parsed and its items
// (`items_key`: "items", or a Table's "rows") counted; the others, cheaper, by their uids.
Series FullLists(BlockingConnection& conn, const std::string& target, const std::string& accept,
                 const std::string& items_key, int requests, double max_seconds, int64_t expected) {
  Series s;
  const Clock::time_point start = Clock::now();
  for (int i = -1; i < requests; ++i) {
    if (i >= 5 && Ms(Clock::now() - start) > max_seconds * 1000) break;
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<HttpResult> r = conn.Send({.target = target, .accept = accept});
    const double ms = Ms(Clock::now() - t0);
    if (!r.ok() || r->status != 200) {
      Note(s, StrCat(target, ": ", r.ok() ? StrCat("status ", r->status, " ", r->body.substr(0, 300)) : r.status().ToString()));
      continue;
    }
    if (i < 0) continue;
    s.ms.push_back(ms);
    const int64_t uids = Count(r->body, kPerItem);
    if (i == 0) {
      s.bytes = static_cast<int64_t>(r->body.size());
      absl::StatusOr<json::Value> list = json::Parse(r->body, {.max_bytes = size_t{1} << 31});
      const json::Value* items = list.ok() ? list->Find(items_key) : nullptr;
      if (items == nullptr || !items->is_array()) {
        Note(s, StrCat(target, ": no ", items_key, " array in the answer"));
      } else {
        s.items = static_cast<int64_t>(items->size());
        if (s.items != uids) Note(s, StrCat(target, ": ", s.items, " items but ", uids, " uids"));
      }
    }
    if (uids != expected) Note(s, StrCat(target, ": answer ", i, " holds ", uids, " items, want ", expected));
  }
  return s;
}

// Whole paged lists (limit=500, following continue) until at least `requests` pages were read or
// `max_seconds` passed (at least one whole list); each whole list must hold `expected` items.
Series PagedLists(BlockingConnection& conn, const std::string& accept, const std::string& items_key, int requests,
                  double max_seconds, int64_t expected) {
  Series s;
  const Clock::time_point start = Clock::now();
  while (static_cast<int>(s.ms.size()) < requests && s.failures.empty() &&
         (s.whole_ms.empty() || Ms(Clock::now() - start) < max_seconds * 1000)) {
    std::string next;
    int64_t items = 0;
    double whole = 0;
    do {
      const std::string target = StrCat("/api/v1/pods?limit=500", next.empty() ? "" : "&continue=", UrlEncode(next));
      const Clock::time_point t0 = Clock::now();
      absl::StatusOr<HttpResult> r = conn.Send({.target = target, .accept = accept});
      const double ms = Ms(Clock::now() - t0);
      if (!r.ok() || r->status != 200) {
        Note(s, StrCat(target, ": ", r.ok() ? StrCat("status ", r->status, " ", r->body.substr(0, 300)) : r.status().ToString()));
        return s;
      }
      s.ms.push_back(ms);
      whole += ms;
      if (s.bytes == 0) s.bytes = static_cast<int64_t>(r->body.size());
      absl::StatusOr<json::Value> page = json::Parse(r->body, {.max_bytes = size_t{1} << 31});
      const json::Value* page_items = page.ok() ? page->Find(items_key) : nullptr;
      if (page_items == nullptr || !page_items->is_array()) {
        Note(s, StrCat(target, ": no ", items_key, " array in the answer"));
        return s;
      }
      items += static_cast<int64_t>(page_items->size());
      if (s.page_items < 0) s.page_items = static_cast<int64_t>(page_items->size());
      next = page->GetString({"metadata", "continue"});
    } while (!next.empty());
    s.whole_ms.push_back(whole);
    s.items = items;
    if (items != expected) Note(s, StrCat("a paged list held ", items, " items, want ", expected));
  }
  return s;
}

}  // namespace

std::string RunList(const Options& o, const std::string& root) {
  std::ostringstream md;
  md << "## List of " << o.list_pods << " pods\n\n";
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(o, root, "list");
  if (!server.ok()) return Failed(md, server.status().ToString());
  Server& s = **server;
  std::cerr << "list: creating " << o.list_pods << " pods\n";
  absl::StatusOr<CreateResult> created = CreatePods(s.loop(), s.port(), 50, "list-", o.list_pods, 3600);
  if (!created.ok()) return Failed(md, created.status().ToString());
  for (const std::string& f : created->failures) std::cerr << "list: create: " << f << "\n";
  if (created->created != o.list_pods) {
    return Failed(md, StrCat(created->created, " of ", o.list_pods, " creates answered 201"));
  }
  const ProcSnapshot after_create = Snapshot(s.pid());
  BlockingConnection conn(s.loop(), s.port());
  if (absl::Status c = conn.Connect(); !c.ok()) return Failed(md, c.ToString());
  const int n = o.list_requests;
  std::cerr << "list: full lists\n";
  const double t = o.list_seconds;
  Series full = FullLists(conn, "/api/v1/pods?resourceVersion=0", "application/json", "items", n, t, o.list_pods);
  std::cerr << "list: paged lists\n";
  Series paged = PagedLists(conn, "application/json", "items", n, t, o.list_pods);
  std::cerr << "list: Tables\n";
  Series table = FullLists(conn, "/api/v1/pods?resourceVersion=0", kTableAccept, "rows", n, t, o.list_pods);
  Series table_paged = PagedLists(conn, kTableAccept, "rows", n, t, o.list_pods);
  const ProcSnapshot after_lists = Snapshot(s.pid());
  if (absl::Status stopped = s.Stop(); !stopped.ok()) return Failed(md, stopped.ToString());
  std::cerr << "list: raw SQLite\n";
  absl::StatusOr<RawReadResult> raw = RawReadAll(s.data_dir() + "/state.db", "/registry/pods/", n, true);
  if (!raw.ok()) return Failed(md, StrCat("raw SQLite read: ", raw.status().ToString()));
  absl::StatusOr<RawReadResult> scan = RawReadAll(s.data_dir() + "/state.db", "/registry/pods/", n, false);
  if (!scan.ok()) return Failed(md, StrCat("raw SQLite scan: ", scan.status().ToString()));

  const double raw_p50 = Quantile(raw->latencies_ms, 0.5);
  md << "A fresh server holding " << o.list_pods << " pods (created by 50 clients at "
     << absl::StrFormat("%.0f", created->created / created->seconds) << " creates/s), read " << n
     << " times each way (or for " << t << " s, at least 5 times), one request at a time on one keep-alive "
     << "connection after a warm-up request; a "
     << "latency ends when the whole body has arrived. Full lists with resourceVersion=0 are served from the "
     << "watch cache; paged lists (limit=500, following continue, as kubectl and informers do) are shown per page "
     << "and per whole list (pages summed); Tables are what `kubectl get` asks for (Accept: " << kTableAccept
     << "). The first answer of each kind is parsed and its items counted; every answer must hold one uid per pod. "
     << "The raw peer reads the same values straight out of the server's store file after it stopped, with the "
     << "store's list query (newest live row of each key under /registry/pods/, in key order, values copied out; "
     << "SQLite's page cache warmed by one read first), no JSON and no network; below it, a plain scan of the "
     << "key range without the history filter.\n\n"
     << "| read | requests | p50 ms | p99 ms | p50 / raw p50 | items | bytes |\n|---|---:|---:|---:|---:|---:|---:|\n";
  auto row = [&](const std::string& name, const std::vector<double>& ms, int64_t items, int64_t bytes, bool ratio) {
    md << absl::StrFormat("| %s | %d | %.1f | %.1f | %s | %s | %s |\n", name, ms.size(), Quantile(ms, 0.5),
                          Quantile(ms, 0.99), ratio ? absl::StrFormat("%.2f", Quantile(ms, 0.5) / raw_p50) : "",
                          items >= 0 ? std::to_string(items) : "?", bytes > 0 ? std::to_string(bytes) : "");
  };
  row("raw SQLite: the store's list query", raw->latencies_ms, raw->rows, raw->bytes, true);
  row("raw SQLite: plain scan of the key range", scan->latencies_ms, scan->rows, scan->bytes, true);
  row("`GET /api/v1/pods?resourceVersion=0` (watch cache)", full.ms, full.items, full.bytes, true);
  row("`GET /api/v1/pods?limit=500`, one page", paged.ms, paged.page_items, paged.bytes, false);
  row("the same, a whole paged list (pages summed)", paged.whole_ms, paged.items, 0, true);
  row("Table, `resourceVersion=0`", table.ms, table.items, table.bytes, true);
  row("Table, `limit=500` (`kubectl get pods -A`), one page", table_paged.ms, table_paged.page_items,
      table_paged.bytes, false);
  row("the same, a whole paged list (pages summed)", table_paged.whole_ms, table_paged.items, 0, true);
  md << "\n| server RSS with " << o.list_pods << " pods | total | anonymous | mapped files |\n|---|---:|---:|---:|\n"
     << absl::StrFormat("| after the creates | %.1f MiB | %.1f MiB | %.1f MiB |\n", MiB(after_create.rss_kib),
                        MiB(after_create.rss_anon_kib), MiB(after_create.rss_file_kib))
     << absl::StrFormat("| after the lists | %.1f MiB | %.1f MiB | %.1f MiB |\n", MiB(after_lists.rss_kib),
                        MiB(after_lists.rss_anon_kib), MiB(after_lists.rss_file_kib));
  int64_t failures = 0;
  for (const Series* series : {&full, &paged, &table, &table_paged}) failures += series->failures.size();
  if (full.items != o.list_pods || table.items != o.list_pods) {
    return Failed(md, StrCat("a full list held ", full.items, " items / ", table.items, " rows, want ", o.list_pods));
  }
  if (raw->rows != o.list_pods) return Failed(md, StrCat("raw SQLite read ", raw->rows, " pods, want ", o.list_pods));
  if (failures > 0) return Failed(md, StrCat(failures, " list requests failed (see the log above)"));
  return md.str();
}

std::string RunWatch(const Options& o, const std::string& root) {
  std::ostringstream md;
  md << "## Watch fan-out to " << o.watchers << " watchers\n\n";
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(o, root, "watch");
  if (!server.ok()) return Failed(md, server.status().ToString());
  Server& s = **server;
  absl::StatusOr<std::unique_ptr<ClientLoop>> writer = s.NewLoop();
  if (!writer.ok()) return Failed(md, writer.status().ToString());
  absl::StatusOr<std::unique_ptr<ClientLoop>> probe_loop = s.NewLoop();
  if (!probe_loop.ok()) return Failed(md, probe_loop.status().ToString());
  std::this_thread::sleep_for(std::chrono::seconds(2));  // start-up settles
  const ProcSnapshot idle = Snapshot(s.pid());
  // marks[0]: every watcher streaming; marks[i + 1]: every event of phase i read.
  struct Mark {
    ProcSnapshot server, self;
    Clock::time_point at;
  };
  std::vector<Mark> marks;
  auto mark = [&] { marks.push_back(Mark{Snapshot(s.pid()), Snapshot(::getpid()), Clock::now()}); };
  FanOutHooks hooks{.connected =
                        [&] {
                          std::this_thread::sleep_for(std::chrono::seconds(1));
                          mark();
                        },
                    .phase_delivered = [&](int) { mark(); }};
  const FanOutOptions options{.watchers = o.watchers, .phases = o.watch_phases, .pods = 10};
  std::cerr << "watch: " << o.watchers << " watchers\n";
  absl::StatusOr<FanOutResult> r = RunFanOut(s.loop(), **probe_loop, **writer, s.port(), options, hooks);
  if (!r.ok()) return Failed(md, r.status().ToString());
  for (const std::string& f : r->failures) std::cerr << "watch: " << f << "\n";
  writer->reset();
  probe_loop->reset();
  if (absl::Status stopped = s.Stop(); !stopped.ok()) return Failed(md, stopped.ToString());
  if (marks.size() != r->phases.size() + 1) return Failed(md, "the fan-out ended before its last phase");

  const int probe_count = options.probe_every > 0 ? o.watchers / options.probe_every : 0;
  md << "Watchers: " << o.watchers << " keep-alive HTTPS connections, each "
     << "`GET /api/v1/namespaces/default/pods?watch=true&resourceVersion=<rv>` (JSON lines, chunked), connected "
     << "at most " << options.max_connecting << " at a time before any write; all on one client thread but "
     << probe_count << " probes (every " << options.probe_every << "th) on a thread of their own. The probes "
     << "show the server's fan-out nearly free of client-side queueing; all watchers together show what a "
     << "client thread reading " << o.watchers - probe_count << " streams adds. A writer on its own connection and "
     << "thread then merge-PATCHes two annotations (a sequence number and the send time) into " << options.pods
     << " pods in turn, at a slow and then a fast steady rate (a phase starts when every event of the last was "
     << "read); every watcher must read every update exactly once. Fan-out latency is the time from the write's "
     << "response to a watcher reading the event (one read before the response counts as 0); the latency from "
     << "the write's send adds the write itself (its commit). Quantiles over all (watcher, update) pairs of the "
     << "phase. At 50 updates/s, 2,000 watchers are 100,000 event deliveries a second: TLS records the server "
     << "encrypts and writes and this client reads, decrypts and parses, on the same 2 cores. CPU is in % of one "
     << "core from the phase's first write until its last event was read; the client is this whole process. "
     << "Run-queue wait is the time threads were runnable but had no CPU, summed over threads (a process's own "
     << "threads queue behind each other too; beyond 100 %, more than one waited at a time).\n\n"
     << "| metric |";
  for (const FanOutPhaseResult& p : r->phases) md << " " << p.phase.rate << " updates/s |";
  md << " goal |\n|---|";
  for (size_t i = 0; i < r->phases.size(); ++i) md << "---:|";
  md << "---:|\n";
  auto row = [&](const std::string& name, const std::function<std::string(size_t)>& cell, const std::string& goal) {
    md << "| " << name << " |";
    for (size_t i = 0; i < r->phases.size(); ++i) md << " " << cell(i) << " |";
    md << " " << goal << " |\n";
  };
  auto phase = [&](size_t i) -> const FanOutPhaseResult& { return r->phases[i]; };
  auto window = [&](size_t i) {
    return std::max(1e-3, std::chrono::duration<double>(marks[i + 1].at - marks[i].at).count());
  };
  row("updates answered 200", [&](size_t i) {
    return absl::StrFormat("%d of %d in %.1f s", phase(i).updates_ok, phase(i).phase.updates, phase(i).write_seconds);
  }, "");
  row("write (PATCH) latency p50 / p99", [&](size_t i) {
    return absl::StrFormat("%.1f / %.1f ms", Quantile(phase(i).write_ms, 0.5), Quantile(phase(i).write_ms, 0.99));
  }, "");
  row("events read (watcher, update)", [&](size_t i) {
    return absl::StrFormat("%d of %d", phase(i).received, phase(i).expected);
  }, "all");
  row("**fan-out latency after the write's response**, all watchers, p50 / p99 / max", [&](size_t i) {
    const auto& v = phase(i).from_response_ms;
    return absl::StrFormat("%.1f / **%.1f** / %.1f ms", Quantile(v, 0.5), Quantile(v, 0.99), Quantile(v, 1));
  }, "p99 ≤ 100 ms");
  row("the same, probe watchers only", [&](size_t i) {
    const auto& v = phase(i).probe_from_response_ms;
    return absl::StrFormat("%.1f / %.1f / %.1f ms", Quantile(v, 0.5), Quantile(v, 0.99), Quantile(v, 1));
  }, "");
  row("latency from the write's send, p50 / p99 / max", [&](size_t i) {
    const auto& v = phase(i).from_send_ms;
    return absl::StrFormat("%.1f / %.1f / %.1f ms", Quantile(v, 0.5), Quantile(v, 0.99), Quantile(v, 1));
  }, "");
  row("events read before the write's response", [&](size_t i) {
    return absl::StrFormat("%d", phase(i).before_response);
  }, "");
  row("server CPU / client CPU", [&](size_t i) {
    return absl::StrFormat("%.0f %% / %.0f %%", (marks[i + 1].server.cpu_seconds - marks[i].server.cpu_seconds) / window(i) * 100,
                           (marks[i + 1].self.cpu_seconds - marks[i].self.cpu_seconds) / window(i) * 100);
  }, "");
  row("run-queue wait, server / client", [&](size_t i) {
    return absl::StrFormat("%.0f %% / %.0f %%",
                           (marks[i + 1].server.run_wait_seconds - marks[i].server.run_wait_seconds) / window(i) * 100,
                           (marks[i + 1].self.run_wait_seconds - marks[i].self.run_wait_seconds) / window(i) * 100);
  }, "");
  const ProcSnapshot& connected = marks[0].server;
  md << "\n| server | value | goal |\n|---|---:|---:|\n"
     << absl::StrFormat("| watch streams answering 200 | %d of %d (connected in %.1f s) | |\n", r->watchers_started,
                        o.watchers, r->connect_seconds)
     << absl::StrFormat("| events lost / duplicated / unexpected, all phases | %d / %d / %d | 0 lost |\n", r->lost,
                        r->duplicates, r->unexpected)
     << absl::StrFormat("| RSS, 0 → %d watchers | %.1f → %.1f MiB (%.1f KiB per watcher) | |\n", o.watchers,
                        MiB(idle.rss_kib), MiB(connected.rss_kib),
                        static_cast<double>(connected.rss_kib - idle.rss_kib) / std::max(1, r->watchers_started))
     << absl::StrFormat("| of which anonymous | %.1f → %.1f MiB | |\n", MiB(idle.rss_anon_kib),
                        MiB(connected.rss_anon_kib))
     << absl::StrFormat("| RSS after the writes | %.1f MiB | |\n", MiB(marks.back().server.rss_kib))
     << absl::StrFormat("| threads, 0 → %d watchers | %d → %d | |\n", o.watchers, idle.threads, connected.threads);
  bool all_ok = r->watchers_started == o.watchers && r->lost == 0 && r->duplicates == 0 && r->unexpected == 0 &&
                r->failures.empty();
  for (const FanOutPhaseResult& p : r->phases) all_ok = all_ok && p.updates_ok == p.phase.updates && p.received == p.expected;
  if (!all_ok) {
    return Failed(md, StrCat("watch fan-out: ", r->failures.size(), " failures (see the log above), ", r->lost,
                             " events lost"));
  }
  return md.str();
}

}  // namespace cubelet::bench
