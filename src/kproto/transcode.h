// Owns: transcoding between the protobuf messages of Kubernetes objects (upstream's
// generated.proto) and cubelet's JSON documents, driven by the schema table: each field's
// `pb(N)` number says where it travels, its schema type how (schema.h). No code is generated per
// kind.
//   - Scalars: strings and bytes length-delimited (bytes are base64 in JSON), integers and
//     booleans as varints, float64 as fixed64.
//   - resource.Quantity = {string string = 1}; metav1.Time and MicroTime = {int64 seconds = 1;
//     int32 nanos = 2} (Time keeps whole seconds, MicroTime microseconds, as upstream's JSON);
//     intstr.IntOrString = {int64 type = 1; int32 intVal = 2; string strVal = 3}; `any` and
//     `object` fields = {bytes raw = 1} holding JSON (runtime.RawExtension, metav1.FieldsV1).
//   - Lists are repeated fields (packed numbers are accepted too); maps are repeated
//     {key = 1; value = 2} entries; structs are nested messages, and fields with pb(E.N) travel
//     in the message upstream embeds at E.
// Decoding yields what upstream's JSON encoding of the decoded Go value would be: a zero scalar
// of a value (non-pointer) field is dropped as `omitempty` would (unless the field is required),
// zero times are dropped, and value structs stay as `{}`. Unknown field numbers are skipped, as
// upstream's decoder does. Malformed input is an InvalidArgument error naming the JSON path and
// the byte, never a crash: every length is checked and nesting is bounded.
// Does not own: the `k8s\0` envelope and TypeMeta (envelope.h), schema validation of the result
// (schema/decode.h runs after, exactly as for JSON bodies).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "schema/schema.h"

namespace cubelet::kproto {

// Deeper messages are refused; Kubernetes objects nest about 15 levels.
inline constexpr int kMaxDepth = 100;

// Decodes `bytes`, a message of struct type `type_name` (qualified), into a JSON object.
absl::StatusOr<json::Value> DecodeMessage(const schema::Schema& schema, std::string_view type_name,
                                          std::string_view bytes);

// Encodes the JSON object `object` of struct type `type_name` as its protobuf message. Members
// without a protobuf number (apiVersion and kind of a kind, fields the schema does not know) are
// not written; nulls are skipped; fields are written in number order and map entries by key.
absl::StatusOr<std::string> EncodeMessage(const schema::Schema& schema, std::string_view type_name,
                                          const json::Value& object);

}  // namespace cubelet::kproto
