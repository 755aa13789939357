// Owns: validation of a Pod as the API server's ValidatePodCreate does it, with upstream's
// field paths and messages ("spec.containers[1].name: Duplicate value: \"web\"").
// Does not own: kubelet admission (node resources, sysctls policy).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "api/types.h"

namespace cubelet::api {

// Every problem found, one message each; empty when the pod is valid.
std::vector<std::string> ValidatePod(const Pod& pod);

// InvalidArgument joining ValidatePod's messages with "; ", or OK.
absl::Status ValidatePodStatus(const Pod& pod);

// RFC 1123 label / subdomain checks, exposed for other validators.
bool IsDnsLabel(const std::string& s);
bool IsDnsSubdomain(const std::string& s);

// upstream's IsDNS1123Label / IsDNS1123Subdomain: one message per rule broken, empty when valid.
std::vector<std::string> DnsLabelErrors(const std::string& s);
std::vector<std::string> DnsSubdomainErrors(const std::string& s);

// Why `uid` cannot be a pod's metadata.uid on this node (cubelet builds host paths from it):
// empty, '/', ".", "..", NUL, control characters, over NAME_MAX bytes. Empty when usable.
// ValidatePod checks only a uid that is set (sources assign one to a pod that has none).
std::vector<std::string> UidErrors(const std::string& uid);

}  // namespace cubelet::api
