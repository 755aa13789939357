// Owns: the scalar value syntax shared by configuration files and flags: integers, booleans as
// Go's strconv.ParseBool reads them, and the Kubernetes quantity form ("10Mi", "500m", "1.5G").
#pragma once

#include <optional>
#include <string_view>

#include "absl/strings/numbers.h"

namespace cubelet::kubeletconfig {

template <typename Int>
bool ParseInteger(std::string_view text, Int* out) {
  return absl::SimpleAtoi(absl::string_view(text.data(), text.size()), out);
}

// 1, t, T, TRUE, true, True / 0, f, F, FALSE, false, False.
std::optional<bool> ParseBool(std::string_view text);

// True for a well-formed Kubernetes quantity: a signed decimal number (optionally with an
// exponent) followed by an optional suffix: Ki Mi Gi Ti Pi Ei, n u m k M G T P E.
bool IsQuantity(std::string_view text);

}  // namespace cubelet::kubeletconfig
