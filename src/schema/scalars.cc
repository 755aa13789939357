#include "schema/scalars.h"

#include <array>
#include <cstdint>
#include <cstdio>

#include "common/strings.h"

namespace cubelet::schema {
namespace {

// ---- base64 ----

int Base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool IsNewline(char c) { return c == '\r' || c == '\n'; }

// Go's decodeQuantum: one group of four symbols starting at *si. Returns the offset of the
// error, -1 when the group is fine, and sets *done at the end of the input or after padding.
int64_t DecodeQuantum(std::string_view src, size_t* si, bool* done) {
  const size_t n = src.size();
  for (int j = 0; j < 4; ++j) {
    if (*si == n) {
      *done = true;
      // An incomplete group at the end: StdEncoding requires padding.
      return j == 0 ? -1 : static_cast<int64_t>(*si) - j;
    }
    const char in = src[(*si)++];
    if (Base64Value(static_cast<unsigned char>(in)) >= 0) continue;
    if (IsNewline(in)) {
      --j;
      continue;
    }
    if (in != '=') return static_cast<int64_t>(*si) - 1;
    // Padding: "==" after two symbols, "=" after three, then only newlines may follow.
    if (j < 2) return static_cast<int64_t>(*si) - 1;
    if (j == 2) {
      while (*si < n && IsNewline(src[*si])) ++*si;
      if (*si == n) return static_cast<int64_t>(n);
      if (src[*si] != '=') return static_cast<int64_t>(*si) - 1;
      ++*si;
    }
    while (*si < n && IsNewline(src[*si])) ++*si;
    *done = true;
    return *si < n ? static_cast<int64_t>(*si) : -1;
  }
  return -1;
}

// ---- time ----

bool IsDigit(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// Go's getnum: one or two digits (exactly two when `fixed`).
bool GetNum(std::string_view* s, bool fixed, int* out) {
  if (!IsDigit(*s, 0)) return false;
  if (!IsDigit(*s, 1)) {
    if (fixed) return false;
    *out = (*s)[0] - '0';
    s->remove_prefix(1);
    return true;
  }
  *out = ((*s)[0] - '0') * 10 + ((*s)[1] - '0');
  s->remove_prefix(2);
  return true;
}

// Go's atoi: optional sign, then digits only.
bool Atoi(std::string_view s, int64_t* out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (c - '0');
  }
  *out = negative ? -v : v;
  return true;
}

// Go's quote(): ASCII printable as is (with \" and \\ escaped), other bytes as \xNN.
std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x80 || c < ' ') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

bool IsLeap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysIn(int month, int64_t year) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

// ---- quantity ----

constexpr std::string_view kQuantityFormatWrong =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kQuantitySuffix = "unable to parse quantity's suffix";

bool IsSuffixChar(char c) { return std::string_view("eEinumkKMGTP").find(c) != std::string_view::npos; }

bool ValidSuffix(std::string_view s) {
  static constexpr std::array<std::string_view, 16> kSuffixes = {
      "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"};
  for (std::string_view k : kSuffixes) {
    if (s == k) return true;
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    int64_t exponent = 0;
    return Atoi(s.substr(1), &exponent);
  }
  return false;
}

}  // namespace

std::optional<std::string> CheckBase64(std::string_view text) {
  size_t si = 0;
  while (si < text.size()) {
    bool done = false;
    int64_t error = DecodeQuantum(text, &si, &done);
    if (error >= 0) return StrCat("illegal base64 data at input byte ", error);
    if (done) break;
  }
  return std::nullopt;
}

std::variant<std::string, TimeError> NormalizeTime(std::string_view text, bool micro) {
  const std::string_view layout = micro ? "2006-01-02T15:04:05.000000Z07:00" : "2006-01-02T15:04:05Z07:00";
  auto cannot_parse = [&](std::string_view value_elem, std::string_view layout_elem) {
    return TimeError{StrCat("parsing time ", GoQuote(text), " as ", GoQuote(layout), ": cannot parse ",
                            GoQuote(value_elem), " as ", GoQuote(layout_elem))};
  };
  auto message = [&](std::string_view what) { return TimeError{StrCat("parsing time ", GoQuote(text), what)}; };
  auto out_of_range = [&](std::string_view what) { return message(StrCat(": ", what, " out of range")); };

  std::string_view value = text;
  auto skip = [&](char c) {
    if (value.empty() || value[0] != c) return false;
    value.remove_prefix(1);
    return true;
  };
  int64_t year = 0;
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  int64_t offset = 0;

  // 2006
  if (value.size() < 4 || !IsDigit(value, 0) || !Atoi(value.substr(0, 4), &year)) return cannot_parse(value, "2006");
  value.remove_prefix(4);
  // -01
  if (!skip('-')) return cannot_parse(value, "-");
  std::string_view hold = value;
  if (!GetNum(&value, true, &month)) return cannot_parse(hold, "01");
  if (month <= 0 || month > 12) return out_of_range("month");
  // -02
  if (!skip('-')) return cannot_parse(value, "-");
  hold = value;
  if (!GetNum(&value, true, &day)) return cannot_parse(hold, "02");
  // T15
  if (!skip('T')) return cannot_parse(value, "T");
  hold = value;
  if (!GetNum(&value, false, &hour)) return cannot_parse(hold, "15");
  if (hour >= 24) return out_of_range("hour");
  // :04
  if (!skip(':')) return cannot_parse(value, ":");
  hold = value;
  if (!GetNum(&value, true, &minute)) return cannot_parse(hold, "04");
  if (minute >= 60) return out_of_range("minute");
  // :05
  if (!skip(':')) return cannot_parse(value, ":");
  hold = value;
  if (!GetNum(&value, true, &second)) return cannot_parse(hold, "05");
  if (second >= 60) return out_of_range("second");
  auto parse_fraction = [&](size_t nbytes) -> bool {
    if (value[0] != '.' && value[0] != ',') return false;
    std::string_view digits = value.substr(1, std::min<size_t>(nbytes, 10) - 1);
    int64_t ns = 0;
    if (!Atoi(digits, &ns)) return false;
    for (size_t i = digits.size(); i < 9; ++i) ns *= 10;
    nanos = ns;
    value.remove_prefix(nbytes);
    return true;
  };
  if (micro) {
    // .000000: exactly six digits.
    hold = value;
    if (value.size() < 7 || !parse_fraction(7)) return cannot_parse(hold, ".000000");
    if (nanos < 0) return out_of_range("fractional second");
  } else if (value.size() >= 2 && (value[0] == '.' || value[0] == ',') && IsDigit(value, 1)) {
    // A fraction the layout does not name is accepted after the seconds.
    size_t n = 2;
    while (IsDigit(value, n)) ++n;
    parse_fraction(n);
  }
  // Z07:00
  hold = value;
  if (!value.empty() && value[0] == 'Z') {
    value.remove_prefix(1);
  } else {
    if (value.size() < 6 || value[3] != ':') return cannot_parse(hold, "Z07:00");
    std::string_view hh = value.substr(1, 2), mm = value.substr(4, 2);
    int h = 0, m = 0;
    if (!GetNum(&hh, true, &h) || !GetNum(&mm, true, &m)) return cannot_parse(hold, "Z07:00");
    const char sign = value[0];
    value.remove_prefix(6);
    if (h > 24) return message(": time zone offset hour out of range");
    if (m > 60) return message(": time zone offset minute out of range");
    if (sign != '+' && sign != '-') return cannot_parse(hold, "Z07:00");
    offset = (h * 60 + m) * 60 * (sign == '-' ? -1 : 1);
  }
  if (!value.empty()) return message(StrCat(": extra text: ", GoQuote(value)));
  if (day < 1 || day > DaysIn(month, year)) return out_of_range("day");

  // Already in the canonical form (UTC, no fraction for Time, six digits for MicroTime)?
  if (offset == 0 && text.size() == (micro ? 27u : 20u) && (!micro || text[19] == '.')) return std::string(text);
  // Back to UTC, as upstream stores and writes times.
  int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t rest = seconds - days * 86400;
  int64_t y = 0;
  int mo = 0, d = 0;
  CivilFromDays(days, &y, &mo, &d);
  if (y < 0 || y > 9999) return std::string(text);  // Go would write a 5-digit or signed year; keep the input
  char buf[96];
  if (micro) {
    std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(y), mo, d,
                  static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                  static_cast<long long>(rest % 60), static_cast<long long>(nanos / 1000));
  } else {
    std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ", static_cast<long long>(y), mo, d,
                  static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                  static_cast<long long>(rest % 60));
  }
  return std::string(buf);
}

std::optional<std::string> CheckQuantity(std::string_view text) {
  // Quantity.UnmarshalJSON trims spaces; ParseQuantity refuses the empty string.
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' ||
                           text.front() == '\r' || text.front() == '\v' || text.front() == '\f')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r' || text.back() == '\v' || text.back() == '\f')) {
    text.remove_suffix(1);
  }
  if (text.empty()) return std::string(kQuantityFormatWrong);
  // parseQuantityString: sign, leading zeros, integer digits, '.', fraction digits, suffix
  // letters, an optional exponent sign and digits.
  size_t pos = 0;
  const size_t end = text.size();
  if (text[0] == '-' || text[0] == '+') ++pos;
  while (pos < end && text[pos] == '0') ++pos;
  if (pos == end) return std::nullopt;  // only a sign and zeros: zero
  // Missing digits read as zero ("." and "5." parse), as upstream's parser does.
  while (pos < end && text[pos] >= '0' && text[pos] <= '9') ++pos;
  if (pos < end && text[pos] == '.') {
    ++pos;
    while (pos < end && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  const size_t suffix_start = pos;
  while (pos < end && IsSuffixChar(text[pos])) ++pos;
  if (pos < end && (text[pos] == '-' || text[pos] == '+')) ++pos;
  while (pos < end && text[pos] >= '0' && text[pos] <= '9') ++pos;
  if (pos < end) return std::string(kQuantityFormatWrong);
  if (!ValidSuffix(text.substr(suffix_start))) return std::string(kQuantitySuffix);
  return std::nullopt;
}

}  // namespace cubelet::schema
