// A stand-in for the few httpserver::Headers / Request methods the auth tests use, compiled only
// while src/httpserver has no library yet (see tests.cmake). Same contract: header names compare
// case-insensitively and Get returns the first value.
#include <strings.h>

#include "httpserver/http_server.h"

namespace cubelet::httpserver {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

void Headers::Add(std::string name, std::string value) { entries_.emplace_back(std::move(name), std::move(value)); }

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const auto& [n, v] : entries_) {
    if (SameName(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> Headers::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : entries_) {
    if (SameName(n, name)) out.emplace_back(v);
  }
  return out;
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  for (const auto& [n, v] : query) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> Request::QueryAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : query) {
    if (n == name) out.emplace_back(v);
  }
  return out;
}

}  // namespace cubelet::httpserver
