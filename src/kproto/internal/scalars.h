// Owns: the conversions between the JSON text of Kubernetes' special scalars and their protobuf
// values that the transcoder needs in both directions: RFC 3339 times <-> seconds and nanoseconds,
// and byte strings made valid UTF-8 for JSON.
// Does not own: parsing and normalising time text (schema/scalars.h), the wire format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cubelet::kproto::internal {

struct Timestamp {
  int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  int32_t nanos = 0;
};

// Go's zero time.Time (0001-01-01T00:00:00Z), which upstream's JSON writes as null.
inline constexpr int64_t kZeroTimeSeconds = -62135596800;

// The instant of a UTC time in the form schema::NormalizeTime writes ("2006-01-02T15:04:05Z",
// optionally with a fraction of up to nine digits before the Z); nullopt for anything else.
std::optional<Timestamp> ParseUtc(std::string_view text);

// "2006-01-02T15:04:05Z", or with `micro` "2006-01-02T15:04:05.000000Z" (nanoseconds truncated to
// microseconds), as upstream's Time and MicroTime write JSON; nullopt outside the years 0 to
// 9999, which Go's encoder refuses too.
std::optional<std::string> FormatUtc(Timestamp t, bool micro);

// `bytes` with every byte that is not part of valid UTF-8 replaced by U+FFFD, as Go's
// encoding/json writes such strings.
std::string ToValidUtf8(std::string_view bytes);

}  // namespace cubelet::kproto::internal
