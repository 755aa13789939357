// RunFanOut (apiserver_workloads.h): thousands of watch streams on one client loop, one paced
// writer on another, and per (watcher, update) receive times.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "apiserver_workloads.h"
#include "common/strings.h"
#include "json/parse.h"

namespace cubelet::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MsBetween(int64_t from_ns, int64_t to_ns) { return static_cast<double>(to_ns - from_ns) / 1e6; }
int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

constexpr size_t kMaxFailures = 5;
constexpr std::string_view kSeqKey = "\"cubelet-bench-seq\":\"";

void Note(std::vector<std::string>& failures, std::string what) {
  if (failures.size() < kMaxFailures) failures.push_back(std::move(what));
}

bool WaitUntil(const std::function<bool()>& done, double seconds) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The decimal digits right after `key` in `line`.
std::optional<int64_t> IntAfter(std::string_view line, std::string_view key) {
  size_t at = line.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + key.size();
  if (i >= line.size() || line[i] < '0' || line[i] > '9') return std::nullopt;
  int64_t v = 0;
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) v = v * 10 + (line[i] - '0');
  return v;
}

// One watch stream. Touched only on its loop's thread while its coroutine runs.
struct Watcher {
  Watcher(ClientLoop& loop, int port, int updates, bool probe)
      : conn(loop, port), received_ns(static_cast<size_t>(updates), -1), probe(probe) {}
  HttpsConnection conn;
  std::vector<int64_t> received_ns;  // per update sequence number; -1 until received
  int64_t duplicates = 0;
  int64_t unexpected = 0;
  std::string first_unexpected;
  const bool probe;        // on the probe loop
  bool streaming = false;  // the watch answered 200
  bool closing = false;    // the benchmark closed it: the error that ends the stream is expected
};

// The watchers served by one client loop, and how far their connecting got.
struct Lane {
  ClientLoop* loop;
  int connectors;  // connecting coroutines
  std::vector<Watcher*> watchers;
  size_t next = 0;  // the next to connect; loop thread only
};

// Failures noted from the loop threads and read on the main thread.
class Failures {
 public:
  void Note(std::string what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (list_.size() < kMaxFailures) list_.push_back(std::move(what));
  }
  std::vector<std::string> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(list_);
  }

 private:
  std::mutex mu_;
  std::vector<std::string> list_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<FanOutResult> RunFanOut(ClientLoop& watch_loop, ClientLoop& probe_loop, ClientLoop& writer_loop,
                                       int port, const FanOutOptions& options, const FanOutHooks& hooks) {
  FanOutResult result;
  BlockingConnection writer(writer_loop, port);
  if (absl::Status s = writer.Connect(); !s.ok()) return s;

  // The pods the writer updates; the watchers start after the last create.
  std::string resource_version;
  for (int p = 0; p < options.pods; ++p) {
    absl::StatusOr<HttpResult> r = writer.Send(
        {.method = "POST", .target = "/api/v1/namespaces/default/pods", .body = PodManifest(StrCat("watched-", p))});
    if (!r.ok()) return r.status();
    if (r->status != 201) return absl::InternalError(StrCat("create watched-", p, ": status ", r->status, ": ", r->body));
    absl::StatusOr<json::Value> pod = json::Parse(r->body);
    if (!pod.ok()) return pod.status();
    resource_version = pod->GetString({"metadata", "resourceVersion"});
  }

  // Watchers connect at most max_connecting at a time (TLS handshakes queue in the server's
  // accept backlog otherwise); each then streams on its own coroutine. Every probe_every-th
  // watcher is a probe, on a loop of its own that has little else to do: what the probes see is
  // the server's fan-out with (almost) no client-side queueing.
  int updates = 0;
  for (const FanOutOptions::Phase& p : options.phases) updates += p.updates;
  std::vector<std::unique_ptr<Watcher>> watchers;
  Lane bulk{&watch_loop, options.max_connecting}, probes{&probe_loop, 2};
  for (int i = 0; i < options.watchers; ++i) {
    const bool probe = options.probe_every > 0 && i % options.probe_every == options.probe_every / 2;
    watchers.push_back(std::make_unique<Watcher>(probe ? probe_loop : watch_loop, port, updates, probe));
    (probe ? probes : bulk).watchers.push_back(watchers.back().get());
  }
  std::atomic<int> started{0}, refused{0}, ended{0}, spawned{0}, connectors{0};
  std::atomic<int64_t> received{0};
  Failures failures;
  const std::string target = StrCat("/api/v1/namespaces/default/pods?watch=true&resourceVersion=", resource_version);

  auto stream = [&](Watcher* w) -> asio::awaitable<void> {
    // Named, not temporaries of the co_await expression: GCC 12 destroys such temporaries twice.
    const HttpRequest request{.target = target};
    const std::function<void(int)> on_head = [&, w](int status) {
      if (status == 200) {
        w->streaming = true;
        ++started;
      } else {
        ++refused;
        failures.Note(StrCat("watch answered status ", status));
      }
    };
    const std::function<void(std::string_view)> on_line = [&, w](std::string_view line) {
      const int64_t now = NowNs();
      std::optional<int64_t> seq = IntAfter(line, kSeqKey);
      if (line.substr(0, 40).find("\"type\":\"MODIFIED\"") == std::string_view::npos || !seq || *seq >= updates) {
        if (w->unexpected++ == 0) w->first_unexpected = std::string(line.substr(0, 300));
        return;
      }
      int64_t& slot = w->received_ns[static_cast<size_t>(*seq)];
      if (slot >= 0) {
        ++w->duplicates;
        return;
      }
      slot = now;
      ++received;
    };
    absl::Status s = co_await w->conn.Stream(request, on_head, on_line);
    if (!w->closing) failures.Note(StrCat("a watch stream ended before the benchmark closed it: ", s.ToString()));
  };

  const Clock::time_point connect_start = Clock::now();
  for (Lane* lane : {&bulk, &probes}) {
    lane->connectors = std::min<int>(lane->connectors, static_cast<int>(lane->watchers.size()));
    connectors += lane->connectors;
    for (int c = 0; c < lane->connectors; ++c) {
      lane->loop->Spawn(
          [&, lane]() -> asio::awaitable<void> {
            while (lane->next < lane->watchers.size()) {
              Watcher* w = lane->watchers[lane->next++];
              absl::Status s = co_await w->conn.Connect();
              if (!s.ok()) {
                ++refused;
                failures.Note(StrCat("watcher connect: ", s.ToString()));
                continue;
              }
              ++spawned;
              lane->loop->Spawn([&, w]() -> asio::awaitable<void> { co_await stream(w); },
                                [&](absl::Status s) {
                                  if (!s.ok()) failures.Note(std::string(s.message()));
                                  ++ended;
                                });
            }
          },
          [&](absl::Status s) {
            if (!s.ok()) failures.Note(std::string(s.message()));
            --connectors;
          });
    }
  }
  const bool all_started =
      WaitUntil([&] { return connectors == 0 && started + refused >= options.watchers; }, 300);
  result.connect_seconds = std::chrono::duration<double>(Clock::now() - connect_start).count();
  result.watchers_started = started;
  if (!all_started) Note(result.failures, StrCat("only ", started.load(), " of ", options.watchers, " watches started"));
  if (hooks.connected) hooks.connected();

  // The writer: per phase, a PATCH of two annotations (the sequence number, the send time)
  // every 1/rate s; the next phase starts when every event of this one was read.
  std::vector<int64_t> sent_ns(static_cast<size_t>(updates), 0), answered_ns(static_cast<size_t>(updates), 0);
  std::vector<bool> applied(static_cast<size_t>(updates), false);
  std::vector<int> phase_of(static_cast<size_t>(updates), 0);
  int u = 0;
  int64_t expected = 0;
  for (size_t p = 0; p < options.phases.size(); ++p) {
    FanOutPhaseResult& phase = result.phases.emplace_back(FanOutPhaseResult{.phase = options.phases[p]});
    const Clock::time_point write_start = Clock::now();
    for (int i = 0; i < phase.phase.updates; ++i, ++u) {
      std::this_thread::sleep_until(write_start +
                                    std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / phase.phase.rate)));
      const size_t at = static_cast<size_t>(u);
      phase_of[at] = static_cast<int>(p);
      const int64_t sent = NowNs();
      absl::StatusOr<HttpResult> r =
          writer.Send({.method = "PATCH",
                       .target = StrCat("/api/v1/namespaces/default/pods/watched-", u % options.pods),
                       .body = StrCat(R"({"metadata":{"annotations":{"cubelet-bench-seq":")", u,
                                      R"(","cubelet-bench-sent-ns":")", sent, R"("}}})"),
                       .content_type = "application/merge-patch+json"});
      answered_ns[at] = NowNs();
      sent_ns[at] = sent;
      phase.write_ms.push_back(MsBetween(sent, answered_ns[at]));
      if (r.ok() && r->status == 200) {
        ++phase.updates_ok;
        applied[at] = true;
      } else {
        Note(result.failures, StrCat("update ", u, ": ", r.ok() ? StrCat("status ", r->status, ": ", r->body.substr(0, 300))
                                                             : r.status().ToString()));
      }
    }
    phase.write_seconds = std::chrono::duration<double>(Clock::now() - write_start).count();
    phase.expected = static_cast<int64_t>(started) * phase.updates_ok;
    expected += phase.expected;
    if (!WaitUntil([&] { return received >= expected; }, 60)) {
      Note(result.failures, StrCat("gave up waiting 60 s for the events of phase ", p + 1, ": ", received.load(),
                                   " of ", expected, " received"));
    }
    if (hooks.phase_delivered) hooks.phase_delivered(static_cast<int>(p));
  }

  // Close every stream on its loop, then wait for every coroutine to end before reading.
  for (Lane* lane : {&bulk, &probes}) {
    asio::post(lane->loop->io(), [lane] {
      for (Watcher* w : lane->watchers) {
        w->closing = true;
        w->conn.Close();
      }
    });
  }
  if (!WaitUntil([&] { return ended == spawned && connectors == 0; }, 30)) {
    // The coroutines still reference the watchers: leak them rather than free them under a coroutine.
    for (auto& w : watchers) (void)w.release();
    return absl::InternalError(StrCat("watch streams did not end after close (", ended.load(), " of ", spawned.load(), ")"));
  }
  for (std::string& f : failures.Take()) Note(result.failures, std::move(f));

  for (const auto& w : watchers) {
    result.duplicates += w->duplicates;
    result.unexpected += w->unexpected;
    if (w->unexpected > 0) Note(result.failures, StrCat("unexpected watch event: ", w->first_unexpected));
    for (int u = 0; u < updates; ++u) {
      const int64_t at = w->received_ns[static_cast<size_t>(u)];
      FanOutPhaseResult& phase = result.phases[static_cast<size_t>(phase_of[static_cast<size_t>(u)])];
      if (at < 0) {
        // A watcher that never started cannot lose events; one that did must get every update.
        if (w->streaming && applied[static_cast<size_t>(u)]) ++result.lost;
        continue;
      }
      ++phase.received;
      const double from_send = MsBetween(sent_ns[static_cast<size_t>(u)], at);
      const double after = MsBetween(answered_ns[static_cast<size_t>(u)], at);
      if (after < 0) ++phase.before_response;
      phase.from_send_ms.push_back(from_send);
      phase.from_response_ms.push_back(std::max(0.0, after));
      if (w->probe) {
        phase.probe_from_send_ms.push_back(from_send);
        phase.probe_from_response_ms.push_back(std::max(0.0, after));
      }
    }
  }
  return result;
}

}  // namespace cubelet::bench
