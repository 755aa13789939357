#include "api/yaml.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <set>
#include <unordered_set>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "common/strings.h"

namespace cubelet::api {
namespace {

// ---------------------------------------------------------------- YAML 1.1 plain scalars

// Plain (unquoted) scalars resolve as sigs.k8s.io/yaml resolves them (go-yaml v2, YAML 1.1),
// since that is what kubectl and the kubelet read manifests with.
std::optional<bool> YamlBool(const std::string& s) {
  static const std::set<std::string, std::less<>> kTrue = {"y", "Y", "yes", "Yes", "YES", "on",  "On",
                                                           "ON", "true", "True", "TRUE"};
  static const std::set<std::string, std::less<>> kFalse = {"n", "N", "no", "No", "NO", "off", "Off",
                                                            "OFF", "false", "False", "FALSE"};
  if (kTrue.contains(s)) return true;
  if (kFalse.contains(s)) return false;
  return std::nullopt;
}

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                               : (c >= '0' && c < static_cast<char>('0' + base));
    if (!ok) return false;
  }
  return true;
}

// An integer as Go's strconv.ParseInt(s, 0, 64) (or ParseUint) reads it, underscores removed
// first as go-yaml does: decimal, 0x hex, 0b binary, 0o or a leading 0 octal. The JSON
// (decimal) text, or nullopt.
std::optional<std::string> YamlInt(std::string s) {
  std::erase(s, '_');
  bool negative = false;
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    i = 1;
  }
  std::string_view digits = std::string_view(s).substr(i);
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'b' || digits[1] == 'B')) {
    base = 2;
    digits.remove_prefix(2);
  } else if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O')) {
    base = 8;
    digits.remove_prefix(2);
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;
    digits.remove_prefix(1);
  }
  if (!AllDigits(digits, base)) return std::nullopt;
  unsigned __int128 value = 0;
  for (char c : digits) {
    const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
    value = value * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (value > static_cast<unsigned __int128>(UINT64_MAX)) return std::nullopt;  // a float then
  }
  if (negative && value > static_cast<unsigned __int128>(INT64_MAX) + 1) return std::nullopt;
  const uint64_t magnitude = static_cast<uint64_t>(value);
  return negative && magnitude != 0 ? "-" + std::to_string(magnitude) : std::to_string(magnitude);
}

// A float as go-yaml's float pattern admits it ([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
// underscores removed), written as a valid JSON number with the same digits (".5" -> "0.5",
// "1." -> "1.0", "+007.5" -> "7.5"), or nullopt.
std::optional<std::string> YamlFloat(std::string s) {
  std::erase(s, '_');
  std::string sign;
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') sign = "-";
    i = 1;
  }
  size_t int_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  std::string integer = s.substr(int_start, i - int_start);
  std::string fraction;
  bool point = false;
  if (i < s.size() && s[i] == '.') {
    point = true;
    size_t f = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    fraction = s.substr(f, i - f);
  }
  if (integer.empty() && fraction.empty()) return std::nullopt;
  if (integer.empty() && !point) return std::nullopt;
  std::string exponent;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t e = ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t digits = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == digits) return std::nullopt;
    exponent = "e" + s.substr(e, i - e);
  }
  if (i != s.size()) return std::nullopt;
  integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size() - 1));
  if (integer.empty()) integer = "0";
  if (point && fraction.empty()) fraction = "0";
  return sign + integer + (point ? "." + fraction : "") + exponent;
}

void WriteJsonString(std::string* out, const std::string& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  out->append(buf.GetString(), buf.GetSize());
}

// ---------------------------------------------------------------- emission

constexpr size_t kMaxNodes = 2'000'000;
constexpr size_t kMaxBytes = 64 << 20;

// go-yaml v2's limit (decode.go allowedAliasRatio), which sigs.k8s.io/yaml applies: the share of
// nodes that come from expanding aliases may be 99% up to 400,000 nodes, falling to 10% at
// 4,000,000. An alias bomb, nearly all aliases, is refused after about a thousand nodes.
double AllowedAliasRatio(size_t nodes) {
  constexpr double kLow = 400'000, kHigh = 4'000'000;
  if (nodes <= kLow) return 0.99;
  if (nodes >= kHigh) return 0.10;
  return 0.99 - 0.89 * ((static_cast<double>(nodes) - kLow) / (kHigh - kLow));
}

SourcePosition PositionOf(const YAML::Mark& m) { return {m.line + 1, m.column + 1}; }

// Writes a loaded document as JSON. Aliases in yaml-cpp share the anchored node, so a small text
// can describe an exponentially large tree ("billion laughs"): emission counts nodes, the share
// of them that aliases expand, and bytes, and stops at the budget.
class Emitter {
 public:
  Emitter(std::string* out, SourcePositions* positions) : out_(out), positions_(positions) {}

  // Empty, or why the document was refused.
  const std::string& error() const { return error_; }

  void Emit(const YAML::Node& root) {
    if (positions_ != nullptr) positions_->Add("", PositionOf(root.Mark()));
    Node(root, SeenBefore(root));
  }

 private:
  void Node(const YAML::Node& n, bool in_alias) {
    if (!error_.empty()) return;
    ++nodes_;
    if (in_alias) ++alias_nodes_;
    if (alias_nodes_ > 100 && nodes_ > 1000 &&
        static_cast<double>(alias_nodes_) / static_cast<double>(nodes_) > AllowedAliasRatio(nodes_)) {
      error_ = "invalid YAML: the document contains excessive aliasing";
      return;
    }
    if (nodes_ > kMaxNodes || out_->size() > kMaxBytes) {
      error_ = "invalid YAML: the document expands to more than 2,000,000 nodes or 64 MiB (excessive aliasing)";
      return;
    }
    switch (n.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        out_->append("null");
        return;
      case YAML::NodeType::Scalar:
        Scalar(n);
        return;
      case YAML::NodeType::Sequence: {
        out_->push_back('[');
        size_t i = 0;
        for (const auto& item : n) {
          if (i > 0) out_->push_back(',');
          // An item that is an alias has the anchor's mark, not its own: it gets no position, so
          // errors inside it cite the list.
          const bool item_in_alias = in_alias || SeenBefore(item);
          const size_t mark = pointer_.size();
          if (Recording(in_alias)) {
            pointer_.push_back('/');
            pointer_.append(std::to_string(i));
            if (!item_in_alias) positions_->Add(pointer_, PositionOf(item.Mark()));
          }
          Node(item, item_in_alias);
          pointer_.resize(mark);
          ++i;
        }
        out_->push_back(']');
        return;
      }
      case YAML::NodeType::Map: {
        out_->push_back('{');
        bool first = true;
        for (const auto& kv : n) {
          if (!first) out_->push_back(',');
          first = false;
          const std::string& key = kv.first.Scalar();
          WriteJsonString(out_, key);
          out_->push_back(':');
          const size_t mark = pointer_.size();
          if (Recording(in_alias)) {
            AppendPointerToken(&pointer_, key);
            positions_->Add(pointer_, PositionOf(kv.first.Mark()));
          }
          Node(kv.second, in_alias || SeenBefore(kv.second));
          pointer_.resize(mark);
        }
        out_->push_back('}');
        return;
      }
    }
  }

  void Scalar(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") {  // quoted: always a string
      WriteJsonString(out_, s);
    } else if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
      out_->append("null");
    } else if (std::optional<bool> b = YamlBool(s)) {
      out_->append(*b ? "true" : "false");
    } else if (std::optional<std::string> i = YamlInt(s)) {
      out_->append(*i);
    } else if (std::optional<std::string> f = YamlFloat(s)) {
      out_->append(*f);
    } else {
      WriteJsonString(out_, s);
    }
  }

  bool Recording(bool in_alias) const { return positions_ != nullptr && !in_alias; }

  // True when this node was written before: an alias to it is being expanded (yaml-cpp shares
  // the anchored node), whose values have no position of their own. Nodes are told apart by
  // where they start; nulls are not (an implicit null may share its mark, and is one node anyway).
  bool SeenBefore(const YAML::Node& n) {
    if (n.Mark().pos < 0 || n.IsNull() || !n.IsDefined()) return false;
    return !seen_.insert(n.Mark().pos).second;
  }

  std::string* out_;
  SourcePositions* positions_;
  std::string pointer_;
  std::unordered_set<int> seen_;
  size_t nodes_ = 0;
  size_t alias_nodes_ = 0;
  std::string error_;
};

// yaml-cpp's parser recurses per level of nesting and refuses a document deeper than this
// (DepthGuard<500> in its SingleDocParser, with the message "bad file"): cubelet's YAML limit is
// that one, said clearly. Far below JSON's 10,000; no Kubernetes object comes near 100.
constexpr int kMaxYamlDepth = 500;

std::string YamlDepthError(int line, int column) {
  return StrCat("invalid YAML: nested deeper than ", kMaxYamlDepth, " levels at line ", line, ", column ", column);
}

// Where flow collections ([ and { outside quotes and comments) first nest deeper than the limit,
// or nullopt. yaml-cpp scans a whole run of flow collections before its parser reaches the
// depth guard (seconds and hundreds of MB for a few MB of "["), so such text is refused first.
std::optional<SourcePosition> FlowTooDeep(const std::string& yaml) {
  int depth = 0, line = 1, column = 0;
  char quote = 0;
  bool comment = false;
  for (char c : yaml) {
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    switch (c) {
      case '"': case '\'': quote = c; break;
      case '#': comment = true; break;
      case '[': case '{':
        if (++depth > kMaxYamlDepth) return SourcePosition{line, column};
        break;
      case ']': case '}': if (depth > 0) --depth; break;
      default: break;
    }
  }
  return std::nullopt;
}

absl::Status Convert(const std::string& yaml, std::string* json, SourcePositions* positions) {
  if (yaml.size() > kMaxBytes) {
    return absl::InvalidArgumentError(
        StrCat("invalid YAML: the document is ", yaml.size(), " bytes, larger than the limit of ", kMaxBytes, " bytes"));
  }
  if (std::optional<SourcePosition> at = FlowTooDeep(yaml)) {
    return absl::InvalidArgumentError(YamlDepthError(at->line, at->column));
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::DeepRecursion& e) {
    return absl::InvalidArgumentError(YamlDepthError(e.mark.line + 1, e.mark.column + 1));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        StrCat("invalid YAML: line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  Emitter emitter(json, positions);
  emitter.Emit(root);
  if (!emitter.error().empty()) return absl::InvalidArgumentError(emitter.error());
  return absl::OkStatus();
}

}  // namespace

std::optional<SourcePosition> SourcePositions::Find(std::string_view pointer) const {
  std::string key(pointer);
  while (true) {
    if (auto it = positions_.find(key); it != positions_.end()) return it->second;
    if (key.empty()) return std::nullopt;
    const size_t slash = key.rfind('/');
    key.resize(slash == std::string::npos ? 0 : slash);
  }
}

std::string AtLine(const SourcePositions* positions, std::string_view pointer) {
  if (positions == nullptr) return "";
  std::optional<SourcePosition> p = positions->Find(pointer);
  if (!p) return "";
  return StrCat(" (line ", p->line, ", column ", p->column, ")");
}

void AppendPointerToken(std::string* pointer, std::string_view key) {
  pointer->push_back('/');
  for (char c : key) {
    if (c == '~') {
      pointer->append("~0");
    } else if (c == '/') {
      pointer->append("~1");
    } else {
      pointer->push_back(c);
    }
  }
}

absl::StatusOr<std::string> YamlToJson(const std::string& yaml) {
  std::string json;
  absl::Status s = Convert(yaml, &json, nullptr);
  if (!s.ok()) return s;
  return json;
}

absl::StatusOr<YamlJson> YamlToJsonWithPositions(const std::string& yaml) {
  YamlJson out;
  absl::Status s = Convert(yaml, &out.json, &out.positions);
  if (!s.ok()) return s;
  return out;
}

}  // namespace cubelet::api
