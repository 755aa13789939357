#include "admission/service_allocator.h"

#include <utility>
#include <vector>

#include "admission/request_util.h"
#include "apierrors/apierrors.h"
#include "authz/go_quote.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::admission {
namespace {

AllocationOwner OwnerOf(const Request& request, const json::Value& service) {
  std::string ns = service.GetString({"metadata", "namespace"});
  if (ns.empty()) ns = request.namespace_;
  return {ns, service.GetString({"metadata", "name"}), service.GetString({"metadata", "uid"})};
}

std::optional<int64_t> NodePortOf(const json::Value* v) {
  if (v == nullptr) return std::nullopt;
  auto n = v->AsInt64();
  if (!n || *n == 0) return std::nullopt;
  return n;
}

std::vector<int64_t> NodePortsOf(const json::Value& service) {
  std::vector<int64_t> out;
  const json::Value* ports = service.FindPath({"spec", "ports"});
  if (ports != nullptr && ports->is_array()) {
    for (const json::Value& p : ports->AsArray()) {
      if (auto n = NodePortOf(p.Find("nodePort"))) out.push_back(*n);
    }
  }
  return out;
}

std::optional<int64_t> HealthCheckPortOf(const json::Value& service) {
  return NodePortOf(service.FindPath({"spec", "healthCheckNodePort"}));
}

bool UsesIp(const json::Value& service, std::string_view item) {
  if (auto ip = ParseIPv4(service.GetString({"spec", "clusterIP"})); ip && FormatIPv4(*ip) == item) return true;
  const json::Value* ips = service.FindPath({"spec", "clusterIPs"});
  if (ips == nullptr || !ips->is_array()) return false;
  for (const json::Value& v : ips->AsArray()) {
    if (!v.is_string()) continue;
    if (auto ip = ParseIPv4(v.AsString()); ip && FormatIPv4(*ip) == item) return true;
  }
  return false;
}

bool UsesPort(const json::Value& service, int64_t port) {
  for (int64_t p : NodePortsOf(service)) {
    if (p == port) return true;
  }
  auto hc = HealthCheckPortOf(service);
  return hc && *hc == port;
}

bool UsesPortItem(const json::Value& service, std::string_view item) {
  int64_t port = 0;
  for (char c : item) {
    if (c < '0' || c > '9') return false;
    port = port * 10 + (c - '0');
  }
  return UsesPort(service, port);
}

std::string TypeOf(const json::Value& service) {
  std::string type = service.GetString({"spec", "type"});
  return type.empty() ? "ClusterIP" : type;
}

bool NeedsClusterIp(const json::Value& service) { return TypeOf(service) != "ExternalName"; }

bool NeedsNodePorts(const json::Value& service) {
  std::string type = TypeOf(service);
  if (type == "NodePort") return true;
  if (type != "LoadBalancer") return false;
  const json::Value* allocate = service.FindPath({"spec", "allocateLoadBalancerNodePorts"});
  return allocate == nullptr || !allocate->is_bool() || allocate->AsBool();
}

bool NeedsHealthCheckPort(const json::Value& service) {
  return TypeOf(service) == "LoadBalancer" && service.GetString({"spec", "externalTrafficPolicy"}) == "Local";
}

absl::Status InvalidService(const json::Value& service, apierrors::Cause cause) {
  return apierrors::Invalid("", "Service", service.GetString({"metadata", "name"}), {std::move(cause)});
}

// Upstream reports allocation failures against the whole clusterIPs list, printed as Go does.
absl::Status InvalidClusterIps(const json::Value& service, std::string_view ip, std::string_view detail) {
  return InvalidService(
      service, {apierrors::kFieldValueInvalid, StrCat("Invalid value: []string{", authz::GoQuote(ip), "}: ", detail),
                "spec.clusterIPs"});
}

// Upstream's dropTypeDependentFields: when the new type no longer needs a field and the client
// left it as it was, it is cleared rather than refused.
void DropTypeDependentFields(json::Value* service, const json::Value& old) {
  json::Value& spec = service->Ensure({"spec"});
  if (NeedsClusterIp(old) && !NeedsClusterIp(*service) &&
      spec.GetString({"clusterIP"}) == old.GetString({"spec", "clusterIP"})) {
    spec.Erase("clusterIP");
    spec.Erase("clusterIPs");
  }
  if (NeedsNodePorts(old) && !NeedsNodePorts(*service) && NodePortsOf(*service) == NodePortsOf(old)) {
    if (json::Value* ports = spec.Find("ports"); ports != nullptr && ports->is_array()) {
      for (json::Value& p : ports->AsArray()) {
        if (p.is_object()) p.Erase("nodePort");
      }
    }
  }
  if (NeedsHealthCheckPort(old) && !NeedsHealthCheckPort(*service) &&
      HealthCheckPortOf(*service) == HealthCheckPortOf(old)) {
    spec.Erase("healthCheckNodePort");
  }
}

}  // namespace

// What one Admit claimed, undone when a later step of the same Admit fails.
class ServiceAllocator::Transaction {
 public:
  void Add(const Allocations* where, Claim claim) { claims_.emplace_back(where, std::move(claim)); }
  void Rollback() {
    for (const auto& [where, claim] : claims_) where->Release(claim);
    claims_.clear();
  }

 private:
  std::vector<std::pair<const Allocations*, Claim>> claims_;
};

ServiceAllocator::ServiceAllocator(const ObjectLookup* lookup, storage::Store* store, const Clock* clock,
                                   ServiceNetwork network, absl::Duration grace)
    : network_(std::move(network)),
      range_(ParseIpRange(network_.cluster_ip_range)),
      ips_(store, lookup, clock, kIpAllocationPrefix, grace, UsesIp),
      ports_(store, lookup, clock, kPortAllocationPrefix, grace, UsesPortItem) {}

absl::Status ServiceAllocator::Admit(const Request& request, json::Value* service, const json::Value* old) const {
  if (!IsResource(request, "", "services") || !request.subresource.empty() || service == nullptr) {
    return absl::OkStatus();
  }
  if (request.operation != Operation::kCreate && request.operation != Operation::kUpdate) return absl::OkStatus();
  if (old != nullptr) DropTypeDependentFields(service, *old);
  Transaction txn;
  absl::Status s = AssignClusterIp(request, service, old, &txn);
  if (s.ok()) s = AssignNodePorts(request, service, old, &txn);
  if (!s.ok()) txn.Rollback();
  return s;
}

absl::Status ServiceAllocator::AssignClusterIp(const Request& request, json::Value* service, const json::Value* old,
                                               Transaction* txn) const {
  if (!NeedsClusterIp(*service)) return absl::OkStatus();
  json::Value& spec = service->Ensure({"spec"});
  std::string ip = spec.GetString({"clusterIP"});
  std::vector<std::string> listed;
  if (const json::Value* ips = spec.Find("clusterIPs"); ips != nullptr && ips->is_array()) {
    for (const json::Value& v : ips->AsArray()) listed.push_back(v.is_string() ? v.AsString() : "");
  }
  if (listed.size() > 1) {
    return InvalidService(*service, apierrors::InvalidCause("spec.clusterIPs[1]", json::Value(listed[1]),
                                                            "this cluster serves a single IP family (IPv4)"));
  }
  if (ip.empty() && !listed.empty()) {
    ip = listed[0];
  } else if (!ip.empty() && !listed.empty() && listed[0] != ip) {
    return InvalidService(*service, apierrors::InvalidCause("spec.clusterIPs[0]", json::Value(listed[0]),
                                                            "must match `clusterIP` when both are specified"));
  }
  auto set_ip = [&](const std::string& value) {
    spec.Set("clusterIP", value);
    spec.Set("clusterIPs", json::Array{json::Value(value)});
  };
  if (ip == "None") {
    set_ip(ip);
    return absl::OkStatus();
  }
  // A Service that holds an address keeps it, also when the client sends none (upstream's
  // patchAllocatedValues); a different one is the strategy's to refuse.
  if (old != nullptr && !old->GetString({"spec", "clusterIP"}).empty()) {
    set_ip(ip.empty() ? old->GetString({"spec", "clusterIP"}) : ip);
    return absl::OkStatus();
  }
  if (!range_.ok()) return apierrors::InternalError(ToStd(range_.status().message()));
  const IpRange& range = *range_;
  const AllocationOwner owner = OwnerOf(request, *service);
  if (ip.empty()) {
    // The first address is the kubernetes Service's, as upstream's bootstrap controller has it.
    const bool is_kubernetes = owner.namespace_ == "default" && owner.name == "kubernetes";
    auto skip = [&](int64_t i) { return !is_kubernetes && i == range.first && range.last > range.first; };
    ASSIGN_OR_RETURN(std::optional<Claim> claim,
                     ips_.ClaimFirst(
                         range.first, range.last, [](int64_t i) { return FormatIPv4(static_cast<uint32_t>(i)); }, skip,
                         owner, request.dry_run));
    if (!claim) return apierrors::InternalError("failed to allocate a serviceIP: range is full");
    set_ip(claim->item);
    txn->Add(&ips_, *claim);
    return absl::OkStatus();
  }
  std::optional<uint32_t> parsed = ParseIPv4(ip);
  if (!parsed) {
    return InvalidService(*service,
                          apierrors::InvalidCause("spec.clusterIPs[0]", json::Value(ip),
                                                  "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  }
  if (!range.Contains(*parsed)) {
    return InvalidClusterIps(*service, ip,
                             StrCat("failed to allocate IP ", ip, ": the provided IP (", ip,
                                    ") is not in the valid range. The range of valid IPs is ", range.cidr));
  }
  Claim claim;
  ASSIGN_OR_RETURN(Allocations::Outcome outcome, ips_.ClaimItem(FormatIPv4(*parsed), owner, request.dry_run, &claim));
  if (outcome == Allocations::Outcome::kTaken) {
    return InvalidClusterIps(*service, ip, StrCat("failed to allocate IP ", ip, ": provided IP is already allocated"));
  }
  if (outcome == Allocations::Outcome::kClaimed) txn->Add(&ips_, claim);
  set_ip(ip);
  return absl::OkStatus();
}

absl::Status ServiceAllocator::AssignNodePorts(const Request& request, json::Value* service, const json::Value* old,
                                               Transaction* txn) const {
  json::Value& spec = service->Ensure({"spec"});
  if (NeedsNodePorts(*service)) {
    json::Value* ports = spec.Find("ports");
    if (ports != nullptr && ports->is_array()) {
      json::Array& items = ports->AsArray();
      for (size_t i = 0; i < items.size(); ++i) {
        json::Value& port = items[i];
        if (!port.is_object()) continue;
        std::optional<int64_t> wanted = NodePortOf(port.Find("nodePort"));
        if (!wanted && old != nullptr) {
          // An update that omits a port's nodePort keeps the one the same port already has.
          const json::Value* old_ports = old->FindPath({"spec", "ports"});
          if (old_ports != nullptr && old_ports->is_array()) {
            for (const json::Value& o : old_ports->AsArray()) {
              if (o.Find("port") != nullptr && port.Find("port") != nullptr && *o.Find("port") == *port.Find("port") &&
                  o.GetString({"protocol"}, "TCP") == port.GetString({"protocol"}, "TCP")) {
                wanted = NodePortOf(o.Find("nodePort"));
                break;
              }
            }
          }
          if (wanted) {
            port.Set("nodePort", *wanted);
            continue;
          }
        }
        if (wanted && old != nullptr && UsesPort(*old, *wanted)) continue;
        ASSIGN_OR_RETURN(int64_t assigned,
                         ClaimPort(request, *service, StrCat("spec.ports[", i, "].nodePort"), wanted, txn));
        port.Set("nodePort", assigned);
      }
    }
  }
  if (NeedsHealthCheckPort(*service)) {
    std::optional<int64_t> wanted = HealthCheckPortOf(*service);
    std::optional<int64_t> kept = old != nullptr ? HealthCheckPortOf(*old) : std::nullopt;
    if (!wanted && kept) {
      spec.Set("healthCheckNodePort", *kept);
    } else if (!(wanted && old != nullptr && UsesPort(*old, *wanted))) {
      ASSIGN_OR_RETURN(int64_t assigned, ClaimPort(request, *service, "spec.healthCheckNodePort", wanted, txn));
      spec.Set("healthCheckNodePort", assigned);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ServiceAllocator::ClaimPort(const Request& request, const json::Value& service,
                                                    std::string_view field, std::optional<int64_t> requested,
                                                    Transaction* txn) const {
  const AllocationOwner owner = OwnerOf(request, service);
  if (!requested) {
    ASSIGN_OR_RETURN(std::optional<Claim> claim,
                     ports_.ClaimFirst(
                         network_.node_port_min, network_.node_port_max, [](int64_t i) { return std::to_string(i); },
                         nullptr, owner, request.dry_run));
    if (!claim) return apierrors::InternalError("failed to allocate a nodePort: range is full");
    txn->Add(&ports_, *claim);
    return std::stoll(claim->item);
  }
  if (*requested < network_.node_port_min || *requested > network_.node_port_max) {
    return InvalidService(
        service, apierrors::InvalidCause(field, json::Value(*requested),
                                         StrCat("provided port is not in the valid range. The range of valid ports is ",
                                                network_.node_port_min, "-", network_.node_port_max)));
  }
  Claim claim;
  // A port this Service already holds (another of its ports, or an earlier attempt) is kAlreadyHeld.
  ASSIGN_OR_RETURN(Allocations::Outcome outcome,
                   ports_.ClaimItem(std::to_string(*requested), owner, request.dry_run, &claim));
  if (outcome == Allocations::Outcome::kTaken) {
    return InvalidService(
        service, apierrors::InvalidCause(field, json::Value(*requested), "provided port is already allocated"));
  }
  if (outcome == Allocations::Outcome::kClaimed) txn->Add(&ports_, claim);
  return *requested;
}

void ServiceAllocator::Abandon(const Request& request, const json::Value& service) const {
  if (!IsResource(request, "", "services") || !request.subresource.empty() || request.operation != Operation::kCreate ||
      request.dry_run) {
    return;
  }
  const AllocationOwner owner = OwnerOf(request, service);
  if (auto ip = ParseIPv4(service.GetString({"spec", "clusterIP"}))) ips_.ReleaseIfHeld(FormatIPv4(*ip), owner);
  std::vector<int64_t> ports = NodePortsOf(service);
  if (auto hc = HealthCheckPortOf(service)) ports.push_back(*hc);
  for (int64_t p : ports) ports_.ReleaseIfHeld(std::to_string(p), owner);
}

}  // namespace cubelet::admission
