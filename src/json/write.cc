#include "json/write.h"

namespace cubelet::json {
namespace {

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void WriteString(std::string_view s, std::string* out) {
  out->push_back('"');
  // Runs of characters that need no escaping are appended at once.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (u) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[u >> 4]);
        out->push_back(kHex[u & 0xf]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void WriteTo(const Value& v, std::string* out) {
  // Iterative, like the parser: a value's depth is bounded only by how it was built.
  struct Frame {
    const Value* value;
    size_t next;
  };
  std::vector<Frame> stack;
  auto emit_scalar_or_open = [&](const Value& x) {
    switch (x.type()) {
      case Type::kNull: out->append("null"); break;
      case Type::kBool: out->append(x.AsBool() ? "true" : "false"); break;
      case Type::kNumber: out->append(x.number_literal()); break;
      case Type::kString: WriteString(x.AsString(), out); break;
      case Type::kArray:
        out->push_back('[');
        stack.push_back({&x, 0});
        break;
      case Type::kObject:
        out->push_back('{');
        stack.push_back({&x, 0});
        break;
    }
  };
  emit_scalar_or_open(v);
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.value->is_array()) {
      const Array& a = f.value->AsArray();
      if (f.next == a.size()) {
        out->push_back(']');
        stack.pop_back();
        continue;
      }
      if (f.next > 0) out->push_back(',');
      const Value& child = a[f.next++];
      emit_scalar_or_open(child);
    } else {
      const Object& o = f.value->AsObject();
      if (f.next == o.size()) {
        out->push_back('}');
        stack.pop_back();
        continue;
      }
      if (f.next > 0) out->push_back(',');
      const Member& m = o[f.next++];
      WriteString(m.first, out);
      out->push_back(':');
      emit_scalar_or_open(m.second);
    }
  }
}

std::string Write(const Value& v) {
  std::string out;
  WriteTo(v, &out);
  return out;
}

}  // namespace cubelet::json
