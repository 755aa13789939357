#include "openapiv2/service.h"

#include <openssl/evp.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "json/write.h"
#include "openapiv2/document.h"
#include "openapiv2/protobuf.h"

namespace cubelet::openapiv2 {
namespace {

// Uppercase hex SHA-512, as kube-openapi computes the v2 document's ETag.
std::string Sha512Hex(std::string_view bytes) {
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

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// One clause of an Accept header, as goautoneg (which kube-openapi uses) reads it.
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
  for (absl::string_view raw : absl::StrSplit(absl::string_view(header.data(), header.size()), ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(raw, ';');
    std::string media = std::string(Trim(ToStd(parts[0])));
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
        if (absl::SimpleAtod(absl::string_view(param.data() + 2, param.size() - 2), &q)) c.q = q;
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

enum class Format { kJson, kProtobuf };

struct Offer {
  std::string_view subtype;  // of "application/"
  Format format;
};

// In kube-openapi's order: JSON first, so */* and an absent Accept get JSON.
constexpr Offer kOffers[] = {
    {"json", Format::kJson},
    {"com.github.proto-openapi.spec.v2@v1.0+protobuf", Format::kProtobuf},
    {"com.github.proto-openapi.spec.v2.v1.0+protobuf", Format::kProtobuf},
};

std::optional<Format> Negotiate(const httpserver::Request& request) {
  std::optional<std::string_view> accept = request.headers.Get("Accept");
  std::string_view header = accept && !Trim(*accept).empty() ? *accept : "*/*";
  for (const AcceptClause& clause : ParseAccept(header)) {
    for (const Offer& offer : kOffers) {
      if (clause.type != "application" && clause.type != "*") continue;
      if (clause.subtype != offer.subtype && clause.subtype != "*") continue;
      return offer.format;
    }
  }
  return std::nullopt;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Whether If-None-Match names `quoted_etag` (weak comparison, as Go's net/http) or is "*".
bool NoneMatchHits(const httpserver::Request& request, std::string_view quoted_etag) {
  for (std::string_view header : request.headers.GetAll("If-None-Match")) {
    for (absl::string_view raw : absl::StrSplit(absl::string_view(header.data(), header.size()), ',')) {
      std::string_view tag = Trim(ToStd(raw));
      if (tag == "*") return true;
      if (StartsWith(tag, "W/")) tag.remove_prefix(2);
      if (tag == quoted_etag) return true;
    }
  }
  return false;
}

}  // namespace

OpenApiV2Service::OpenApiV2Service(const schema::Schema& schema, const std::vector<registry::ResourceInfo>& resources,
                                   std::string_view kubernetes_version) {
  Document document = BuildDocument(schema, resources, kubernetes_version);
  build_status_ = document.status;
  json_ = json::Write(document.swagger);
  etag_ = Sha512Hex(json_);
  absl::StatusOr<std::string> protobuf = EncodeProtobuf(document.swagger);
  if (protobuf.ok()) {
    protobuf_ = std::move(*protobuf);
  } else if (build_status_.ok()) {
    build_status_ = protobuf.status();
  } else {
    build_status_ = absl::InternalError(StrCat(build_status_.message(), "; ", protobuf.status().message()));
  }
}

std::optional<httpserver::Response> OpenApiV2Service::Serve(const httpserver::Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  if (request.path != kOpenApiV2Path && request.path != kLegacySwaggerPath) return std::nullopt;
  httpserver::Response r;
  r.headers.Add("Vary", "Accept");
  std::optional<Format> format = Negotiate(request);
  if (!format) {
    r.status = 406;
    r.headers.Add("Content-Type", "text/plain; charset=utf-8");
    if (request.method != "HEAD") {
      r.body = StrCat("the OpenAPI v2 document is served as application/json or ", kProtobufAcceptType, "\n");
    }
    return r;
  }
  r.headers.Add("Content-Type", *format == Format::kJson ? "application/json" : std::string(kProtobufContentType));
  const std::string quoted = StrCat("\"", etag_, "\"");
  r.headers.Add("Etag", quoted);
  if (NoneMatchHits(request, quoted)) {
    r.status = 304;
    return r;
  }
  if (request.method != "HEAD") r.body = *format == Format::kJson ? json_ : protobuf_;
  return r;
}

}  // namespace cubelet::openapiv2
