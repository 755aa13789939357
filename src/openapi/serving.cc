#include "openapi/serving.h"

#include <openssl/evp.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace cubelet::openapi {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// One clause of an Accept header, as goautoneg reads it.
struct AcceptClause {
  std::string type;
  std::string subtype;
  double q = 1.0;
  size_t params = 0;  // besides q: more parameters rank a clause as more specific
};

// The clauses in the order they are tried: highest quality first, then the more specific ones
// (no wildcard before a wildcard, more parameters first), else in the order written. Clauses
// with q=0 refuse their type and are dropped.
std::vector<AcceptClause> ParseAccept(std::string_view header) {
  std::vector<AcceptClause> clauses;
  for (absl::string_view raw : absl::StrSplit(Absl(header), ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(raw, ';');
    std::string media(Trim(ToStd(parts[0])));
    absl::AsciiStrToLower(&media);
    AcceptClause c;
    size_t slash = media.find('/');
    if (slash == std::string::npos) {
      if (media != "*") continue;
      c.type = "*";
      c.subtype = "*";
    } else {
      c.type = Trim(std::string_view(media).substr(0, slash));
      c.subtype = Trim(std::string_view(media).substr(slash + 1));
    }
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view param = Trim(ToStd(parts[i]));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        double q = 1.0;
        if (absl::SimpleAtod(Absl(param.substr(2)), &q)) c.q = q;
      } else if (!param.empty()) {
        ++c.params;
      }
    }
    if (c.q <= 0) continue;
    clauses.push_back(std::move(c));
  }
  std::stable_sort(clauses.begin(), clauses.end(), [](const AcceptClause& a, const AcceptClause& b) {
    if (a.q != b.q) return a.q > b.q;
    if ((a.type == "*") != (b.type == "*")) return b.type == "*";
    if ((a.subtype == "*") != (b.subtype == "*")) return b.subtype == "*";
    return a.params > b.params;
  });
  return clauses;
}

bool Admits(const AcceptClause& clause, std::string_view offer) {
  size_t slash = offer.find('/');
  std::string_view type = offer.substr(0, slash);
  std::string_view subtype = slash == std::string_view::npos ? "" : offer.substr(slash + 1);
  return (clause.type == "*" || clause.type == type) && (clause.subtype == "*" || clause.subtype == subtype);
}

}  // namespace

std::string ComputeETag(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha512(), nullptr) != 1) {
    return "";  // OpenSSL cannot fail to hash memory short of allocation failure
  }
  constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kDigits[digest[i] >> 4]);
    out.push_back(kDigits[digest[i] & 0xf]);
  }
  return out;
}

bool IfNoneMatchHits(const httpserver::Request& request, std::string_view etag) {
  const std::string quoted = StrCat("\"", etag, "\"");
  for (std::string_view header : request.headers.GetAll("If-None-Match")) {
    for (absl::string_view raw : absl::StrSplit(Absl(header), ',')) {
      std::string_view tag = Trim(ToStd(raw));
      if (tag == "*") return true;
      if (tag.starts_with("W/")) tag.remove_prefix(2);
      if (tag == quoted) return true;
    }
  }
  return false;
}

std::optional<size_t> NegotiateAccept(const httpserver::Request& request, std::span<const std::string_view> offers) {
  std::optional<std::string_view> accept = request.headers.Get("Accept");
  std::string_view header = accept && !Trim(*accept).empty() ? *accept : "*/*";
  for (const AcceptClause& clause : ParseAccept(header)) {
    for (size_t i = 0; i < offers.size(); ++i) {
      if (Admits(clause, offers[i])) return i;
    }
  }
  return std::nullopt;
}

}  // namespace cubelet::openapi
