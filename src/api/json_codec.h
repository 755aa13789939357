// Owns: decoding Pods from JSON and YAML text and encoding them (and PodLists) back to JSON,
// losslessly: decode -> encode -> decode gives the same Pod (==), fields the model does not know
// are written back in the object where they appeared, and a field cleared in the model is gone
// from the JSON. One field table per type drives both directions (pod_fields.cc).
// Does not own: defaults and validation (defaults.h, validation.h), YAML itself (yaml.h), the
// frozen form that identity hashes cover (canonical_pod.h).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"
#include "api/yaml.h"

namespace cubelet::api {

// Decodes one object. `text` may be JSON or YAML. Type errors name the field path, and for YAML
// the line and column it was written at ("spec.containers[0].ports[1].containerPort: expected an
// integer, got a string (line 12, column 9)"). Times keep whole seconds, as metav1.Time does.
absl::StatusOr<Pod> DecodePod(const std::string& text);

// Decodes a v1 PodList (as /pods serves it).
absl::StatusOr<std::vector<Pod>> DecodePodList(const std::string& json);

// The pod as JSON, with upstream's field order and omitempty rules: a field that is a pointer
// upstream (std::optional here) is written whenever set, even to zero (runAsUser: 0).
std::string EncodePod(const Pod& pod);
// A v1 PodList of `pods`, as the kubelet's /pods endpoint serves it.
std::string EncodePodList(const std::vector<Pod>& pods);

// RFC 3339 in UTC with second precision ("2026-11-25T10:11:12Z"), the API's metav1.Time.
std::string FormatRfc3339(absl::Time t);
// RFC 3339 with nanoseconds, as kubernetes.io/config.seen uses.
std::string FormatRfc3339Nano(absl::Time t);

}  // namespace cubelet::api
