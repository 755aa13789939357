// Hand-built protobuf bytes for kproto tests, written independently of kproto::WireWriter so the
// tests do not check the encoder against itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cubelet::kproto::testing {

inline std::string Varint(uint64_t v) {
  std::string out;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    if (v != 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (v != 0);
  return out;
}

// Field `number` as a varint, a length-delimited payload, or a fixed64.
inline std::string V(int number, uint64_t value) { return Varint(static_cast<uint64_t>(number) << 3) + Varint(value); }
inline std::string L(int number, std::string_view payload) {
  return Varint((static_cast<uint64_t>(number) << 3) | 2) + Varint(payload.size()) + std::string(payload);
}
inline std::string F64(int number, uint64_t bits) {
  std::string out = Varint((static_cast<uint64_t>(number) << 3) | 1);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  return out;
}

// "6b3873..." -> bytes.
inline std::string FromHex(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

}  // namespace cubelet::kproto::testing
