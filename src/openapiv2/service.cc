#include "openapiv2/service.h"

#include <utility>

#include "common/strings.h"
#include "json/write.h"
#include "openapi/serving.h"
#include "openapiv2/document.h"
#include "openapiv2/protobuf.h"

namespace cubelet::openapiv2 {
namespace {

// In kube-openapi's order: JSON first, so */* and an absent Accept get JSON.
constexpr std::string_view kOffers[] = {"application/json", kProtobufAcceptType, kProtobufContentType};
constexpr size_t kJsonOffer = 0;

}  // namespace

OpenApiV2Service::OpenApiV2Service(const schema::Schema& schema, const std::vector<registry::ResourceInfo>& resources,
                                   std::string_view kubernetes_version) {
  Document document = BuildDocument(schema, resources, kubernetes_version);
  build_status_ = document.status;
  json_ = json::Write(document.swagger);
  etag_ = openapi::ComputeETag(json_);
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
  std::optional<size_t> offer = openapi::NegotiateAccept(request, kOffers);
  if (!offer) {
    r.status = 406;
    r.headers.Add("Content-Type", "text/plain; charset=utf-8");
    if (request.method != "HEAD") {
      r.body = StrCat("the OpenAPI v2 document is served as application/json or ", kProtobufAcceptType, "\n");
    }
    return r;
  }
  const bool json = *offer == kJsonOffer;
  // Both protobuf spellings are answered with the newer one, as kube-openapi does.
  r.headers.Add("Content-Type", json ? "application/json" : std::string(kProtobufContentType));
  r.headers.Add("Etag", StrCat("\"", etag_, "\""));
  if (openapi::IfNoneMatchHits(request, etag_)) {
    r.status = 304;
    return r;
  }
  if (request.method != "HEAD") r.body = json ? json_ : protobuf_;
  return r;
}

}  // namespace cubelet::openapiv2
