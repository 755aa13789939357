// HumanDuration with upstream duration.HumanDuration's thresholds: two to three significant
// figures, seconds below 2m, "XmYs" below 10m, minutes below 3h, "XhYm" below 8h, hours below
// 2d, "XdYh" below 8d, days below 2y, "XyYd" below 8y, then years. Up to a second in the future
// counts as "0s" (clock skew); further is "<invalid>".
#include "common/strings.h"
#include "printers/printers.h"

namespace cubelet::printers {

std::string HumanDuration(absl::Duration d) {
  // Go converts with truncation toward zero at every step, as absl's ToInt64* do.
  const int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return StrCat(seconds, "s");
  const int64_t minutes = absl::ToInt64Minutes(d);
  if (minutes < 10) {
    const int64_t s = seconds % 60;
    return s == 0 ? StrCat(minutes, "m") : StrCat(minutes, "m", s, "s");
  }
  if (minutes < 60 * 3) return StrCat(minutes, "m");
  const int64_t hours = absl::ToInt64Hours(d);
  if (hours < 8) {
    const int64_t m = minutes % 60;
    return m == 0 ? StrCat(hours, "h") : StrCat(hours, "h", m, "m");
  }
  if (hours < 48) return StrCat(hours, "h");
  if (hours < 24 * 8) {
    const int64_t h = hours % 24;
    return h == 0 ? StrCat(hours / 24, "d") : StrCat(hours / 24, "d", h, "h");
  }
  if (hours < 24 * 365 * 2) return StrCat(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    const int64_t dy = (hours / 24) % 365;
    return dy == 0 ? StrCat(hours / 24 / 365, "y") : StrCat(hours / 24 / 365, "y", dy, "d");
  }
  return StrCat(hours / 24 / 365, "y");
}

}  // namespace cubelet::printers
