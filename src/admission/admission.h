// Owns: admission control of cubelet-server (upstream plugin/pkg/admission): the plugins that
// see every write after authorization and before the store, in upstream's order:
// NamespaceLifecycle (no objects in missing or terminating namespaces; default, kube-system
// and kube-public cannot be deleted), ServiceAccount (pods get serviceAccountName "default"
// unless they are mirror pods), NodeRestriction (a node may write only its own Node, Lease and
// CSINode, mirror pods of its own static pods without secret/configmap/service-account
// references, and status/deletion of its own pods; limited node labels), Priority (spec.priority
// from priorityClassName), DefaultTolerationSeconds (pods tolerate not-ready and unreachable
// for 300 s), and the service cluster-IP and node-port allocator.
// Does not own: who may call which verb (auth/authorizer.h), kind rules (registry/ strategies).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "auth/authenticator.h"
#include "json/value.h"
#include "registry/resource.h"
#include "storage/store.h"

namespace cubelet::admission {

enum class Operation { kCreate, kUpdate, kDelete, kConnect };

struct Request {
  const auth::UserInfo* user = nullptr;
  Operation operation = Operation::kCreate;
  const registry::ResourceInfo* resource = nullptr;
  std::string subresource;  // "", "status", "binding", "eviction", ...
  std::string namespace_;
  std::string name;
  bool dry_run = false;
};

// Reads current objects for plugins' decisions (the namespace of a request, a priority class,
// the node of a mirror pod). `group` "" is the core group; nullptr when absent.
class ObjectLookup {
 public:
  virtual ~ObjectLookup() = default;
  virtual std::shared_ptr<const json::Value> Get(std::string_view group, std::string_view resource,
                                                 std::string_view namespace_, std::string_view name) const = 0;
};

struct ServiceNetwork {
  std::string cluster_ip_range = "10.0.0.0/24";  // --service-cluster-ip-range (IPv4)
  int node_port_min = 30000;                     // --service-node-port-range
  int node_port_max = 32767;
};

// Thread-safe. Errors are apierrors Statuses (403 Forbidden, 404 NotFound, 422 Invalid, ...).
class Chain {
 public:
  virtual ~Chain() = default;
  // Mutating plugins, in order; `object` is the object to write (null for deletes), `old` the
  // stored one (null for creates).
  virtual absl::Status Admit(const Request& request, json::Value* object, const json::Value* old) const = 0;
  // Validating plugins; nothing may change any more.
  virtual absl::Status Validate(const Request& request, const json::Value* object, const json::Value* old) const = 0;
  // Releases what Admit allocated for a create that did not happen (a service's cluster IP).
  virtual void Abandon(const Request& request, const json::Value& object) const = 0;
};

// `store` keeps allocations (one key per cluster IP and node port, created with compare-and-swap,
// so several API servers on one etcd never hand out the same address). An allocation whose
// service no longer exists (or no longer has that address) is reclaimed when the allocator
// next meets it, so deletes need no bookkeeping and nothing leaks.
std::unique_ptr<Chain> NewChain(const ObjectLookup* lookup, storage::Store* store, ServiceNetwork network);

}  // namespace cubelet::admission
