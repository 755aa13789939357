#include "agent/node_info.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"

namespace cubelet {
namespace {

std::string DefaultRouteInterface() {
  std::ifstream in("/proc/net/route");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string iface, dest;
    f >> iface >> dest;
    if (dest == "00000000") return iface;
  }
  return "";
}

}  // namespace

std::vector<std::string> DetectNodeIps(const std::string& node_ip_flag) {
  if (!node_ip_flag.empty()) return absl::StrSplit(node_ip_flag, ',', absl::SkipEmpty());
  const std::string route_iface = DefaultRouteInterface();
  struct ifaddrs* addrs = nullptr;
  std::string first, on_route;
  if (::getifaddrs(&addrs) == 0) {
    for (auto* a = addrs; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
      if (a->ifa_flags & IFF_LOOPBACK) continue;
      char buf[INET_ADDRSTRLEN];
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof(buf));
      if (first.empty()) first = buf;
      if (on_route.empty() && route_iface == a->ifa_name) on_route = buf;
    }
    ::freeifaddrs(addrs);
  }
  if (!on_route.empty()) return {on_route};
  if (!first.empty()) return {first};
  return {"127.0.0.1"};
}

}  // namespace cubelet
