// Owns: the API server's calls to kubelets (upstream pkg/kubelet/client): finding a node's
// kubelet endpoint (an address in kubeadm's --kubelet-preferred-address-types order, the port
// from status.daemonEndpoints.kubeletEndpoint) and streaming /containerLogs over HTTPS with the
// API server's kubelet client certificate.
// Does not own: exec/attach/port-forward upgrades (later roadmap).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "apiserver/long_running.h"
#include "json/value.h"

namespace cubelet::apiserver {

struct KubeletEndpoint {
  std::string host;
  int port = 10250;
};

// The kubelet endpoint of a Node object: InternalIP, ExternalIP, Hostname, InternalDNS,
// ExternalDNS, in that order (kubeadm's preference: node host names often do not resolve).
absl::StatusOr<KubeletEndpoint> KubeletEndpointOf(const json::Value& node);

class KubeletClient {
 public:
  virtual ~KubeletClient() = default;
  // GETs `path_and_query` from the kubelet and hands the body to `on_data` as it arrives until
  // it ends, `on_data` returns false, `cancel` is cancelled, or nothing arrives for
  // `read_timeout`. `on_start` gets the HTTP status first (non-200 bodies are passed to on_data
  // too). Errors are connection failures. Blocks the calling thread.
  virtual absl::Status Stream(const KubeletEndpoint& endpoint, const std::string& path_and_query,
                              absl::Duration read_timeout, Cancellation& cancel,
                              const std::function<void(int status)>& on_start,
                              const std::function<bool(std::string_view data)>& on_data) = 0;
};

// HTTPS with the client certificate and key files; the kubelet's serving certificate is not
// verified (upstream's default without --kubelet-certificate-authority).
std::unique_ptr<KubeletClient> NewHttpsKubeletClient(std::string client_certificate_file, std::string client_key_file);

}  // namespace cubelet::apiserver
