#include "api/json_codec.h"

#include <algorithm>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "api/pod_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::api {
namespace {

using codec::DecodeContext;
using codec::JsonWriter;
using codec::ValueCodec;

// Deeper JSON is refused before parsing: writing unknown members back recurses per level.
constexpr size_t kMaxJsonDepth = 1000;

size_t JsonDepth(const std::string& json) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[': case '{': deepest = std::max(deepest, ++depth); break;
      case ']': case '}': if (depth > 0) --depth; break;
      default: break;
    }
  }
  return deepest;
}

absl::Status ParseJson(const std::string& json, rapidjson::Document& doc) {
  if (JsonDepth(json) > kMaxJsonDepth) {
    return absl::InvalidArgumentError(StrCat("invalid JSON: nesting deeper than ", kMaxJsonDepth, " levels"));
  }
  doc.Parse<rapidjson::kParseIterativeFlag>(json.c_str(), json.size());
  if (doc.HasParseError()) {
    const size_t off = doc.GetErrorOffset();
    const size_t line = 1 + std::count(json.begin(), json.begin() + std::min(off, json.size()), '\n');
    return absl::InvalidArgumentError(
        StrCat("invalid JSON: line ", line, ": ", rapidjson::GetParseError_En(doc.GetParseError())));
  }
  return absl::OkStatus();
}

bool LooksLikeJson(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && text[first] == '{';
}

}  // namespace

absl::StatusOr<Pod> DecodePod(const std::string& text) {
  YamlJson yaml;
  const SourcePositions* positions = nullptr;
  const std::string* json = &text;
  if (!LooksLikeJson(text)) {
    ASSIGN_OR_RETURN(yaml, YamlToJsonWithPositions(text));
    json = &yaml.json;
    positions = &yaml.positions;
  }
  rapidjson::Document doc;
  RETURN_IF_ERROR(ParseJson(*json, doc));
  Pod pod;
  DecodeContext ctx;
  absl::Status s = ValueCodec<Pod>::Decode(doc, ctx, pod);
  if (!s.ok()) return absl::InvalidArgumentError(StrCat(s.message(), AtLine(positions, ctx.error_pointer())));
  return pod;
}

absl::StatusOr<std::vector<Pod>> DecodePodList(const std::string& json) {
  rapidjson::Document doc;
  RETURN_IF_ERROR(ParseJson(json, doc));
  DecodeContext ctx;
  if (!doc.IsObject()) return ctx.TypeError("a PodList object", doc);
  std::vector<Pod> out;
  auto items = doc.FindMember("items");
  if (items == doc.MemberEnd() || items->value.IsNull()) return out;
  auto scope = ctx.Field("items");
  RETURN_IF_ERROR(ValueCodec<std::vector<Pod>>::Decode(items->value, ctx, out));
  return out;
}

std::string EncodePod(const Pod& pod) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  ValueCodec<Pod>::Encode(pod, w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string EncodePodList(const std::vector<Pod>& pods) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("kind");
  w.String("PodList");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("metadata");
  w.StartObject();
  w.EndObject();
  w.Key("items");
  ValueCodec<std::vector<Pod>>::Encode(pods, w);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string FormatRfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

std::string FormatRfc3339Nano(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

}  // namespace cubelet::api
