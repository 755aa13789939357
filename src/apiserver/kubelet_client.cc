#include "apiserver/kubelet_client.h"

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>

#include "apierrors/apierrors.h"
#include "common/strings.h"

namespace cubelet::apiserver {
namespace {

class HttpsKubeletClient final : public KubeletClient {
 public:
  HttpsKubeletClient(std::string cert, std::string key) : cert_(std::move(cert)), key_(std::move(key)) {}

  absl::Status Stream(const KubeletEndpoint& endpoint, const std::string& path_and_query,
                      absl::Duration read_timeout, Cancellation& cancel,
                      const std::function<void(int status)>& on_start,
                      const std::function<bool(std::string_view data)>& on_data) override {
    std::string host = endpoint.host.find(':') != std::string::npos ? StrCat("[", endpoint.host, "]") : endpoint.host;
    httplib::SSLClient client(endpoint.host, endpoint.port, cert_, key_);
    client.enable_server_certificate_verification(false);
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(static_cast<time_t>(absl::ToInt64Seconds(read_timeout)), 0);
    // Stopping the client shuts its socket down, which ends a read blocked on a silent kubelet.
    cancel.Set([&client] { client.stop(); });
    struct ClearOnExit {
      Cancellation& c;
      ~ClearOnExit() { c.Clear(); }
    } clear{cancel};
    if (cancel.cancelled()) return absl::CancelledError("the client went away");
    bool started = false;
    auto result = client.Get(
        path_and_query,
        [&](const httplib::Response& response) {
          started = true;
          on_start(response.status);
          return true;
        },
        [&](const char* data, size_t length) { return on_data(std::string_view(data, length)); });
    if (!result && !started) {
      return absl::UnavailableError(StrCat("Get \"https://", host, ":", endpoint.port, path_and_query,
                                           "\": ", httplib::to_string(result.error())));
    }
    return absl::OkStatus();
  }

 private:
  std::string cert_;
  std::string key_;
};

}  // namespace

absl::StatusOr<KubeletEndpoint> KubeletEndpointOf(const json::Value& node) {
  KubeletEndpoint out;
  if (const json::Value* port = node.FindPath({"status", "daemonEndpoints", "kubeletEndpoint", "Port"});
      port != nullptr && port->AsInt64() && *port->AsInt64() > 0) {
    out.port = static_cast<int>(*port->AsInt64());
  }
  const json::Value* addresses = node.FindPath({"status", "addresses"});
  for (const char* type : {"InternalIP", "ExternalIP", "Hostname", "InternalDNS", "ExternalDNS"}) {
    if (addresses == nullptr || !addresses->is_array()) break;
    for (const json::Value& a : addresses->AsArray()) {
      if (a.GetString({"type"}) == type && !a.GetString({"address"}).empty()) {
        out.host = a.GetString({"address"});
        return out;
      }
    }
  }
  return absl::NotFoundError(StrCat("no preferred addresses found; known addresses: none (node ",
                                    node.GetString({"metadata", "name"}), ")"));
}

std::unique_ptr<KubeletClient> NewHttpsKubeletClient(std::string client_certificate_file, std::string client_key_file) {
  return std::make_unique<HttpsKubeletClient>(std::move(client_certificate_file), std::move(client_key_file));
}

}  // namespace cubelet::apiserver
