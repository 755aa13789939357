#include "httpserver/internal/wire_format.h"

#include <boost/beast/http/status.hpp>

#include "common/strings.h"

namespace cubelet::httpserver::internal {
namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;  // b is lower case
  }
  return true;
}

bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
         EqualsIgnoreCase(name, "connection");
}

void AppendSanitizedValue(std::string& out, std::string_view value) {
  for (char c : value) out.push_back(c == '\r' || c == '\n' || c == '\0' ? ' ' : c);
}

}  // namespace

std::string FormatResponseHead(const ResponseHead& head) {
  const int status = head.status >= 100 && head.status <= 599 ? head.status : 500;
  std::string_view reason = boost::beast::http::obsolete_reason(
      static_cast<boost::beast::http::status>(status));
  if (reason.empty() || reason.front() == '<') reason = "Unknown";  // "<unknown-status>"
  std::string out = StrCat("HTTP/1.", head.http_minor == 0 ? 0 : 1, " ", status, " ", reason, "\r\n");
  if (head.headers != nullptr) {
    for (const auto& [name, value] : head.headers->entries()) {
      if (!IsToken(name) || IsFramingHeader(name)) continue;
      StrAppend(&out, name, ": ");
      AppendSanitizedValue(out, value);
      out.append("\r\n");
    }
  }
  switch (head.framing) {
    case Framing::kContentLength:
      StrAppend(&out, "Content-Length: ", head.content_length, "\r\n");
      break;
    case Framing::kChunked:
      out.append("Transfer-Encoding: chunked\r\n");
      break;
    case Framing::kUntilClose:
    case Framing::kNone:
      break;
  }
  if (!head.keep_alive) {
    out.append("Connection: close\r\n");
  } else if (head.http_minor == 0) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  return out;
}

bool ResponseHasBody(std::string_view method, int status) {
  if (method == "HEAD") return false;
  return !(status < 200 || status == 204 || status == 304);
}

void AppendChunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  static constexpr char kHex[] = "0123456789abcdef";
  char size[2 * sizeof(size_t)];
  int n = 0;
  for (size_t v = data.size(); v != 0; v >>= 4) size[n++] = kHex[v & 0xf];
  while (n > 0) out.push_back(size[--n]);
  out.append("\r\n");
  out.append(data);
  out.append("\r\n");
}

}  // namespace cubelet::httpserver::internal
