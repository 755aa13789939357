#include "admission/ip_range.h"

#include <arpa/inet.h>

#include "common/strings.h"

namespace cubelet::admission {

std::optional<uint32_t> ParseIPv4(std::string_view text) {
  if (text.empty() || text.size() > 15) return std::nullopt;
  std::string copy(text);
  struct in_addr addr {};
  if (inet_pton(AF_INET, copy.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::string FormatIPv4(uint32_t ip) {
  return StrCat((ip >> 24) & 0xff, ".", (ip >> 16) & 0xff, ".", (ip >> 8) & 0xff, ".", ip & 0xff);
}

absl::StatusOr<IpRange> ParseIpRange(std::string_view cidr) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(StrCat("service cluster IP range \"", cidr, "\" is not an IPv4 CIDR"));
  };
  size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return invalid();
  auto base = ParseIPv4(cidr.substr(0, slash));
  std::string_view bits_text = cidr.substr(slash + 1);
  if (!base || bits_text.empty() || bits_text.size() > 2) return invalid();
  int bits = 0;
  for (char c : bits_text) {
    if (c < '0' || c > '9') return invalid();
    bits = bits * 10 + (c - '0');
  }
  if (bits > 32) return invalid();
  const uint64_t size = uint64_t{1} << (32 - bits);
  const uint32_t network = bits == 0 ? 0 : (*base & ~static_cast<uint32_t>(size - 1));
  IpRange range;
  range.cidr = std::string(cidr);
  if (size <= 2) {
    // /31 and /32 have no network or broadcast address to leave out.
    range.first = network;
    range.last = static_cast<uint32_t>(network + size - 1);
  } else {
    range.first = network + 1;
    range.last = static_cast<uint32_t>(network + size - 2);
  }
  return range;
}

}  // namespace cubelet::admission
