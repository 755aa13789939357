#include "json/parse.h"

#include <unordered_set>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "common/strings.h"

namespace cubelet::json {
namespace {

// Builds Values from RapidJSON's SAX events. The reader runs iteratively, so the only depth
// is this handler's explicit stack, bounded by max_depth.
class Builder {
 public:
  explicit Builder(const ParseOptions& options) : options_(options) {}

  bool Null() { return Put(Value()); }
  bool Bool(bool b) { return Put(Value(b)); }
  bool Int(int) { return false; }  // numbers arrive as strings (kParseNumbersAsStringsFlag)
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return Put(Value(Number{std::string(s, n)})); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return Put(Value(std::string(s, n))); }
  bool StartObject() { return Open(Value::EmptyObject()); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    Frame& f = stack_.back();
    f.key.assign(s, n);
    f.duplicate = false;
    Object& o = f.value->AsObject();
    if (o.size() >= kIndexThreshold) {
      if (f.keys.empty()) {
        for (const auto& m : o) f.keys.insert(m.first);
      }
      f.duplicate = !f.keys.insert(f.key).second;
    } else {
      for (const auto& m : o) {
        if (m.first == f.key) {
          f.duplicate = true;
          break;
        }
      }
    }
    if (f.duplicate && options_.duplicate_fields != nullptr) options_.duplicate_fields->push_back(PathTo(f.key));
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool StartArray() { return Open(Value::EmptyArray()); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

  bool depth_exceeded() const { return depth_exceeded_; }
  Value Take() { return std::move(root_); }

 private:
  static constexpr size_t kIndexThreshold = 32;

  struct Frame {
    Value* value;  // the open array or object (owned by its parent or root_)
    std::string key;
    bool duplicate = false;
    std::unordered_set<std::string> keys;  // only for large objects
  };

  // Places `v` where the innermost open container expects it; returns where it went.
  Value* Place(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = stack_.back();
    if (f.value->is_array()) {
      f.value->AsArray().push_back(std::move(v));
      return &f.value->AsArray().back();
    }
    Object& o = f.value->AsObject();
    if (f.duplicate) {
      for (auto& m : o) {
        if (m.first == f.key) {
          m.second = std::move(v);  // the last occurrence wins
          return &m.second;
        }
      }
    }
    o.emplace_back(std::move(f.key), std::move(v));
    return &o.back().second;
  }

  bool Put(Value v) {
    Place(std::move(v));
    return true;
  }

  bool Open(Value container) {
    if (static_cast<int>(stack_.size()) >= options_.max_depth) {
      depth_exceeded_ = true;
      return false;
    }
    // The parent's vector may reallocate only while this container is being placed, before
    // anything points into it; children are placed into the new container afterwards.
    Value* placed = Place(std::move(container));
    stack_.push_back(Frame{placed, {}, false, {}});
    return true;
  }

  bool Close() {
    stack_.pop_back();
    return true;
  }

  std::string PathTo(const std::string& key) const {
    std::string path;
    for (size_t i = 0; i + 1 < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      if (f.value->is_array()) {
        StrAppend(&path, "[", f.value->AsArray().size() - 1, "]");
      } else {
        if (!path.empty()) path += '.';
        path += f.key.empty() ? LastKey(*f.value) : f.key;
      }
    }
    if (!path.empty()) path += '.';
    path += key;
    return path;
  }

  // The key under which the object's newest member (the open child) was placed.
  static std::string LastKey(const Value& object) {
    const Object& o = object.AsObject();
    return o.empty() ? "" : o.back().first;
  }

  const ParseOptions& options_;
  Value root_;
  std::vector<Frame> stack_;
  bool depth_exceeded_ = false;
};

}  // namespace

std::string DepthError(int max_depth, size_t offset) {
  return StrCat("JSON nested deeper than ", max_depth, " levels at offset ", offset);
}

absl::StatusOr<Value> Parse(std::string_view text, const ParseOptions& options) {
  if (text.size() > options.max_bytes) {
    return absl::InvalidArgumentError(
        StrCat("JSON text of ", text.size(), " bytes is larger than the limit of ", options.max_bytes, " bytes"));
  }
  Builder builder(options);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(text.data(), text.size());
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult ok = reader.Parse<kFlags>(stream, builder);
  if (builder.depth_exceeded()) {
    return absl::InvalidArgumentError(DepthError(options.max_depth, ok.Offset()));
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        StrCat("invalid JSON at offset ", ok.Offset(), ": ", rapidjson::GetParseError_En(ok.Code())));
  }
  return builder.Take();
}

}  // namespace cubelet::json
