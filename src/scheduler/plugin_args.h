// Owns: reading a plugin's pluginConfig args object (KubeSchedulerConfiguration
// `pluginConfig[].args`): only the members a plugin knows are accepted ("unknown field" errors
// otherwise, as strict decoding has them), `apiVersion` and `kind` may be present, and the
// resource lists with weights that several plugins share.
// Does not own: each plugin's defaults and validation (the plugin files).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "json/value.h"

namespace cubelet::scheduler::args {

// OK for nullptr (no args: the plugin's defaults). InvalidArgument when `args` is not an object,
// names a member outside `known` (`unknown field "foo"`), or has a `kind` other than
// `expected_kind`.
absl::Status CheckTopLevel(const json::Value* args, std::string_view expected_kind,
                           std::initializer_list<std::string_view> known);
// The same for a nested object at `path` ("scoringStrategy"): `unknown field "scoringStrategy.foo"`.
absl::Status CheckNested(const json::Value& object, std::string_view path,
                         std::initializer_list<std::string_view> known);

// A plugin that takes no args: nullptr, null or {} (with apiVersion/kind at most).
absl::Status CheckNoArgs(const json::Value* args, std::string_view plugin);

// Upstream config.ResourceSpec.
struct ResourceSpec {
  std::string name;
  int64_t weight = 0;  // 0 when not given; plugins default it
};

// [{name, weight}] at `path`; nullptr or null is an empty list.
absl::StatusOr<std::vector<ResourceSpec>> ParseResourceSpecs(const json::Value* list, std::string_view path);

}  // namespace cubelet::scheduler::args
