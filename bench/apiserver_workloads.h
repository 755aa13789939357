// Owns: what the API server benchmark makes cubelet-server do, as a client would: concurrent
// pod creates, requests in a row on one connection (lists, lease renewals), and the watch
// fan-out (thousands of watch streams, a paced writer, per-event receive times). Each workload
// checks every answer and keeps the first failures for the report.
// Does not own: the server process, the tables (apiserver_bench.cc), the raw SQLite peer.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "apiserver_client.h"

namespace cubelet::bench {

// A keep-alive connection used from a non-loop thread: each call runs on the loop and waits.
class BlockingConnection {
 public:
  BlockingConnection(ClientLoop& loop, int port) : loop_(loop), conn_(loop, port) {}
  absl::Status Connect();
  absl::StatusOr<HttpResult> Send(const HttpRequest& request);
  HttpsConnection& connection() { return conn_; }  // for coroutines on the loop

 private:
  ClientLoop& loop_;
  HttpsConnection conn_;
};

// A small realistic pod: labels, one container with a port, requests/limits and an env var.
std::string PodManifest(const std::string& name);

struct CreateResult {
  int64_t created = 0;  // answered 201
  int64_t failed = 0;   // anything else, or no answer
  double seconds = 0;   // first request sent to last answer
  std::vector<double> latencies_ms;
  std::vector<std::string> failures;  // the first few, for the log
  std::string last_body;              // the last 201 body: a stored pod, as the server wrote it
};

// `clients` connections (connected before the clock starts), each POSTing pods named
// prefix + index one after another until `max_pods` were sent or `max_seconds` have passed.
absl::StatusOr<CreateResult> CreatePods(ClientLoop& loop, int port, int clients, const std::string& prefix,
                                        int64_t max_pods, double max_seconds);

struct FanOutOptions {
  int watchers = 2000;
  struct Phase {
    int updates;
    double rate;  // updates per second
  };
  // Run one after the other on the same watchers; a phase starts once the last one's events
  // were all delivered.
  std::vector<Phase> phases = {{100, 10}, {200, 50}};
  int pods = 10;  // updated in turn
  int max_connecting = 64;
  int probe_every = 100;  // every probe_every-th watcher reads on the probe loop
};

struct FanOutPhaseResult {
  FanOutOptions::Phase phase;
  int updates_ok = 0;
  double write_seconds = 0;              // first send to last answer
  std::vector<double> write_ms;          // the writer's PATCH latency
  std::vector<double> from_send_ms;      // per (watcher, update): receive - the write's send
  std::vector<double> from_response_ms;  // receive - the write's response (clamped at 0)
  std::vector<double> probe_from_send_ms;  // the same, probe watchers only
  std::vector<double> probe_from_response_ms;
  int64_t before_response = 0;           // events read before the write's response
  int64_t expected = 0;                  // streaming watchers x updates answered 200
  int64_t received = 0;                  // distinct (watcher, update) pairs received
};

struct FanOutResult {
  int watchers_started = 0;  // answered 200 and streaming
  double connect_seconds = 0;
  std::vector<FanOutPhaseResult> phases;
  int64_t lost = 0;  // expected and never received, all phases
  int64_t duplicates = 0;
  int64_t unexpected = 0;  // events that are not one of the updates (ADDED, ERROR, ...)
  std::vector<std::string> failures;
};

// Called on the main thread between the phases, for /proc samples of the server.
struct FanOutHooks {
  std::function<void()> connected;          // every watcher is streaming, before the first write
  std::function<void(int)> phase_delivered;  // every event of phase i was read (or the wait gave up)
};

// Creates `pods` pods, starts the watchers (namespace default, from the last create's
// resourceVersion; the probes on `probe_loop`, the rest on `watch_loop`), then, phase by phase,
// merge-PATCHes two annotations (a sequence number and the send time) into the pods in turn at
// the phase's rate from `writer` (its own loop, so the watchers cannot delay it). Every
// streaming watcher must read every update exactly once.
absl::StatusOr<FanOutResult> RunFanOut(ClientLoop& watch_loop, ClientLoop& probe_loop, ClientLoop& writer, int port,
                                       const FanOutOptions& options, const FanOutHooks& hooks);

}  // namespace cubelet::bench
