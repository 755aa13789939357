// Owns: Go's time.Duration text form ("1m30s", "100ms", "2h"), which Kubernetes configuration
// files and flags use for every duration.
// Does not own: Quantity parsing (the API model does).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cubelet {

// Parses a Go duration: an optional sign and a sequence of decimal numbers with units
// ns, us, µs, ms, s, m, h ("0" alone is allowed). InvalidArgument names the bad text.
absl::StatusOr<absl::Duration> ParseGoDuration(std::string_view text);

// Formats as Go's Duration.String() does: "2m0s", "10s", "1.5s", "100ms", "0s".
std::string FormatGoDuration(absl::Duration d);

}  // namespace cubelet
