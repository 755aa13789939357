#include "static_pods/file_source.h"
#include "static_pods/manifest_directory.h"

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

// Hostile manifests beside a good one: each is refused with an error naming its file and the
// reason, and the good pod loads (before, the deep JSON exhausted the stack).
TEST_F(FileSourceTest, DeepNestingAndAliasBombsAreRefusedNamingTheFile) {
  Write("a.yaml", Manifest("a"));
  Write("deep.json", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"x":)" + std::string(200000, '['));
  std::string blocks = "apiVersion: v1\nkind: Pod\nmetadata: {name: blocks}\nx:\n";
  for (int i = 0; i < 100000; ++i) blocks += "- ";
  Write("blocks.yaml", blocks + "x\n");
  std::string bomb = "apiVersion: v1\nkind: Pod\nmetadata: {name: bomb}\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    const std::string prev(1, static_cast<char>(level - 1));
    bomb += std::string(1, level) + ": &" + std::string(1, level) + " [";
    for (int i = 0; i < 9; ++i) bomb += (i == 0 ? "*" : ",*") + prev;
    bomb += "]\n";
  }
  Write("bomb.yaml", bomb);
  auto source = Source();
  EXPECT_THAT(Names(source->ReadAll()), ::testing::ElementsAre("a-node"));
  EXPECT_EQ(sink_->Count((dir_ / "deep.json").string() + ": JSON nested deeper than 10000 levels at offset "), 1);
  EXPECT_EQ(sink_->Count((dir_ / "blocks.yaml").string() + ": invalid YAML: nested deeper than 500 levels"), 1);
  EXPECT_EQ(sink_->Count((dir_ / "bomb.yaml").string() + ": invalid YAML: the document contains excessive aliasing"), 1);
}

// A file of 1 GiB (sparse: it costs no disk) beside a good manifest: refused with an error naming
// it, without being read (the limit is upstream's maxConfigLength, 10 MiB); the good pod loads.
TEST_F(FileSourceTest, AManifestOverTenMebibytesIsRefusedWithoutBeingRead) {
  Write("a.yaml", Manifest("a"));
  Write("huge.yaml", Manifest("huge"));
  fs::resize_file(dir_ / "huge.yaml", uint64_t{1} << 30);
  auto source = Source();
  EXPECT_THAT(Names(source->ReadAll()), ::testing::ElementsAre("a-node"));
  EXPECT_EQ(sink_->Count((dir_ / "huge.yaml").string() + ": is 1073741824 bytes, larger than the 10 MiB limit"), 1);
  source->ReadAll();
  EXPECT_EQ(sink_->Count("larger than the 10 MiB limit"), 1) << "logged once, not at every read";
}

// staticPodPath naming one file: the read itself stops at the limit (the file may also grow
// after it was listed), so memory stays bounded whatever the file's size.
TEST_F(FileSourceTest, ASingleManifestFileIsReadOnlyUpToTheLimit) {
  Write("pod.yaml", Manifest("pod"));
  fs::resize_file(dir_ / "pod.yaml", uint64_t{1} << 30);
  FileSource source(FileSourceOptions{(dir_ / "pod.yaml").string(), "node", absl::Seconds(20)}, Logger(sink_, 0, &clock_));
  EXPECT_TRUE(source.ReadAll().empty());
  EXPECT_EQ(sink_->Count((dir_ / "pod.yaml").string() +
                         ": the manifest is larger than the limit of 10485760 bytes (10 MiB); not read"),
            1);
}

// At the limit: a manifest of exactly 10 MiB (padded with a YAML comment) is read; one byte more
// is refused.
TEST_F(FileSourceTest, AManifestOfExactlyTenMebibytesIsReadOneByteMoreIsNot) {
  for (const uint64_t size : {kMaxManifestBytes, kMaxManifestBytes + 1}) {
    std::string content = Manifest("pod") + "\n#";
    content += std::string(size - content.size() - 1, 'x') + "\n";
    ASSERT_EQ(content.size(), size);
    Write("pod.yaml", content);
    FileSource source(FileSourceOptions{(dir_ / "pod.yaml").string(), "node", absl::Seconds(20)},
                      Logger(sink_, 0, &clock_));
    EXPECT_EQ(source.ReadAll().size(), size == kMaxManifestBytes ? 1u : 0u) << size << " bytes";
  }
}

}  // namespace
}  // namespace cubelet::static_pods
