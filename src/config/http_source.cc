#include "config/http_source.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/strings.h"
#include "static_pods/manifest.h"
#include "static_pods/manifest_directory.h"

namespace cubelet::config {
namespace {

struct SplitUrl {
  std::string origin;  // scheme://authority
  std::string path;    // path and query
};

absl::StatusOr<SplitUrl> SplitManifestUrl(const std::string& url) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat("manifest URL \"", url, "\": ", why));
  };
  const size_t sep = url.find("://");
  if (sep == std::string::npos) return bad("must be an absolute http:// or https:// URL");
  std::string scheme = url.substr(0, sep);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") {
    return bad(StrCat("unsupported scheme \"", scheme, "\": supported schemes: \"http\", \"https\""));
  }
  const std::string rest = url.substr(sep + 3);
  const size_t end = rest.find_first_of("/?#");
  const std::string authority = rest.substr(0, end);
  if (authority.find('@') != std::string::npos) {
    return bad("credentials in the URL are not supported: send an Authorization header with --manifest-url-header");
  }
  // host, [ipv6] or either with :port.
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  const bool has_port = colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  const std::string host = has_port ? authority.substr(0, colon) : authority;
  if (host.empty() || host == "[]") return bad("missing host");
  if (has_port) {
    // Digits only (SimpleAtoi alone would take a sign or spaces); SimpleAtoi fails on overflow.
    const std::string port = authority.substr(colon + 1);
    const bool digits = !port.empty() &&
                        std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
    uint64_t value = 0;
    if (!digits) return bad(StrCat("invalid port \"", port, "\": must be a number"));
    if (!absl::SimpleAtoi(port, &value) || value < 1 || value > 65535) {
      return bad(StrCat("invalid port \"", port, "\": must be between 1 and 65535, inclusive"));
    }
  }
  std::string path = end == std::string::npos ? "" : rest.substr(end);
  path = path.substr(0, path.find('#'));
  if (path.empty() || path[0] != '/') path = "/" + path;
  return SplitUrl{StrCat(scheme, "://", authority), path};
}

// What went wrong, in words, with httplib's name of the error for searching.
std::string Describe(httplib::Error error) {
  std::string_view what;
  switch (error) {
    case httplib::Error::Connection: what = "could not connect"; break;
    case httplib::Error::ConnectionTimeout: what = "connection timed out"; break;
    case httplib::Error::Read: what = "reading the response failed or timed out"; break;
    case httplib::Error::Write: what = "sending the request failed"; break;
    case httplib::Error::ExceedRedirectCount: what = "too many redirects"; break;
    case httplib::Error::SSLConnection: what = "TLS handshake failed"; break;
    case httplib::Error::SSLLoadingCerts: what = "loading the trusted CA certificates failed"; break;
    case httplib::Error::SSLServerVerification:
      what = "the server's certificate is not trusted (or does not name the host)";
      break;
    default: return httplib::to_string(error);
  }
  return StrCat(what, " (", httplib::to_string(error), ")");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpSource>> HttpSource::Create(HttpSourceOptions options, Logger logger,
                                                               TimerQueue* timers, PodUpdateFn updates) {
  auto split = SplitManifestUrl(options.url);
  if (!split.ok()) return split.status();
  return std::unique_ptr<HttpSource>(new HttpSource(std::move(options), split->origin, split->path,
                                                    std::move(logger), timers, std::move(updates)));
}

HttpSource::HttpSource(HttpSourceOptions options, std::string origin, std::string path, Logger logger,
                       TimerQueue* timers, PodUpdateFn updates)
    : options_(std::move(options)),
      origin_(std::move(origin)),
      path_(std::move(path)),
      logger_(std::move(logger)),
      timers_(timers),
      updates_(std::move(updates)) {}

HttpSource::~HttpSource() { poll_.Cancel(); }

absl::Status HttpSource::Poll() {
  absl::Status status = ExtractFromUrl();
  if (!status.ok()) {
    // A server that is down for long must not flood the log: the first few say it.
    if (failure_logs_ < 3) {
      logger_.Warning("Failed to read pods from URL", {{"err", status}});
    } else if (failure_logs_ == 3) {
      logger_.Warning("Failed to read pods from URL. Dropping verbosity of this message to V(4)", {{"err", status}});
    } else {
      logger_.VInfo(4, "Failed to read pods from URL", {{"err", status}});
    }
    ++failure_logs_;
  } else if (failure_logs_ > 0) {
    logger_.Info("Successfully read pods from URL", {{"url", options_.url}});
    failure_logs_ = 0;
  }
  return status;
}

void HttpSource::Start() {
  logger_.Info("Watching URL", {{"url", options_.url}, {"httpCheckFrequency", options_.check_frequency}});
  // Poll logs its own errors; the schedule only paces the attempts.
  poll_ = timers_->Every(options_.check_frequency, [this] { (void)Poll(); },
                        {.initial_delay = absl::ZeroDuration(), .jitter_factor = 0, .name = "http pod source"});
}

absl::Status HttpSource::ExtractFromUrl() {
  httplib::Client client(origin_);
  if (!client.is_valid()) return absl::InvalidArgumentError(StrCat("manifest URL \"", options_.url, "\": not usable"));
  client.set_connection_timeout(absl::ToChronoMicroseconds(options_.timeout));
  client.set_read_timeout(absl::ToChronoMicroseconds(options_.timeout));
  client.set_write_timeout(absl::ToChronoMicroseconds(options_.timeout));
  // Redirects are followed by hand, and only on the same scheme, host and port: httplib would
  // send the --manifest-url-header values (often credentials) to any host a redirect names, even
  // over plain http; Go's client at least drops Authorization there.
  client.set_follow_location(false);
  client.enable_server_certificate_verification(true);
  httplib::Headers headers;
  for (const auto& [name, values] : options_.header) {
    for (const auto& v : values) headers.emplace(name, v);
  }
  std::string body;
  bool too_large = false;
  std::string path = path_;
  int status = 0;
  std::string reason;
  for (int redirects = 0;; ++redirects) {
    body.clear();
    auto res = client.Get(path, headers, [&](const char* data, size_t len) {
      if (body.size() + len > static_pods::kMaxManifestBytes) {
        too_large = true;
        return false;
      }
      body.append(data, len);
      return true;
    });
    if (too_large) return absl::ResourceExhaustedError(StrCat(options_.url, ": response larger than the 10 MiB limit"));
    if (!res) return absl::UnavailableError(StrCat("Get \"", options_.url, "\": ", Describe(res.error())));
    const bool redirect = res->status == 301 || res->status == 302 || res->status == 303 || res->status == 307 ||
                          res->status == 308;
    status = res->status;
    reason = res->reason;
    if (!redirect) break;
    const std::string location = res->get_header_value("Location");
    if (redirects == 10) return absl::UnavailableError(StrCat(options_.url, ": stopped after 10 redirects"));
    if (!location.empty() && location[0] == '/' && (location.size() < 2 || location[1] != '/')) {
      path = location;
    } else if (absl::StartsWith(location, origin_ + "/")) {
      path = location.substr(origin_.size());
    } else {
      return absl::UnavailableError(StrCat(options_.url, ": redirected to \"", location,
                                           "\", which is not on the same scheme, host and port; not followed, since the "
                                           "request carries the manifest URL headers: configure the final URL"));
    }
  }
  if (status != 200) {
    return absl::UnavailableError(StrCat(options_.url, ": ", status, reason.empty() ? "" : " ", reason));
  }
  if (body.empty()) {
    // An empty set, so the source counts as seen; and the next body is delivered even if it
    // equals the one before the empty answer.
    if (last_body_ != std::nullopt) logger_.Info("Manifest URL returned an empty body: no pods", {{"url", options_.url}});
    last_body_.reset();
    last_body_error_ = absl::OkStatus();
    updates_(PodUpdate{PodOperation::kSet, kHttpSource, {}});
    return absl::OkStatus();
  }
  // Unchanged: nothing to deliver; a body refused before is still refused (and still logged,
  // with the usual damping).
  if (last_body_ == body) return last_body_error_;
  last_body_ = body;

  const static_pods::ManifestSource source{static_pods::ManifestSource::Kind::kHttp, options_.url};
  auto items = static_pods::ParseStaticPodManifestList(body, source, options_.node_name);
  last_body_error_ = items.status();
  if (!items.ok()) return items.status();
  PodUpdate update{PodOperation::kSet, kHttpSource, {}};
  for (auto& item : *items) {
    if (!item.ok()) {
      logger_.Error("Could not process pod from manifest URL", {{"url", options_.url}, {"err", item.status()}});
      continue;
    }
    update.pods.push_back(std::make_shared<const api::Pod>(*std::move(item)));
  }
  updates_(std::move(update));
  return absl::OkStatus();
}

}  // namespace cubelet::config
