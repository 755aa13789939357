// Owns: checking a decoded JSON object against its schema type the way upstream's typed decoder
// does: values of the wrong JSON type are errors, unknown and duplicate fields are reported for
// fieldValidation (Strict: an error; Warn: warnings; Ignore: dropped silently) and always removed,
// and nulls of typed fields are dropped (Go decodes them to zero values, which are omitted).
// Does not own: semantic validation (registry/ strategies).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"
#include "schema/schema.h"

namespace cubelet::schema {

struct DecodeReport {
  // 'json: cannot unmarshal string into Go struct field Container.spec.containers.ports of type
  // []v1.ContainerPort' style messages; any makes the request a 400.
  std::vector<std::string> type_errors;
  // Paths of unknown fields ("spec.containers[0].foo"), in document order.
  std::vector<std::string> unknown_fields;
};

// Checks and normalises `value` (an object of struct type `type_name`) in place.
DecodeReport Decode(const Schema& schema, std::string_view type_name, json::Value* value);

}  // namespace cubelet::schema
