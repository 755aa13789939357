#include "apiserver/negotiation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "apierrors/apierrors.h"
#include "common/strings.h"
#include "kproto/envelope.h"

namespace cubelet::apiserver {
namespace {

std::string Trim(std::string_view s) {
  return std::string(ToStd(absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size()))));
}

struct MediaRange {
  std::string type;  // "application/json"
  std::string as, g, v;
};

MediaRange ParseRange(std::string_view text) {
  MediaRange out;
  bool first = true;
  for (absl::string_view part : absl::StrSplit(absl::string_view(text.data(), text.size()), ';')) {
    std::string p = Trim(ToStd(part));
    if (first) {
      out.type = absl::AsciiStrToLower(p);
      first = false;
      continue;
    }
    size_t eq = p.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Trim(std::string_view(p).substr(0, eq));
    std::string value = Trim(std::string_view(p).substr(eq + 1));
    if (key == "as") out.as = value;
    if (key == "g") out.g = value;
    if (key == "v") out.v = value;
  }
  return out;
}

bool IsJson(const std::string& type) {
  return type == "application/json" || type == "*/*" || type == "application/*" || type.empty();
}

}  // namespace

std::string MediaTypeOf(std::string_view header) {
  size_t semi = header.find(';');
  return absl::AsciiStrToLower(Trim(header.substr(0, semi)));
}

absl::StatusOr<OutputFormat> NegotiateOutput(const httpserver::Request& request) {
  OutputFormat out;
  if (auto include = request.Query("includeObject")) {
    if (*include != "None" && *include != "Metadata" && *include != "Object") {
      return apierrors::BadRequest(StrCat("includeObject: Unsupported value: \"", *include,
                                          "\": supported values: \"Metadata\", \"None\", \"Object\""));
    }
    out.include_object = std::string(*include);
  }
  auto accept = request.headers.Get("Accept");
  if (!accept || Trim(*accept).empty()) return out;
  for (absl::string_view item : absl::StrSplit(absl::string_view(accept->data(), accept->size()), ',')) {
    MediaRange range = ParseRange(ToStd(item));
    if (!IsJson(range.type)) continue;  // protobuf, yaml, cbor: not offered
    if (range.as.empty()) {
      out.kind = OutputKind::kJson;
      return out;
    }
    if (range.g != "meta.k8s.io" || (range.v != "v1" && range.v != "v1beta1")) continue;
    if (range.as == "Table") {
      out.kind = OutputKind::kTable;
      out.table_version = range.v;
      return out;
    }
    if (range.as == "PartialObjectMetadata" || range.as == "PartialObjectMetadataList") {
      out.kind = OutputKind::kPartialObjectMetadata;
      return out;
    }
  }
  return apierrors::NotAcceptable(
      "only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, "
      "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io");
}

absl::StatusOr<BodyFormat> NegotiateBody(const httpserver::Request& request) {
  auto header = request.headers.Get("Content-Type");
  std::string type = header ? MediaTypeOf(*header) : "";
  if (type.empty() || type == "application/json") return BodyFormat::kJson;
  if (type == "application/yaml" || type == "application/x-yaml" || type == "text/yaml") return BodyFormat::kYaml;
  if (type == kproto::kProtobufMediaType) return BodyFormat::kProtobuf;
  return apierrors::UnsupportedMediaType(type);
}

}  // namespace cubelet::apiserver
