// Owns: std::source_location for the fuzz build under clang 14, Debian's clang with libFuzzer.
// libstdc++ 12 declares it only when the compiler has __builtin_source_location (clang 15+), so
// the fuzz build force-includes this header (CMakeLists.txt, CUBELET_FUZZ); it builds the same
// type from the older __builtin_FILE/LINE/FUNCTION/COLUMN. Nothing else uses it.
#pragma once

#include <cstdint>
#include <version>

#if defined(__clang__) && !defined(__cpp_lib_source_location)
#include <source_location>  // sets libstdc++'s include guard; declares nothing here

namespace std {

struct source_location {
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           unsigned line = __builtin_LINE(),
                                           unsigned column = __builtin_COLUMN()) noexcept {
    source_location loc;
    loc.file_ = file;
    loc.function_ = function;
    loc.line_ = line;
    loc.column_ = column;
    return loc;
  }
  constexpr source_location() noexcept = default;
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr uint_least32_t line() const noexcept { return line_; }
  constexpr uint_least32_t column() const noexcept { return column_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  uint_least32_t line_ = 0;
  uint_least32_t column_ = 0;
};

}  // namespace std
#endif
