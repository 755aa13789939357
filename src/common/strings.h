// Owns: StrCat/StrAppend for cubelet. Debian's Abseil is built with its own string_view type
// (ABSL_OPTION_USE_STD_STRING_VIEW=0), so absl::StrCat rejects std::string_view; these accept
// std::string_view, absl::string_view, strings, C strings, integers and doubles alike.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace cubelet {
namespace strings_internal {

inline void AppendPiece(std::string& out, std::string_view s) { out.append(s); }
inline void AppendPiece(std::string& out, const char* s) { out.append(s); }
inline void AppendPiece(std::string& out, const std::string& s) { out.append(s); }
inline void AppendPiece(std::string& out, absl::string_view s) { out.append(s.data(), s.size()); }
inline void AppendPiece(std::string& out, double d) {
  const std::string s = absl::StrCat(d);
  out.append(s);
}
template <std::integral T>
void AppendPiece(std::string& out, T v) {
  if constexpr (std::same_as<T, bool>) {
    out.append(v ? "true" : "false");
  } else if constexpr (std::same_as<T, char>) {
    out.push_back(v);
  } else {
    out.append(std::to_string(v));
  }
}

}  // namespace strings_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (strings_internal::AppendPiece(out, args), ...);
  return out;
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (strings_internal::AppendPiece(*out, args), ...);
}

// std::string_view of an absl::string_view (they are distinct types in Debian's Abseil).
inline std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace cubelet
