// Owns: reading a finished container's termination message as upstream does: the file at
// terminationMessagePath (at most 4096 bytes) and, with FallbackToLogsOnError, the tail of the
// container's CRI log (80 lines, 2048 bytes) when the file is empty and the container failed.
#pragma once

#include <cstddef>
#include <string>

namespace cubelet::kuberuntime {

inline constexpr size_t kMaxTerminationMessageBytes = 4096;
inline constexpr size_t kMaxTerminationMessageLogLines = 80;
inline constexpr size_t kMaxTerminationMessageLogBytes = 2048;

// Reads the host side of the termination message file; "" when missing.
std::string ReadTerminationMessageFile(const std::string& host_path);

// The last lines of a CRI-format log file ("<time> <stream> <P|F> <text>"), tags stripped.
std::string TailCriLog(const std::string& log_path, size_t max_lines, size_t max_bytes);

}  // namespace cubelet::kuberuntime
