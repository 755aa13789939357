#include "common/strings.h"
#include "common/duration.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace cubelet {
namespace {

absl::Status BadDuration(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(StrCat("invalid duration \"", text, "\": ", why));
}

}  // namespace

absl::StatusOr<absl::Duration> ParseGoDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return BadDuration(text, "empty");
  absl::Duration total = absl::ZeroDuration();
  while (!s.empty()) {
    // Number: digits with an optional fraction.
    size_t i = 0;
    int64_t whole = 0;
    bool any_digit = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (whole > (INT64_MAX - 9) / 10) return BadDuration(text, "overflow");
      whole = whole * 10 + (s[i] - '0');
      ++i;
      any_digit = true;
    }
    double fraction = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        fraction += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        any_digit = true;
      }
    }
    if (!any_digit) return BadDuration(text, "expected a number");
    size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    const std::string_view unit = s.substr(i, u - i);
    absl::Duration per;
    if (unit == "ns") per = absl::Nanoseconds(1);
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") per = absl::Microseconds(1);
    else if (unit == "ms") per = absl::Milliseconds(1);
    else if (unit == "s") per = absl::Seconds(1);
    else if (unit == "m") per = absl::Minutes(1);
    else if (unit == "h") per = absl::Hours(1);
    else if (unit.empty()) return BadDuration(text, "missing unit (one of ns, us, ms, s, m, h)");
    else return BadDuration(text, StrCat("unknown unit \"", unit, "\""));
    total += per * whole + per * fraction;
    s.remove_prefix(u);
  }
  return negative ? -total : total;
}

std::string FormatGoDuration(absl::Duration d) {
  if (d == absl::ZeroDuration()) return "0s";
  std::string sign;
  if (d < absl::ZeroDuration()) {
    sign = "-";
    d = -d;
  }
  if (d < absl::Seconds(1)) {
    // Below a second Go picks the largest unit that keeps the number >= 1.
    const int64_t ns = absl::ToInt64Nanoseconds(d);
    auto fmt = [&](int64_t per, std::string_view unit) {
      std::string out = StrCat(ns / per);
      int64_t rem = ns % per;
      if (rem != 0) {
        std::string frac = StrCat(per + rem).substr(1);
        while (!frac.empty() && frac.back() == '0') frac.pop_back();
        StrAppend(&out, ".", frac);
      }
      return StrCat(sign, out, unit);
    };
    if (ns < 1000) return fmt(1, "ns");
    if (ns < 1000000) return fmt(1000, "\xC2\xB5s");
    return fmt(1000000, "ms");
  }
  const int64_t total_ns = absl::ToInt64Nanoseconds(d);
  const int64_t hours = total_ns / 3600000000000LL;
  const int64_t minutes = (total_ns / 60000000000LL) % 60;
  const int64_t sec_ns = total_ns % 60000000000LL;
  std::string out = sign;
  if (hours > 0) StrAppend(&out, hours, "h");
  if (hours > 0 || minutes > 0) StrAppend(&out, minutes, "m");
  StrAppend(&out, sec_ns / 1000000000LL);
  if (int64_t rem = sec_ns % 1000000000LL; rem != 0) {
    std::string frac = StrCat(1000000000LL + rem).substr(1);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    StrAppend(&out, ".", frac);
  }
  StrAppend(&out, "s");
  return out;
}

}  // namespace cubelet
