// Owns: cubelet-server's composition root: it builds and starts the parts in order (PKI, the
// store and its compactor, the resources with their watch caches, authentication,
// authorization, admission, controllers, discovery and OpenAPI, the HTTP handlers and the HTTPS
// server) and stops them in reverse. It holds no logic of its own.
// Does not own: any of those parts' behaviour.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "apiserver/server_options.h"
#include "common/clock.h"
#include "common/logger.h"
#include "registry/resource_set.h"
#include "storage/store.h"

namespace cubelet::apiserver {

class ApiServer {
 public:
  ~ApiServer();
  // Builds everything; errors name the file or setting that is wrong (a corrupt database, a
  // group-readable key, a port in use).
  static absl::StatusOr<std::unique_ptr<ApiServer>> Create(const ServerOptions& options, Clock* clock, Logger logger);

  // Serves HTTPS, creates the bootstrap objects and starts the controllers; /readyz turns ready
  // once the bootstrap namespaces exist.
  absl::Status Start();
  void Stop();

  int port() const;
  const std::string& admin_kubeconfig() const;
  storage::Store* store();
  // The served resources, for in-process clients (benchmarks driving the API without HTTP).
  registry::ResourceSet* resources();

 private:
  struct Parts;
  explicit ApiServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// GET /version as kube-apiserver answers it (version.Info, minor "32").
std::string VersionJson();

}  // namespace cubelet::apiserver
