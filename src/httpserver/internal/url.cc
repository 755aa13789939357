#include "httpserver/internal/url.h"

namespace cubelet::httpserver::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Unescape(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;  // fewer than two characters follow
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> UnescapePath(std::string_view s) { return Unescape(s, false); }

std::optional<std::string> UnescapeQueryComponent(std::string_view s) { return Unescape(s, true); }

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    // Go 1.17+ no longer splits on ';' and rejects such pairs rather than guess.
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> key = UnescapeQueryComponent(pair.substr(0, eq));
    std::optional<std::string> value = UnescapeQueryComponent(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) continue;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::optional<DecodedTarget> DecodeTarget(std::string_view target) {
  if (target == "*") return DecodedTarget{.path = "*", .query = {}};
  std::string_view rest = target;
  // Absolute-form (RFC 9112 3.2.2): clients talking to a proxy send it; servers must accept it.
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (rest.size() >= scheme.size()) {
      bool match = true;
      for (size_t i = 0; i < scheme.size(); ++i) {
        char c = rest[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != scheme[i]) {
          match = false;
          break;
        }
      }
      if (match) {
        rest.remove_prefix(scheme.size());
        const size_t slash = rest.find_first_of("/?");
        if (slash == std::string_view::npos) {
          rest = "/";
        } else if (rest[slash] == '?') {
          // "http://host?x=1": the path is "/", as Go's url.Parse gives it.
          return DecodedTarget{.path = "/", .query = ParseQuery(rest.substr(slash + 1))};
        } else {
          rest.remove_prefix(slash);
        }
        break;
      }
    }
  }
  if (rest.empty() || rest.front() != '/') return std::nullopt;
  const size_t question = rest.find('?');
  std::optional<std::string> path = UnescapePath(rest.substr(0, question));
  if (!path) return std::nullopt;
  DecodedTarget t;
  t.path = std::move(*path);
  if (question != std::string_view::npos) t.query = ParseQuery(rest.substr(question + 1));
  return t;
}

}  // namespace cubelet::httpserver::internal
