// Services (NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide SELECTOR) and Endpoints (NAME
// ENDPOINTS AGE), as upstream printService and printEndpoints. The server always prints the
// wide form, so load-balancer addresses are never clipped.
#include <set>

#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "printers/cells.h"
#include "printers/descriptions.h"
#include "printers/kinds.h"

namespace cubelet::printers {
namespace {

std::vector<std::string> Strings(const json::Array& items) {
  std::vector<std::string> out;
  for (const json::Value& v : items) {
    if (v.is_string()) out.push_back(v.AsString());
  }
  return out;
}

// Stored services are defaulted; a missing type reads as the default, ClusterIP.
std::string ServiceType(const json::Value& svc) {
  std::string type = Str(svc, {"spec", "type"});
  return type.empty() ? "ClusterIP" : type;
}

std::string ExternalIP(const json::Value& svc) {
  const std::string type = ServiceType(svc);
  const std::vector<std::string> external_ips = Strings(Arr(svc, {"spec", "externalIPs"}));
  if (type == "ClusterIP" || type == "NodePort") {
    return external_ips.empty() ? "<none>" : absl::StrJoin(external_ips, ",");
  }
  if (type == "LoadBalancer") {
    std::set<std::string> ingress;
    for (const json::Value& i : Arr(svc, {"status", "loadBalancer", "ingress"})) {
      if (std::string ip = Str(i, {"ip"}); !ip.empty()) {
        ingress.insert(ip);
      } else if (std::string host = Str(i, {"hostname"}); !host.empty()) {
        ingress.insert(host);
      }
    }
    std::vector<std::string> all(ingress.begin(), ingress.end());
    if (!external_ips.empty()) {
      all.insert(all.end(), external_ips.begin(), external_ips.end());
      return absl::StrJoin(all, ",");
    }
    return all.empty() ? "<pending>" : absl::StrJoin(all, ",");
  }
  if (type == "ExternalName") return Str(svc, {"spec", "externalName"});
  return "<unknown>";
}

// "80/TCP,443:30443/TCP"; protocols default to TCP as on a stored object.
std::string PortString(const json::Value& svc) {
  std::vector<std::string> pieces;
  for (const json::Value& p : Arr(svc, {"spec", "ports"})) {
    std::string protocol = Str(p, {"protocol"});
    if (protocol.empty()) protocol = "TCP";
    const int64_t node_port = Int(p, {"nodePort"});
    pieces.push_back(node_port > 0 ? StrCat(Int(p, {"port"}), ":", node_port, "/", protocol)
                                   : StrCat(Int(p, {"port"}), "/", protocol));
  }
  return pieces.empty() ? "<none>" : absl::StrJoin(pieces, ",");
}

std::vector<json::Value> ServiceCells(const json::Value& svc, absl::Time now) {
  std::string cluster_ip = "<none>";
  if (const json::Array& ips = Arr(svc, {"spec", "clusterIPs"}); !ips.empty() && ips[0].is_string()) {
    cluster_ip = ips[0].AsString();
  } else if (std::string ip = Str(svc, {"spec", "clusterIP"}); !ip.empty()) {
    cluster_ip = ip;  // conversion fills clusterIPs from clusterIP
  }
  return {Str(svc, {"metadata", "name"}), ServiceType(svc), cluster_ip, ExternalIP(svc), PortString(svc),
          Age(svc, now), FormatLabels(StringMap(svc, {"spec", "selector"}))};
}

// net.JoinHostPort: IPv6 addresses are bracketed.
std::string JoinHostPort(const std::string& host, int64_t port) {
  if (host.find(':') != std::string::npos) return StrCat("[", host, "]:", port);
  return StrCat(host, ":", port);
}

// formatEndpoints: at most three "ip:port" (or bare IPs for port-less subsets), then
// " + N more...".
std::string FormatEndpoints(const json::Value& endpoints) {
  const json::Array& subsets = Arr(endpoints, {"subsets"});
  if (subsets.empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  size_t count = 0;
  for (const json::Value& ss : subsets) {
    const json::Array& addresses = Arr(ss, {"addresses"});
    const json::Array& ports = Arr(ss, {"ports"});
    if (ports.empty()) {
      count += addresses.size();
      for (const json::Value& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(Str(a, {"ip"}));
      }
      continue;
    }
    for (const json::Value& port : ports) {
      count += addresses.size();
      for (const json::Value& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(JoinHostPort(Str(a, {"ip"}), Int(port, {"port"})));
      }
    }
  }
  std::string joined = absl::StrJoin(list, ",");
  return more ? StrCat(joined, " + ", count - kMax, " more...") : joined;
}

std::vector<json::Value> EndpointsCells(const json::Value& endpoints, absl::Time now) {
  return {Str(endpoints, {"metadata", "name"}), FormatEndpoints(endpoints), Age(endpoints, now)};
}

}  // namespace

const TablePrinter& ServicePrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          NameColumn(),
          MakeColumn("Type", "string", descriptions::kServiceType),
          MakeColumn("Cluster-IP", "string", descriptions::kServiceClusterIP),
          MakeColumn("External-IP", "string", descriptions::kServiceExternalIPs),
          MakeColumn("Port(s)", "string", descriptions::kServicePorts),
          AgeColumn(),
          MakeColumn("Selector", "string", descriptions::kServiceSelector, 1),
      },
      ServiceCells);
  return *printer;
}

const TablePrinter& EndpointsPrinter() {
  static const ColumnPrinter* const printer = new ColumnPrinter(
      {
          NameColumn(),
          MakeColumn("Endpoints", "string", descriptions::kEndpointsSubsets),
          AgeColumn(),
      },
      EndpointsCells);
  return *printer;
}

}  // namespace cubelet::printers
