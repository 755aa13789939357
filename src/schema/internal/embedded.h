// Owns: access to the .schema texts compiled into the binary (generated at build time from
// src/schema/types/*.schema by embed_schemas.cmake).
// Does not own: parsing them (Schema::Parse).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace cubelet::schema::internal {

// (file name, text) for every embedded file, sorted by file name.
std::vector<std::pair<std::string, std::string>> EmbeddedSchemaTexts();

}  // namespace cubelet::schema::internal
