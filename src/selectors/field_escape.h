// Owns: escaping of field selector values (upstream fields.EscapeValue / UnescapeValue):
// '\', ',' and '=' inside a value are written with a backslash in front.
// Does not own: the selector grammar (FieldSelector::Parse in selectors.h).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cubelet::selectors {

// "a,b=c\d" → "a\,b\=c\\d".
std::string EscapeValue(std::string_view value);

// The literal value of an escaped one. InvalidArgument with upstream's texts: "invalid field
// selector: invalid escape sequence: \x" for a backslash before anything but \ , =, or at the
// end, and "invalid field selector: unescaped character in value: 61" (the code point, as
// upstream prints a rune) for a bare ',' or '='.
absl::StatusOr<std::string> UnescapeValue(std::string_view value);

}  // namespace cubelet::selectors
