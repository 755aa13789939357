#include "api/json_codec.h"

#include <algorithm>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "api/pod_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/parse.h"

namespace cubelet::api {
namespace {

using codec::DecodeContext;
using codec::JsonWriter;
using codec::ValueCodec;

// Forwards RapidJSON's SAX events to a Document, refusing nesting deeper than json::kMaxDepth
// while the (iterative) reader runs: nothing recurses per level of the text.
class DepthLimitedHandler {
 public:
  explicit DepthLimitedHandler(rapidjson::Document& doc) : doc_(doc) {}
  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return doc_.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return Leave() && doc_.EndObject(n); }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return Leave() && doc_.EndArray(n); }

  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    too_deep_ = ++depth_ > json::kMaxDepth;
    return !too_deep_;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  rapidjson::Document& doc_;
  int depth_ = 0;
  bool too_deep_ = false;
};

absl::Status ParseJson(const std::string& json, rapidjson::Document& doc) {
  // As json::Parse: larger text is refused before anything is parsed.
  constexpr size_t kMaxBytes = json::ParseOptions().max_bytes;
  if (json.size() > kMaxBytes) {
    return absl::InvalidArgumentError(
        StrCat("JSON text of ", json.size(), " bytes is larger than the limit of ", kMaxBytes, " bytes"));
  }
  DepthLimitedHandler handler(doc);
  rapidjson::ParseResult result;
  auto generate = [&](rapidjson::Document&) {
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(json.data(), json.size());
    result = reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler);
    return !result.IsError();
  };
  doc.Populate(generate);
  if (handler.too_deep()) return absl::InvalidArgumentError(json::DepthError(json::kMaxDepth, result.Offset()));
  if (result.IsError()) {
    const size_t off = result.Offset();
    const size_t line = 1 + std::count(json.begin(), json.begin() + std::min(off, json.size()), '\n');
    return absl::InvalidArgumentError(
        StrCat("invalid JSON: line ", line, ": ", rapidjson::GetParseError_En(result.Code())));
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
