#include "static_pods/file_source.h"

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cubelet::static_pods {
namespace {

namespace fs = std::filesystem;

std::string Manifest(const std::string& name, const std::string& image = "localhost/cubelet/testimage:1.0") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  containers:\n  - name: c\n    image: " +
         image + "\n";
}

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("static-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) { std::ofstream(dir_ / name) << content; }
  std::unique_ptr<FileSource> Source() {
    return std::make_unique<FileSource>(FileSourceOptions{dir_.string(), "node", absl::Seconds(20)},
                                        Logger(sink_, 0, &clock_));
  }
  static std::vector<std::string> Names(const std::vector<api::Pod>& pods) {
    std::vector<std::string> out;
    for (const auto& p : pods) out.push_back(p.metadata.name);
    return out;
  }

  fs::path dir_;
  RealClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
};

TEST_F(FileSourceTest, ABadManifestNeverHidesTheGoodOnesAndIsLoggedOncePerChange) {
  Write("a.yaml", Manifest("a"));
  Write("b.json", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"i:1"}]}})");
  Write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - {name: c}\n");
  Write(".hidden.yaml", Manifest("hidden"));
  auto source = Source();
  EXPECT_THAT(Names(source->ReadAll()), ::testing::ElementsAre("a-node", "b-node"));
  EXPECT_EQ(sink_->Count("spec.containers[0].image: Required value"), 1);
  EXPECT_EQ(sink_->Count((dir_ / "bad.yaml").string()), 1);
  // Unchanged: not logged again.
  source->ReadAll();
  EXPECT_EQ(sink_->Count("spec.containers[0].image: Required value"), 1);
  // Changed but still bad: logged again, once.
  Write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n  - {name: c, image: ''}\n");
  source->ReadAll();
  source->ReadAll();
  EXPECT_EQ(sink_->Count("spec.containers[0].image: Required value"), 2);
  // Fixed: the pod starts.
  Write("bad.yaml", Manifest("bad"));
  EXPECT_THAT(Names(source->ReadAll()), ::testing::ElementsAre("a-node", "b-node", "bad-node"));
}

TEST_F(FileSourceTest, DuplicatePodNamesAcrossFilesKeepTheFirst) {
  Write("1.yaml", Manifest("same"));
  Write("2.yaml", Manifest("same", "other:2"));
  auto source = Source();
  auto pods = source->ReadAll();
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].spec.containers[0].image, "localhost/cubelet/testimage:1.0");
  EXPECT_EQ(sink_->Count("is already defined by"), 1);
}

}  // namespace
}  // namespace cubelet::static_pods
