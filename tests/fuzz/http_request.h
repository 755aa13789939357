// Owns: reading a fuzz input as an HTTP request the way cubelet-server's front hands it to the
// API handler: "METHOD TARGET" on the first line, "Name: value" header lines, an empty line, then
// the body; the target is decoded by the server's own URL decoding.
// Does not own: the HTTP wire parsing (Boost.Beast, in httpserver/).
#pragma once

#include <optional>
#include <string_view>

#include "httpserver/http_server.h"
#include "httpserver/internal/url.h"

namespace cubelet::fuzz {

// nullopt when the server would answer 400 before any handler sees the request.
inline std::optional<httpserver::Request> ReadRequest(std::string_view text) {
  httpserver::Request request;
  auto next_line = [&text]() {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  std::string_view first = next_line();
  size_t space = first.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  request.method = std::string(first.substr(0, space));
  request.target = std::string(first.substr(space + 1));
  auto decoded = httpserver::internal::DecodeTarget(request.target);
  if (!decoded) return std::nullopt;
  request.path = std::move(decoded->path);
  request.query = std::move(decoded->query);
  while (!text.empty()) {
    std::string_view line = next_line();
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.Add(std::string(line.substr(0, colon)), std::string(value));
  }
  request.body = std::string(text);
  return request;
}

}  // namespace cubelet::fuzz
