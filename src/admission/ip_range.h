// Owns: the IPv4 service CIDR (--service-cluster-ip-range): parsing it, which addresses the
// allocator may hand out (upstream excludes the network and broadcast addresses), and turning
// addresses into text and back.
// Does not own: who holds an address (allocations.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cubelet::admission {

// Dotted-quad IPv4 text to a number (host order); nullopt for anything else.
std::optional<uint32_t> ParseIPv4(std::string_view text);
std::string FormatIPv4(uint32_t ip);

struct IpRange {
  std::string cidr;    // as configured, for messages ("10.0.0.0/24")
  uint32_t first = 0;  // the lowest address handed out (network + 1)
  uint32_t last = 0;   // the highest (broadcast - 1)

  bool Contains(uint32_t ip) const { return ip >= first && ip <= last; }
};

// InvalidArgument naming the text when it is not an IPv4 CIDR with at least one usable address.
absl::StatusOr<IpRange> ParseIpRange(std::string_view cidr);

}  // namespace cubelet::admission
