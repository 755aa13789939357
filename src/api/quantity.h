// Owns: the Kubernetes resource.Quantity: exact parsing of "500m", "1.5Gi", "2e3", "128974848",
// the canonical text form the API server writes back, and conversions to the integers that
// cgroups and the CRI take.
// Does not own: which quantities a resource name allows (validation does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cubelet::api {

class Quantity {
 public:
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  Quantity() = default;

  // InvalidArgument with upstream's message for text that is not a quantity, or "quantity is
  // too large" beyond about 10^27 (no int64 conversion could hold it).
  static absl::StatusOr<Quantity> Parse(std::string_view text);
  static Quantity FromInt(int64_t value, Format format = Format::kDecimalSI);
  static Quantity FromMilli(int64_t milli, Format format = Format::kDecimalSI);

  // Rounded up to a whole number, as upstream's Value() and MilliValue(); a value beyond int64
  // saturates at its max (or min) instead of wrapping. Validation refuses such values in a pod
  // (CheckedValue), so the kernel never sees a saturated one from a valid pod.
  int64_t Value() const;
  int64_t MilliValue() const;
  // The same, or nullopt when the rounded value does not fit int64.
  std::optional<int64_t> CheckedValue() const;
  std::optional<int64_t> CheckedMilliValue() const;
  bool IsZero() const { return nanos_ == 0; }
  Format format() const { return format_; }

  // Canonical form, as the API server writes it: "1Gi", "1536Mi", "500m", "1k", "0".
  std::string ToString() const;

  int Compare(const Quantity& other) const;
  bool operator==(const Quantity& o) const { return nanos_ == o.nanos_; }
  Quantity operator+(const Quantity& o) const;

 private:
  __int128 nanos_ = 0;  // value × 10^9, exact for every suffix down to "n"
  Format format_ = Format::kDecimalSI;
};

}  // namespace cubelet::api
