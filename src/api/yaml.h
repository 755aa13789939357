// Owns: the one YAML -> JSON path of cubelet (pod manifests, the KubeletConfiguration file, API
// request bodies, the scheduler's configuration), with Kubernetes' YAML semantics, and the
// positions in the YAML of what became each JSON value, so later errors can cite the line.
// Does not own: what the JSON means (json_codec.h for pods, each loader for its own format).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/statusor.h"

namespace cubelet::api {

// 1-based, as editors count.
struct SourcePosition {
  int line = 0;
  int column = 0;
};

// Where each value of a YAML document was written, by JSON pointer (RFC 6901: "/spec/containers/0/image").
// An object member is at its key; a list item at the item. Values copied from an alias are not
// listed: they resolve to the alias (their nearest listed ancestor).
class SourcePositions {
 public:
  // The position of `pointer`, else of its nearest ancestor that has one; nullopt when none does.
  std::optional<SourcePosition> Find(std::string_view pointer) const;
  void Add(std::string pointer, SourcePosition position) { positions_.emplace(std::move(pointer), position); }
  size_t size() const { return positions_.size(); }

 private:
  std::unordered_map<std::string, SourcePosition> positions_;
};

// " (line 12, column 7)" for `pointer` in `positions`, or "" when it has no position; the suffix
// errors about a value add after their message.
std::string AtLine(const SourcePositions* positions, std::string_view pointer);

struct YamlJson {
  std::string json;
  SourcePositions positions;
};

// YAML (a superset of JSON) to JSON text, keeping quoted scalars strings and typing plain ones
// as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) does, since kubectl and the kubelet read manifests
// with it: yes/no/on/off/y/n are booleans, 012 is octal, 0x1F hex, 1_000 an integer, .5 a float
// (written as valid JSON: 0.5). Anchors and aliases are expanded within go-yaml's budget (the
// share of nodes that aliases expand, 99% up to 400,000 nodes) and at most 2,000,000 nodes or
// 64 MiB of JSON, so an alias bomb is an InvalidArgument error at once, not a hang. A document
// over 64 MiB, or nested deeper than 500 levels (yaml-cpp's own limit), is refused as quickly
// ("invalid YAML: nested deeper than 500 levels at line 1, column 501").
// Syntax errors give line and column ("invalid YAML: line 3, column 5: ...").
absl::StatusOr<std::string> YamlToJson(const std::string& yaml);

// The same, also recording where each JSON value was written.
absl::StatusOr<YamlJson> YamlToJsonWithPositions(const std::string& yaml);

// Appends `key` to a JSON pointer as one reference token ("~" -> "~0", "/" -> "~1").
void AppendPointerToken(std::string* pointer, std::string_view key);

}  // namespace cubelet::api
