// Owns: reading tests/schema/corpus (CUBELET_SCHEMA_CORPUS_DIR, which the test target defines):
// its files in name order, each as a JSON object with the built-in schema's type for its kind.
// Does not own: what the tests check of the objects.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/json_codec.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/value.h"
#include "schema/schema.h"

namespace cubelet::schema::testing {

// The corpus's .yaml and .json files, sorted by name.
inline std::vector<std::filesystem::path> CorpusFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(CUBELET_SCHEMA_CORPUS_DIR)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct CorpusObject {
  json::Value object;  // the file as JSON (YAML converted)
  const StructType* type = nullptr;  // the built-in type of its apiVersion and kind
};

// Reads one corpus file. Fails fatally (call it in ASSERT_NO_FATAL_FAILURE) when the file is
// neither YAML nor JSON, or its kind is not in the built-in schema.
inline void ReadCorpusObject(const std::filesystem::path& path, CorpusObject* out) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  auto json_text = api::YamlToJson(text.str());
  ASSERT_TRUE(json_text.ok()) << json_text.status();
  auto object = json::Parse(*json_text);
  ASSERT_TRUE(object.ok()) << object.status();
  const std::string api_version = object->GetString({"apiVersion"});
  const size_t slash = api_version.find('/');
  GroupVersionKind gvk{slash == std::string::npos ? "" : api_version.substr(0, slash),
                       slash == std::string::npos ? api_version : api_version.substr(slash + 1),
                       object->GetString({"kind"})};
  out->type = Schema::BuiltIn().FindKind(gvk);
  ASSERT_NE(out->type, nullptr) << "no kind " << api_version << " " << gvk.kind;
  out->object = *std::move(object);
}

}  // namespace cubelet::schema::testing
