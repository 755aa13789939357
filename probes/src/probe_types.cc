#include "probes/probe_types.h"

namespace cubelet::probes {

const char* ToString(ProbeType type) {
  switch (type) {
    case ProbeType::kLiveness: return "Liveness";
    case ProbeType::kReadiness: return "Readiness";
    case ProbeType::kStartup: return "Startup";
  }
  return "Unknown";
}

const char* MetricLabel(ProbeResult result) {
  switch (result) {
    case ProbeResult::kSuccess:
    case ProbeResult::kWarning: return "successful";
    case ProbeResult::kFailure: return "failed";
    case ProbeResult::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace cubelet::probes
