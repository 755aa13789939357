// cubelet-server's reading of a request before any registry sees it: what the request is about
// (request_info), content negotiation (Accept, Content-Type), fieldValidation, and the body as
// JSON, YAML or Kubernetes protobuf decoded strictly against the schema of the object it names
// (a Pod when it names none the schema has). Anything a client sends is a 4xx, never a crash;
// what decodes writes back as JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "apiserver/body.h"
#include "apiserver/negotiation.h"
#include "apiserver/request_info.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/http_request.h"
#include "json/parse.h"
#include "json/write.h"
#include "schema/schema.h"

namespace {

using cubelet::schema::GroupVersionKind;
using cubelet::schema::Schema;
using cubelet::schema::StructType;

// The kind a resource path names ("pods" → Pod), from the schema's kinds.
const StructType* TypeOfResource(const Schema& schema, const std::string& resource) {
  for (const auto& [name, type] : schema.types()) {
    for (const GroupVersionKind& gvk : type.gvks) {
      std::string plural;
      for (char c : gvk.kind) plural += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      plural += plural.ends_with('s') ? "es" : "s";
      if (plural == resource) return &type;
    }
  }
  return schema.Find("io.k8s.api.core.v1.Pod");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cubelet::apiserver;
  auto request = cubelet::fuzz::ReadRequest(cubelet::fuzz::AsText(data, size));
  if (!request) return 0;
  RequestInfo info = ParseRequestInfo(*request);
  (void)NegotiateOutput(*request);
  if (auto content_type = request->headers.Get("Content-Type")) (void)MediaTypeOf(*content_type);
  auto validation = FieldValidationOf(*request);
  auto format = NegotiateBody(*request);
  if (!validation.ok() || !format.ok()) return 0;

  const Schema& schema = Schema::BuiltIn();
  const StructType* type = TypeOfResource(schema, info.resource);
  if (type == nullptr || type->gvks.empty()) return 0;
  const GroupVersionKind& gvk = type->gvks.front();
  auto body = ParseBody(request->body, *format, schema, type->name);
  if (!body.ok()) return 0;
  std::vector<std::string> warnings;
  const std::string group_version = gvk.group.empty() ? gvk.version : gvk.group + "/" + gvk.version;
  if (DecodeObject(schema, type->name, group_version, gvk.kind, &*body, *validation, &warnings, true).ok()) {
    auto again = cubelet::json::Parse(cubelet::json::Write(body->value));
    CUBELET_FUZZ_CHECK(again.ok());
  }
  return 0;
}
