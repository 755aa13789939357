// Owns: decoding Pods from JSON and YAML text and encoding them (and PodLists) back to JSON,
// with upstream's field names, keeping every field cubelet does not model.
// Does not own: defaults and validation (defaults.h, validation.h).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"

namespace cubelet::api {

// Decodes one object. Type errors name the field path ("spec.containers[0].ports[1].containerPort:
// expected an integer, got a string"). `text` may be JSON or YAML.
absl::StatusOr<Pod> DecodePod(const std::string& text);

// Decodes a v1 PodList (as /pods serves it).
absl::StatusOr<std::vector<Pod>> DecodePodList(const std::string& json);

// YAML (a superset of JSON) to JSON text, keeping quoted scalars strings and typing plain ones
// as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) does, since kubectl and the kubelet read manifests
// with it: yes/no/on/off/y/n are booleans, 012 is octal, 0x1F hex, 1_000 an integer, .5 a float
// (written as valid JSON: 0.5). Errors give line and column.
absl::StatusOr<std::string> YamlToJson(const std::string& yaml);

// The pod as JSON; fields of pod.raw that the model does not know are kept.
std::string EncodePod(const Pod& pod);
// A v1 PodList of `pods`, as the kubelet's /pods endpoint serves it.
std::string EncodePodList(const std::vector<Pod>& pods);

// RFC 3339 in UTC with second precision ("2026-11-25T10:11:12Z"), the API's metav1.Time.
std::string FormatRfc3339(absl::Time t);
// RFC 3339 with nanoseconds, as kubernetes.io/config.seen uses.
std::string FormatRfc3339Nano(absl::Time t);

}  // namespace cubelet::api
