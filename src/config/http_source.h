// Owns: HttpSource, the http pod source (upstream config/http.go, --manifest-url): GET the URL
// with the configured headers every httpCheckFrequency; a body holding one Pod or a v1 PodList
// (JSON or YAML) becomes a SET from source "http", each pod decoded, defaulted and validated as
// a static pod is (UID from the pod and "url:<url>", config.source "http").
// Does not own: parsing manifests (static-pods/manifest.h) or merging (pod_config.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/logger.h"
#include "common/timer_queue.h"
#include "config/pod_source.h"

namespace cubelet::config {

struct HttpSourceOptions {
  std::string url;                                      // staticPodURL: http:// or https://
  std::map<std::string, std::vector<std::string>> header;  // staticPodURLHeader: each value sent
  std::string node_name;
  absl::Duration check_frequency = absl::Seconds(20);  // httpCheckFrequency
  absl::Duration timeout = absl::Seconds(10);          // per request, as upstream's client
};

// What each poll does with the answer, as upstream:
//  - 200 with pods: a SET of the valid ones. A bad pod of a PodList is skipped and logged with
//    the URL, the item and the pod; a body that is a single invalid Pod, or neither a Pod nor a
//    PodList, keeps the last set.
//  - 200 with an empty body: an empty SET (the source counts as seen; its pods are removed).
//  - the same body as last time: nothing (no update; the same error if it was refused).
//  - unreachable, timed out, not 200, or larger than 10 MiB: an error, the last set is kept.
// Https verifies the server against the system's trusted CAs. Polls run on the agent's timer
// queue (a slow server holds one of its threads for at most `timeout`). Not thread-safe: Poll is
// called by the schedule Start makes, or by a test, never both.
class HttpSource final : public PodSource {
 public:
  // InvalidArgument when the URL is not an absolute http(s) URL with a host, or carries
  // credentials (send them as an Authorization header with --manifest-url-header).
  static absl::StatusOr<std::unique_ptr<HttpSource>> Create(HttpSourceOptions options, Logger logger,
                                                            TimerQueue* timers, PodUpdateFn updates);
  ~HttpSource() override;

  std::string_view Name() const override { return kHttpSource; }

  // One GET and its delivery (the step Run repeats). Returns this attempt's error, which is also
  // logged: as a warning the first three times in a row, then at V(4) (upstream's run()).
  absl::Status Poll();

  // Polls now, then every check_frequency on the timer queue, until destroyed.
  void Start() override;

 private:
  HttpSource(HttpSourceOptions options, std::string origin, std::string path, Logger logger, TimerQueue* timers,
             PodUpdateFn updates);
  // Upstream extractFromURL.
  absl::Status ExtractFromUrl();

  HttpSourceOptions options_;
  std::string origin_;  // scheme://host[:port]
  std::string path_;    // path and query, at least "/"
  Logger logger_;
  TimerQueue* timers_;
  PodUpdateFn updates_;
  std::optional<std::string> last_body_;  // the body last delivered or refused
  absl::Status last_body_error_;          // why it was refused
  int failure_logs_ = 0;
  TimerQueue::Handle poll_;  // declared last: cancelled before the state its task uses goes
};

}  // namespace cubelet::config
