// Owns: serving watches over HTTP (upstream apiserver/pkg/endpoints/handlers/watch.go): one
// chunked response per client watch fed by the watch cache, events as JSON lines
// ({"type":"ADDED","object":{...}}), as Table rows when the client asked for Tables, bookmarks,
// ERROR events (410 Expired) in the stream, timeoutSeconds, and the cleanup of watches whose
// client went away or fell behind. Encoded lines are shared between the watchers that get the
// same event, so fan-out to thousands of watchers copies nothing per watcher.
// Does not own: which events a watcher gets (storage/cacher), the HTTP connection (httpserver/).
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "apiserver/negotiation.h"
#include "common/clock.h"
#include "common/logger.h"
#include "httpserver/http_server.h"
#include "json/value.h"
#include "registry/resource.h"
#include "storage/cacher/cacher.h"

namespace cubelet::apiserver {

// Turns a stored object into what this watcher's resource shows (events.k8s.io/v1 events are
// core/v1 events converted); null when the resource is served as stored.
using ObjectConverter = std::function<json::Value(const json::Value&)>;

// Starts the cache watch for a session (the session is the sink).
using WatchStarter =
    std::function<absl::StatusOr<std::unique_ptr<storage::cacher::WatchHandle>>(storage::cacher::WatchSink* sink)>;

struct WatchRequestOptions {
  const registry::ResourceInfo* resource = nullptr;  // what the client watches (kind, printer)
  OutputFormat format;
  ObjectConverter converter;
  absl::Duration timeout = absl::Minutes(30);
};

class WatchSession;

// Thread-safe. Owns every open watch; a thread closes watches whose time is up and releases
// watches whose client is gone, so no cache callback ever destroys its own registration.
class WatchStreams {
 public:
  WatchStreams(const Clock* clock, Logger logger);
  ~WatchStreams();  // ends every open watch

  // Sends the 200 response head and streams events until the timeout, the client leaving or the
  // server stopping. A failure to start the watch (410 Expired) becomes an ERROR event.
  void Serve(const std::shared_ptr<httpserver::Responder>& responder, WatchRequestOptions options,
             const WatchStarter& start);

  size_t open_watches() const;

 private:
  friend class WatchSession;
  void Release(const std::shared_ptr<WatchSession>& session);
  void Run();

  const Clock* clock_;
  Logger logger_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                                             // guarded by mu_
  std::multimap<absl::Time, std::shared_ptr<WatchSession>> deadlines_;  // guarded by mu_
  std::vector<std::shared_ptr<WatchSession>> released_;              // guarded by mu_
  size_t open_ = 0;                                                   // guarded by mu_
  std::jthread thread_;
};

}  // namespace cubelet::apiserver
