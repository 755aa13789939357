#include "apiserver_workloads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "common/strings.h"

namespace cubelet::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

constexpr size_t kMaxFailures = 5;

void Note(std::vector<std::string>& failures, std::string what) {
  if (failures.size() < kMaxFailures) failures.push_back(std::move(what));
}

std::string Describe(const HttpResult& r) { return StrCat("status ", r.status, ": ", r.body.substr(0, 300)); }

}  // namespace

// The promise is shared with the coroutine: the caller may return (and free its frame) while the
// loop thread is still inside set_value.
absl::Status BlockingConnection::Connect() {
  auto done = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> result = done->get_future();
  loop_.Spawn(
      [done, conn = &conn_]() -> asio::awaitable<void> {
        absl::Status connected = co_await conn->Connect();
        done->set_value(std::move(connected));
      },
      [done](absl::Status s) {
        if (!s.ok()) done->set_value(s);
      });
  return result.get();
}

absl::StatusOr<HttpResult> BlockingConnection::Send(const HttpRequest& request) {
  auto done = std::make_shared<std::promise<absl::StatusOr<HttpResult>>>();
  std::future<absl::StatusOr<HttpResult>> result = done->get_future();
  loop_.Spawn(
      [done, conn = &conn_, request]() -> asio::awaitable<void> {
        absl::StatusOr<HttpResult> answer = co_await conn->Send(request);
        done->set_value(std::move(answer));
      },
      [done](absl::Status s) {
        if (!s.ok()) done->set_value(s);
      });
  return result.get();
}

std::string PodManifest(const std::string& name) {
  return StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")", name,
                R"(","namespace":"default","labels":{"app":"bench","tier":"web"}},)",
                R"("spec":{"containers":[{"name":"web","image":"registry.k8s.io/nginx:1.25",)",
                R"("ports":[{"containerPort":80,"protocol":"TCP"}],"env":[{"name":"MODE","value":"bench"}],)",
                R"("resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"memory":"128Mi"}}}]}})");
}

absl::StatusOr<CreateResult> CreatePods(ClientLoop& loop, int port, int clients, const std::string& prefix,
                                        int64_t max_pods, double max_seconds) {
  std::vector<std::unique_ptr<BlockingConnection>> conns;
  for (int c = 0; c < clients; ++c) {
    conns.push_back(std::make_unique<BlockingConnection>(loop, port));
    if (absl::Status s = conns.back()->Connect(); !s.ok()) return s;
  }
  // Everything below is touched only on the loop thread until `running` drops to zero.
  CreateResult result;
  int64_t next = 0;
  std::atomic<int> running{clients};
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::milliseconds(static_cast<int64_t>(max_seconds * 1000));
  Clock::time_point last = start;
  // Each client is a coroutine on its own (already connected) connection.
  for (int c = 0; c < clients; ++c) {
    BlockingConnection* conn = conns[static_cast<size_t>(c)].get();
    loop.Spawn(
        [&, conn]() -> asio::awaitable<void> {
          while (true) {
            const int64_t i = next++;
            if (i >= max_pods || Clock::now() >= deadline) break;
            HttpRequest req{.method = "POST",
                            .target = "/api/v1/namespaces/default/pods",
                            .body = PodManifest(StrCat(prefix, i))};
            const Clock::time_point t0 = Clock::now();
            absl::StatusOr<HttpResult> r = co_await conn->connection().Send(req);
            last = Clock::now();
            result.latencies_ms.push_back(Ms(last - t0));
            if (r.ok() && r->status == 201) {
              ++result.created;
              result.last_body = std::move(r->body);
            } else {
              ++result.failed;
              Note(result.failures, r.ok() ? Describe(*r) : std::string(r.status().message()));
              if (!r.ok()) break;  // the connection is gone
            }
          }
        },
        [&](absl::Status s) {
          if (!s.ok()) Note(result.failures, std::string(s.message()));
          --running;
        });
  }
  while (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  result.seconds = std::chrono::duration<double>(last - start).count();
  return result;
}

}  // namespace cubelet::bench
