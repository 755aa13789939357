// Real-world manifests and the objects kubelets, schedulers and kubectl send (tests/schema/corpus)
// decode against the built-in schema without type errors or unknown fields: the tables are
// complete enough for what clients actually write.
#include <filesystem>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "schema/corpus_util.h"
#include "schema/decode.h"
#include "schema/schema.h"

namespace cubelet::schema {
namespace {

using ::testing::IsEmpty;

TEST(SchemaCorpusTest, EveryCorpusObjectDecodesCleanly) {
  std::vector<std::filesystem::path> files = testing::CorpusFiles();
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    testing::CorpusObject c;
    ASSERT_NO_FATAL_FAILURE(testing::ReadCorpusObject(path, &c));
    DecodeReport report = Decode(Schema::BuiltIn(), c.type->name, &c.object);
    EXPECT_THAT(report.type_errors, IsEmpty());
    EXPECT_THAT(report.unknown_fields, IsEmpty());
  }
}

}  // namespace
}  // namespace cubelet::schema
