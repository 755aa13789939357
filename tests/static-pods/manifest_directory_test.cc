#include "static_pods/manifest_directory.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cubelet::static_pods {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

class ManifestDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("manifests-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, size_t bytes = 10) {
    std::ofstream(dir_ / name) << std::string(bytes, 'x');
  }
  fs::path dir_;
};

TEST_F(ManifestDirectoryTest, EveryNonDotRegularFileWithoutRecursion) {
  Write("b.yaml");
  Write("a.json");
  Write("noext");
  Write(".hidden.yaml");
  fs::create_directories(dir_ / "sub");
  std::ofstream(dir_ / "sub" / "c.yaml") << "x";
  fs::create_symlink(dir_ / "a.json", dir_ / "link.yaml");
  auto l = ListManifestFiles(dir_.string());
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_THAT(l->files, ElementsAre((dir_ / "a.json").string(), (dir_ / "b.yaml").string(),
                                    (dir_ / "link.yaml").string(), (dir_ / "noext").string()));
  ASSERT_EQ(l->skipped.size(), 1u);
  EXPECT_EQ(l->skipped[0].path, (dir_ / "sub").string());
  EXPECT_EQ(l->skipped[0].reason, "is a directory (not recursing)");
}

TEST_F(ManifestDirectoryTest, FilesOverTenMebibytesAreRefused) {
  Write("small.yaml", kMaxManifestBytes);
  Write("big.yaml", kMaxManifestBytes + 1);
  auto l = ListManifestFiles(dir_.string());
  ASSERT_TRUE(l.ok());
  EXPECT_THAT(l->files, ElementsAre((dir_ / "small.yaml").string()));
  ASSERT_EQ(l->skipped.size(), 1u);
  EXPECT_THAT(l->skipped[0].reason, ::testing::HasSubstr("larger than the 10 MiB limit"));
}

TEST_F(ManifestDirectoryTest, MissingDirectoryIsEmpty) {
  auto l = ListManifestFiles((dir_ / "absent").string());
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->files.empty());
}

}  // namespace
}  // namespace cubelet::static_pods
