// Owns: writing json::Value as compact JSON text (members in their order, numbers as their
// literal text, strings escaped as JSON requires; non-ASCII UTF-8 passes through).
// Does not own: pretty printing for humans (clients do that).
#pragma once

#include <string>
#include <string_view>

#include "json/value.h"

namespace cubelet::json {

std::string Write(const Value& v);
// Appends to `out`; for building larger documents (lists, watch events) without copies.
void WriteTo(const Value& v, std::string* out);
// Appends `s` as a quoted JSON string.
void WriteString(std::string_view s, std::string* out);

}  // namespace cubelet::json
