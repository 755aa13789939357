#include "kproto/envelope.h"

#include <utility>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "kproto/transcode.h"
#include "kproto/wire.h"

namespace cubelet::kproto {
namespace {

constexpr std::string_view kListMetaType = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

absl::Status EnvelopeError(std::string_view what) {
  return absl::InvalidArgumentError(StrCat("protobuf envelope: ", what));
}

absl::StatusOr<std::string> StringField(const WireField& f, std::string_view name) {
  if (f.type != WireType::kLengthDelimited) return EnvelopeError(StrCat(name, " is not length-delimited"));
  return std::string(f.bytes);
}

}  // namespace

absl::StatusOr<Envelope> ParseEnvelope(std::string_view data) {
  if (!data.starts_with(kEnvelopeMagic)) return EnvelopeError("the body does not start with \"k8s\\0\"");
  Envelope out;
  WireReader reader(data.substr(kEnvelopeMagic.size()));
  while (!reader.done()) {
    auto f = reader.Next();
    if (!f.ok()) return EnvelopeError(ToStd(f.status().message()));
    switch (f->number) {
      case 1: {
        if (f->type != WireType::kLengthDelimited) return EnvelopeError("typeMeta is not a message");
        WireReader type_meta(f->bytes);
        while (!type_meta.done()) {
          auto t = type_meta.Next();
          if (!t.ok()) return EnvelopeError(StrCat("typeMeta: ", t.status().message()));
          if (t->number == 1) {
            ASSIGN_OR_RETURN(out.api_version, StringField(*t, "typeMeta.apiVersion"));
          } else if (t->number == 2) {
            ASSIGN_OR_RETURN(out.kind, StringField(*t, "typeMeta.kind"));
          }
        }
        break;
      }
      case 2:
        if (f->type != WireType::kLengthDelimited) return EnvelopeError("raw is not length-delimited");
        out.raw = f->bytes;
        break;
      case 3: {
        ASSIGN_OR_RETURN(out.content_encoding, StringField(*f, "contentEncoding"));
        break;
      }
      case 4: {
        ASSIGN_OR_RETURN(out.content_type, StringField(*f, "contentType"));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

std::string WriteEnvelope(std::string_view api_version, std::string_view kind, std::string_view raw) {
  WireWriter type_meta;
  type_meta.BytesField(1, api_version);
  type_meta.BytesField(2, kind);
  WireWriter unknown;
  unknown.BytesField(1, type_meta.data());
  unknown.BytesField(2, raw);
  // Upstream writes the two empty strings too; readers treat them as "not encoded" and "protobuf".
  unknown.BytesField(3, "");
  unknown.BytesField(4, "");
  return StrCat(kEnvelopeMagic, unknown.data());
}

absl::StatusOr<json::Value> Decode(const schema::Schema& schema, std::string_view type_name, std::string_view body) {
  ASSIGN_OR_RETURN(Envelope envelope, ParseEnvelope(body));
  if (!envelope.content_encoding.empty()) {
    return EnvelopeError(StrCat("content encoding \"", envelope.content_encoding, "\" is not supported"));
  }
  if (!envelope.content_type.empty() && envelope.content_type != kProtobufMediaType) {
    return EnvelopeError(StrCat("content type \"", envelope.content_type, "\" is not supported"));
  }
  ASSIGN_OR_RETURN(json::Value fields, DecodeMessage(schema, type_name, envelope.raw));
  // TypeMeta first, as upstream's JSON writes it.
  json::Value out = json::Value::EmptyObject();
  if (!envelope.api_version.empty()) out.Set("apiVersion", envelope.api_version);
  if (!envelope.kind.empty()) out.Set("kind", envelope.kind);
  for (json::Member& m : fields.AsObject()) out.Set(m.first, std::move(m.second));
  return out;
}

absl::StatusOr<std::string> Encode(const schema::Schema& schema, std::string_view type_name,
                                   const json::Value& object) {
  ASSIGN_OR_RETURN(std::string raw, EncodeMessage(schema, type_name, object));
  return WriteEnvelope(object.GetString({"apiVersion"}), object.GetString({"kind"}), raw);
}

absl::StatusOr<std::string> EncodeList(const schema::Schema& schema, std::string_view item_type,
                                       const json::Value& list) {
  if (!list.is_object()) return absl::InvalidArgumentError("a list must be an object");
  WireWriter message;
  const json::Value* metadata = list.Find("metadata");
  ASSIGN_OR_RETURN(std::string list_meta,
                   EncodeMessage(schema, kListMetaType,
                                 metadata != nullptr && metadata->is_object() ? *metadata : json::Value::EmptyObject()));
  message.BytesField(1, list_meta);
  if (const json::Value* items = list.Find("items"); items != nullptr && !items->is_null()) {
    if (!items->is_array()) return absl::InvalidArgumentError("items: expected an array");
    for (size_t i = 0; i < items->AsArray().size(); ++i) {
      auto item = EncodeMessage(schema, item_type, items->AsArray()[i]);
      if (!item.ok()) return absl::InvalidArgumentError(StrCat("items[", i, "].", item.status().message()));
      message.BytesField(2, *item);
    }
  }
  return WriteEnvelope(list.GetString({"apiVersion"}), list.GetString({"kind"}), message.data());
}

}  // namespace cubelet::kproto
