// Owns: giving Services their cluster IP and node ports at admission (upstream
// pkg/registry/core/service/ipallocator and portallocator semantics, single-stack IPv4): a
// ClusterIP, NodePort or LoadBalancer Service without spec.clusterIP gets the lowest free
// address of the range (the first one only for default/kubernetes, as upstream reserves it),
// a requested address must be in the range and free, "None" is headless, ExternalName gets
// nothing; NodePort and LoadBalancer ports get the lowest free node port unless they name one,
// and a LoadBalancer with externalTrafficPolicy Local a healthCheckNodePort. On update, what the
// Service already holds is kept, added ports are allocated, and fields the type no longer needs
// are dropped when the client left them unchanged (upstream's dropTypeDependentFields).
// Does not own: the records themselves (allocations.h), field validation and clusterIP
// immutability (registry/'s service strategy).
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "admission/admission.h"
#include "admission/allocations.h"
#include "admission/ip_range.h"
#include "common/clock.h"

namespace cubelet::admission {

inline constexpr char kIpAllocationPrefix[] = "/registry/cubelet/ipallocations/";
inline constexpr char kPortAllocationPrefix[] = "/registry/cubelet/portallocations/";

// Thread-safe.
class ServiceAllocator {
 public:
  // `grace`: how long a fresh allocation is protected from reclaiming (see allocations.h).
  ServiceAllocator(const ObjectLookup* lookup, storage::Store* store, const Clock* clock, ServiceNetwork network,
                   absl::Duration grace);

  absl::Status Admit(const Request& request, json::Value* service, const json::Value* old) const;
  // Releases what Admit claimed for a create of `service` that did not happen.
  void Abandon(const Request& request, const json::Value& service) const;

 private:
  class Transaction;

  absl::Status AssignClusterIp(const Request& request, json::Value* service, const json::Value* old,
                               Transaction* txn) const;
  absl::Status AssignNodePorts(const Request& request, json::Value* service, const json::Value* old,
                               Transaction* txn) const;
  absl::StatusOr<int64_t> ClaimPort(const Request& request, const json::Value& service, std::string_view field,
                                    std::optional<int64_t> requested, Transaction* txn) const;

  const ServiceNetwork network_;
  const absl::StatusOr<IpRange> range_;
  Allocations ips_;
  Allocations ports_;
};

}  // namespace cubelet::admission
