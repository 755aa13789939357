#include "kubeletconfig/values.h"

namespace cubelet::kubeletconfig {

std::optional<bool> ParseBool(std::string_view t) {
  if (t == "1" || t == "t" || t == "T" || t == "TRUE" || t == "true" || t == "True") return true;
  if (t == "0" || t == "f" || t == "F" || t == "FALSE" || t == "false" || t == "False") return false;
  return std::nullopt;
}

bool IsQuantity(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  size_t digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  std::string_view suffix = t.substr(i);
  if (suffix.empty()) return true;
  for (std::string_view s : {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"}) {
    if (suffix == s) return true;
  }
  // Decimal exponent: e or E followed by a signed integer.
  if (suffix[0] == 'e' || suffix[0] == 'E') {
    size_t j = 1;
    if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) ++j;
    if (j == suffix.size()) return false;
    for (; j < suffix.size(); ++j) {
      if (suffix[j] < '0' || suffix[j] > '9') return false;
    }
    return true;
  }
  return false;
}

}  // namespace cubelet::kubeletconfig
