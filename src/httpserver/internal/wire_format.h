// Owns: the bytes cubelet-server writes for a response: the status line and header block (with
// the framing headers the server controls), chunk framing, and which statuses carry a body.
// Does not own: reading requests (Beast's parser does), or when to write (the session).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "httpserver/http_server.h"

namespace cubelet::httpserver::internal {

// How the response body is delimited.
enum class Framing {
  kContentLength,  // `content_length` bytes follow
  kChunked,        // HTTP/1.1 streams
  kUntilClose,     // HTTP/1.0 streams: the body ends when the connection closes
  kNone,           // 1xx and 204: no body and no length header (RFC 9110 8.6)
};

struct ResponseHead {
  int http_minor = 1;  // HTTP/1.<minor>, as the request
  int status = 200;
  const Headers* headers = nullptr;
  Framing framing = Framing::kContentLength;
  size_t content_length = 0;
  bool keep_alive = true;
};

// The status line and headers, ending with the empty line. The handler's Content-Length,
// Transfer-Encoding and Connection headers are replaced by the server's own; header names that
// are not HTTP tokens are dropped and CR, LF and NUL in values become spaces, so a value taken
// from a request can never split the response. A status outside 100..599 is sent as 500.
std::string FormatResponseHead(const ResponseHead& head);

// Whether a response with `status` to a request with `method` may carry a body (RFC 9110 6.4.1):
// not for HEAD, 1xx, 204 or 304.
bool ResponseHasBody(std::string_view method, int status);

// Appends one chunk ("<hex size>\r\n<data>\r\n") to `out`; nothing for empty data, which would
// end the body.
void AppendChunk(std::string& out, std::string_view data);

inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace cubelet::httpserver::internal
