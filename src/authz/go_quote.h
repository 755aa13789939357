// Owns: quoting a string for an API message as Go's %q does for the strings that appear in
// upstream's authorization and admission messages, so ours read the same.
// Does not own: JSON string escaping (json/write.h).
#pragma once

#include <string>
#include <string_view>

namespace cubelet::authz {

// Printable ASCII and valid UTF-8 are kept; '"', '\' and control characters are escaped (\n,
// \t, ... or \xNN), as are invalid bytes, so a hostile name cannot forge the rest of a message.
std::string GoQuote(std::string_view s);

}  // namespace cubelet::authz
