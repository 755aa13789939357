// Real-world manifests and the objects kubelets, schedulers and kubectl send (tests/schema/corpus)
// decode against the built-in schema without type errors or unknown fields: the tables are
// complete enough for what clients actually write.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/json_codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "schema/decode.h"
#include "schema/schema.h"

namespace cubelet::schema {
namespace {

using ::testing::IsEmpty;

TEST(SchemaCorpusTest, EveryCorpusObjectDecodesCleanly) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(CUBELET_SCHEMA_CORPUS_DIR)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
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
    const StructType* type = Schema::BuiltIn().FindKind(gvk);
    ASSERT_NE(type, nullptr) << "no kind " << api_version << " " << gvk.kind;
    DecodeReport report = Decode(Schema::BuiltIn(), type->name, &*object);
    EXPECT_THAT(report.type_errors, IsEmpty());
    EXPECT_THAT(report.unknown_fields, IsEmpty());
  }
}

}  // namespace
}  // namespace cubelet::schema
