// Owns: Kubernetes' protobuf envelope and whole objects in it: what an
// `application/vnd.kubernetes.protobuf` request body or response is. The envelope is the four
// bytes "k8s\0" followed by a runtime.Unknown message {TypeMeta typeMeta = 1 (apiVersion = 1,
// kind = 2); bytes raw = 2 (the object's message); string contentEncoding = 3; string
// contentType = 4}.
// Does not own: the objects' messages (transcode.h), content negotiation (apiserver/).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "schema/schema.h"

namespace cubelet::kproto {

inline constexpr std::string_view kProtobufMediaType = "application/vnd.kubernetes.protobuf";
inline constexpr std::string_view kEnvelopeMagic{"k8s\0", 4};

struct Envelope {
  std::string api_version;
  std::string kind;
  std::string_view raw;  // points into the parsed data
  std::string content_encoding;
  std::string content_type;
};

// InvalidArgument when the magic is missing or the Unknown message is malformed.
absl::StatusOr<Envelope> ParseEnvelope(std::string_view data);
std::string WriteEnvelope(std::string_view api_version, std::string_view kind, std::string_view raw);

// A protobuf body as the JSON object of struct type `type_name` it encodes, with apiVersion and
// kind taken from the envelope (members omitted when the envelope leaves them empty). Bodies
// whose raw bytes are compressed or in another content type are refused.
absl::StatusOr<json::Value> Decode(const schema::Schema& schema, std::string_view type_name, std::string_view body);

// The JSON object of struct type `type_name` as a protobuf body; apiVersion and kind come from
// the object's members.
absl::StatusOr<std::string> Encode(const schema::Schema& schema, std::string_view type_name,
                                   const json::Value& object);

// A list ({apiVersion, kind: "<Kind>List", metadata: ListMeta, items}) of objects of struct type
// `item_type` as a protobuf body: upstream's list messages are {ListMeta metadata = 1; repeated
// items = 2}.
absl::StatusOr<std::string> EncodeList(const schema::Schema& schema, std::string_view item_type,
                                       const json::Value& list);

}  // namespace cubelet::kproto
