// Owns: the node facts the agent reads from the host: its IPs (capacity is cm::HostCapacity).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cubelet {

// --node-ip when given (comma-separated), else the IPv4 address of the interface of the default
// route, else the first non-loopback IPv4 address, else 127.0.0.1.
std::vector<std::string> DetectNodeIps(const std::string& node_ip_flag);

}  // namespace cubelet
