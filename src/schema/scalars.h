// Owns: checking the scalar types with syntax of their own (base64 bytes, metav1.Time and
// MicroTime, resource.Quantity) exactly as upstream's Go decoders accept them, with their error
// messages, and the canonical form upstream writes back.
// Does not own: walking documents (decode.h) or quantity arithmetic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace cubelet::schema {

// nullopt when `text` is valid standard base64 (padding required; '\r' and '\n' skipped) as
// Go's base64.StdEncoding decodes it, else Go's "illegal base64 data at input byte N".
std::optional<std::string> CheckBase64(std::string_view text);

// The time normalised as upstream writes it back (UTC; "2006-01-02T15:04:05Z" for Time,
// "2006-01-02T15:04:05.000000Z" for MicroTime), or Go's time.Parse error message
// ('parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"').
// Time parses with layout RFC 3339 (fractional seconds accepted and dropped); MicroTime with
// "2006-01-02T15:04:05.000000Z07:00" (exactly six fractional digits).
struct TimeError {
  std::string message;
};
std::variant<std::string, TimeError> NormalizeTime(std::string_view text, bool micro);

// nullopt when resource.ParseQuantity accepts `text` (leading and trailing spaces are trimmed
// first, as Quantity.UnmarshalJSON does), else its error message.
std::optional<std::string> CheckQuantity(std::string_view text);

}  // namespace cubelet::schema
