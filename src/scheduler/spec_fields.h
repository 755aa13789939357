// Owns: typed reads of the members of pod, node and plugin-args JSON, with errors that name the
// field ("spec.tolerations[0].tolerationSeconds: expected an integer, got string"), and the
// spec pieces read in more than one place: node selector terms and preferred scheduling terms
// (a pod's node affinity and NodeAffinityArgs.addedAffinity), taints and tolerations.
// Does not own: what the values mean to plugins, defaults and validation of whole objects
// (the API server applied them at admission).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json/value.h"
#include "scheduler/pod_info.h"

namespace cubelet::scheduler::spec {

// "spec" + "containers" -> "spec.containers"; an empty parent gives the key alone.
std::string FieldPath(std::string_view parent, std::string_view key);
// "spec.containers" + 2 -> "spec.containers[2]".
std::string IndexPath(std::string_view parent, size_t index);

// The member `key` of `object` when present and not null, else nullptr. InvalidArgument naming
// `<path>.<key>` when it is present with another type than `type`.
absl::StatusOr<const json::Value*> Member(const json::Value& object, std::string_view key, json::Type type,
                                          std::string_view path);
absl::StatusOr<std::string> StringMember(const json::Value& object, std::string_view key, std::string_view path,
                                         std::string_view fallback = "");
absl::StatusOr<std::optional<int64_t>> IntMember(const json::Value& object, std::string_view key,
                                                 std::string_view path);
absl::StatusOr<bool> BoolMember(const json::Value& object, std::string_view key, std::string_view path);
absl::StatusOr<std::vector<std::string>> StringListMember(const json::Value& object, std::string_view key,
                                                          std::string_view path);
absl::StatusOr<std::map<std::string, std::string, std::less<>>> StringMapMember(const json::Value& object,
                                                                                std::string_view key,
                                                                                std::string_view path);
// The elements of an array member that must each be an object (nullptr member: none).
absl::StatusOr<std::vector<const json::Value*>> ObjectListMember(const json::Value& object, std::string_view key,
                                                                 std::string_view path);

// A NodeSelectorTerm at `path`. JSON of the wrong shape is an error. A requirement upstream's
// node selector would refuse (an unknown operator, a bad key or value, the wrong number of
// values, a Gt/Lt value that is not an integer, a matchFields operator other than In/NotIn) is
// reported in `*invalid` (naming the field) and the term comes back without requirements, so it
// matches nothing: upstream treats a required term that does not parse the same way.
absl::StatusOr<NodeSelectorTerm> ParseNodeSelectorTerm(const json::Value& term, std::string_view path,
                                                       std::string* invalid);
// A NodeSelector object ({nodeSelectorTerms: [...]}). With `strict`, a term that does not parse
// is an error; otherwise it stays in the list and matches nothing.
absl::StatusOr<std::vector<NodeSelectorTerm>> ParseNodeSelector(const json::Value& selector, std::string_view path,
                                                                bool strict);
// A list of PreferredSchedulingTerm ({weight, preference}). A term that does not parse is an
// error (upstream fails the pod's scoring) unless its weight is 0 or its preference is empty:
// those are skipped as upstream skips them.
absl::StatusOr<std::vector<PreferredSchedulingTerm>> ParsePreferredSchedulingTerms(const json::Value* list,
                                                                                   std::string_view path);

absl::StatusOr<std::vector<Taint>> ParseTaints(const json::Value* list, std::string_view path);
absl::StatusOr<std::vector<Toleration>> ParseTolerations(const json::Value* list, std::string_view path);

}  // namespace cubelet::scheduler::spec
