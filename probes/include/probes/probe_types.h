// Owns: cubelet_probes, liveness/readiness/startup probing. This header: the vocabulary shared
// by the prober and its users (probe kinds and results), as upstream's prober/results package.
// Does not own: what a result does to a pod (the pod workers decide).
#pragma once

namespace cubelet::probes {

enum class ProbeType { kLiveness, kReadiness, kStartup };

// kWarning counts as success (an HTTP redirect to another host); kUnknown as failure.
enum class ProbeResult { kSuccess, kWarning, kFailure, kUnknown };

// "Liveness", "Readiness", "Startup": the words upstream's events and metrics use.
const char* ToString(ProbeType type);
// "successful", "failed", "unknown": upstream's prober_probe_total result label.
const char* MetricLabel(ProbeResult result);

inline bool IsSuccess(ProbeResult r) { return r == ProbeResult::kSuccess || r == ProbeResult::kWarning; }

}  // namespace cubelet::probes
