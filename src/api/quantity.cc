#include "api/quantity.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "common/strings.h"

namespace cubelet::api {
namespace {

constexpr __int128 kNano = 1000000000;

absl::Status BadQuantity() {
  return absl::InvalidArgumentError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

// base^exp; callers keep it within __int128 (1024^6 and 10^38 are the largest used).
__int128 Pow(__int128 base, int exp) {
  __int128 r = 1;
  while (exp-- > 0) r *= base;
  return r;
}

absl::Status TooLarge() { return absl::InvalidArgumentError("quantity is too large"); }

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  if (neg) v = -v;
  std::string s;
  while (v > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

// Divides rounding toward +infinity.
__int128 CeilDiv(__int128 a, __int128 b) {
  __int128 q = a / b;
  if (a % b != 0 && ((a > 0) == (b > 0))) ++q;
  return q;
}

// The largest magnitude kept, in nanos (about 1.3e27 base units, far above any int64 value), so
// that sums of a pod's quantities cannot overflow __int128 either.
constexpr __int128 kMax = static_cast<__int128>(1) << 120;

// `nanos` / `unit` rounded up, or nullopt when that does not fit int64.
std::optional<int64_t> CheckedCeil(__int128 nanos, __int128 unit) {
  const __int128 v = CeilDiv(nanos, unit);
  if (v > std::numeric_limits<int64_t>::max() || v < std::numeric_limits<int64_t>::min()) return std::nullopt;
  return static_cast<int64_t>(v);
}

int64_t Saturate(__int128 nanos, __int128 unit) {
  if (auto v = CheckedCeil(nanos, unit)) return *v;
  return nanos > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

}  // namespace

absl::StatusOr<Quantity> Quantity::Parse(std::string_view text) {
  if (text.empty()) return BadQuantity();
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  // Mantissa: digits with at most one point.
  __int128 mantissa = 0;
  int fraction_digits = 0;
  bool seen_point = false, any_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (mantissa > kMax / 10) return TooLarge();
      mantissa = mantissa * 10 + (c - '0');
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return BadQuantity();
  const std::string_view suffix = text.substr(i);
  Quantity q;
  __int128 multiplier_num = 1;  // value = mantissa × 10^-fraction × num / den
  int decimal_exp = 0;
  if (suffix.empty()) {
    q.format_ = Format::kDecimalSI;
  } else if (suffix == "Ki" || suffix == "Mi" || suffix == "Gi" || suffix == "Ti" || suffix == "Pi" || suffix == "Ei") {
    static constexpr std::string_view kBin = "KMGTPE";
    q.format_ = Format::kBinarySI;
    multiplier_num = Pow(1024, static_cast<int>(kBin.find(suffix[0])) + 1);
  } else if (suffix.size() == 1 && std::string_view("numkMGTPE").find(suffix[0]) != std::string_view::npos) {
    q.format_ = Format::kDecimalSI;
    switch (suffix[0]) {
      case 'n': decimal_exp = -9; break;
      case 'u': decimal_exp = -6; break;
      case 'm': decimal_exp = -3; break;
      case 'k': decimal_exp = 3; break;
      case 'M': decimal_exp = 6; break;
      case 'G': decimal_exp = 9; break;
      case 'T': decimal_exp = 12; break;
      case 'P': decimal_exp = 15; break;
      case 'E': decimal_exp = 18; break;
    }
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    q.format_ = Format::kDecimalExponent;
    size_t j = 1;
    bool neg_exp = false;
    if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) neg_exp = suffix[j++] == '-';
    if (j == suffix.size()) return BadQuantity();
    int e = 0;
    for (; j < suffix.size(); ++j) {
      if (suffix[j] < '0' || suffix[j] > '9') return BadQuantity();
      e = e * 10 + (suffix[j] - '0');
      if (e > 40) return absl::InvalidArgumentError("quantity exponent is out of range");
    }
    decimal_exp = neg_exp ? -e : e;
  } else {
    return absl::InvalidArgumentError(StrCat("unable to parse quantity's suffix"));
  }
  // nanos = mantissa × num × 10^(9 + decimal_exp - fraction_digits), rounded up when inexact.
  // mantissa <= 2^120 and num <= 2^60 can overflow __int128: checked, as every step below.
  __int128 v = 0;
  if (__builtin_mul_overflow(mantissa, multiplier_num, &v) || v > kMax) return TooLarge();
  const int exp10 = 9 + decimal_exp - fraction_digits;
  if (exp10 >= 0) {
    for (int k = 0; k < exp10; ++k) {
      if (v > kMax / 10) return TooLarge();
      v *= 10;
    }
  } else {
    // v < 2^121 < 10^38: dividing by 10^38 already rounds any non-zero value up to 1n.
    v = CeilDiv(v, Pow(10, std::min(-exp10, 38)));
  }
  q.nanos_ = negative ? -v : v;
  return q;
}

Quantity Quantity::FromInt(int64_t value, Format format) {
  Quantity q;
  q.nanos_ = static_cast<__int128>(value) * kNano;
  q.format_ = format;
  return q;
}

Quantity Quantity::FromMilli(int64_t milli, Format format) {
  Quantity q;
  q.nanos_ = static_cast<__int128>(milli) * 1000000;
  q.format_ = format;
  return q;
}

int64_t Quantity::Value() const { return Saturate(nanos_, kNano); }
int64_t Quantity::MilliValue() const { return Saturate(nanos_, 1000000); }
std::optional<int64_t> Quantity::CheckedValue() const { return CheckedCeil(nanos_, kNano); }
std::optional<int64_t> Quantity::CheckedMilliValue() const { return CheckedCeil(nanos_, 1000000); }

int Quantity::Compare(const Quantity& o) const { return nanos_ < o.nanos_ ? -1 : nanos_ > o.nanos_ ? 1 : 0; }

Quantity Quantity::operator+(const Quantity& o) const {
  // Each side is within ±kMax, so the sum fits; clamping keeps repeated sums (a node's pods)
  // within it too.
  Quantity q = *this;
  q.nanos_ = std::clamp(nanos_ + o.nanos_, -kMax, kMax);
  return q;
}

std::string Quantity::ToString() const {
  if (nanos_ == 0) return "0";
  const bool neg = nanos_ < 0;
  const __int128 abs = neg ? -nanos_ : nanos_;
  const std::string sign = neg ? "-" : "";
  if (format_ == Format::kBinarySI && abs % kNano == 0 && abs / kNano >= 1024) {
    // The largest binary suffix that keeps the number whole; below 1Ki binary falls to decimal.
    __int128 n = abs / kNano;
    static constexpr const char* kSuffix[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int k = 0;
    while (k < 6 && n % 1024 == 0) {
      n /= 1024;
      ++k;
    }
    return StrCat(sign, Int128ToString(n), kSuffix[k]);
  }
  if (format_ == Format::kBinarySI && abs % kNano == 0) return StrCat(sign, Int128ToString(abs / kNano));
  // Decimal: the largest SI suffix (n..E) or 10^3k exponent that keeps the number whole.
  __int128 n = abs;
  int exp3 = -3;  // n is in units of 10^(3·exp3)
  while (exp3 < 6 && n % 1000 == 0) {
    n /= 1000;
    ++exp3;
  }
  if (format_ == Format::kDecimalExponent) {
    return exp3 == 0 ? StrCat(sign, Int128ToString(n)) : StrCat(sign, Int128ToString(n), "e", exp3 * 3);
  }
  static constexpr const char* kDec[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
  return StrCat(sign, Int128ToString(n), kDec[exp3 + 3]);
}

}  // namespace cubelet::api
