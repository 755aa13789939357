// Owns: the few helpers the fuzz targets share to turn libFuzzer's bytes into their inputs.
// Does not own: what each target checks (tests/fuzz/<name>_fuzzer.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

namespace cubelet::fuzz {

// Targets that take two documents (a patch and what it applies to) read them from one input
// separated by this line, so that seeds stay readable files.
inline constexpr std::string_view kSeparator = "\n%%\n";

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// (before, after) the first separator; the whole input and "" when there is none.
inline std::pair<std::string_view, std::string_view> SplitOnce(std::string_view text) {
  size_t at = text.find(kSeparator);
  if (at == std::string_view::npos) return {text, std::string_view()};
  return {text.substr(0, at), text.substr(at + kSeparator.size())};
}

// A property the library promises was broken: abort so libFuzzer saves the input.
#define CUBELET_FUZZ_CHECK(cond)                                                    \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      __builtin_trap();                                                             \
    }                                                                               \
  } while (0)

}  // namespace cubelet::fuzz
