// The file and http sources together through one PodConfig: each source's re-read only ever
// changes its own pods.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/file_pod_source.h"
#include "config/http_source.h"
#include "config/manifest_server.h"
#include "config/pod_config.h"
#include "testutil/temp_dir.h"

namespace cubelet::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::string Manifest(const std::string& name, const std::string& image = "localhost/cubelet/testimage:1.0") {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", name, "\nspec:\n  containers:\n  - name: c\n    image: ",
                image, "\n");
}

class SourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::make_unique<FilePodSource>(
        static_pods::FileSourceOptions{dir_.path(), "node", absl::Seconds(20)}, Logger(sink_, 0, &clock_),
        static_pods::NewInotifyWatcher(dir_.path()), &timers_, config_.Channel(kFileSource));
    auto http = HttpSource::Create({.url = server_.Url(), .node_name = "node"}, Logger(sink_, 0, &clock_), &timers_,
                                   config_.Channel(kHttpSource));
    ASSERT_TRUE(http.ok()) << http.status();
    http_ = *std::move(http);
  }
  void Write(const std::string& name, const std::string& content) { dir_.Write(name, content); }
  std::vector<std::string> Take() { return std::exchange(ops_, {}); }
  std::vector<std::string> Running() const {
    std::vector<std::string> out;
    for (const auto& p : config_.MergedState()) {
      out.push_back(StrCat(p->metadata.name, "@", p->metadata.annotations.at("kubernetes.io/config.source")));
    }
    return out;
  }

  FakeClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  std::vector<std::string> ops_;
  PodConfig config_{&clock_, Logger(sink_, 0, &clock_), [this](const PodUpdate& u) {
                      for (const auto& p : u.pods) ops_.push_back(StrCat(OperationName(u.op), " ", p->metadata.name));
                    }};
  cubelet::testing::TempDir dir_{"sources-test"};
  ManifestServer server_;
  TimerQueue timers_{&clock_, Logger(sink_, 0, &clock_)};
  std::unique_ptr<FilePodSource> file_;
  std::unique_ptr<HttpSource> http_;
};

TEST_F(SourcesTest, AReReadOfOneSourceNeverTouchesTheOthersPods) {
  Write("a.yaml", Manifest("a"));
  server_.Serve(Manifest("b"));
  EXPECT_FALSE(config_.SeenAllSources());
  file_->Sync();
  EXPECT_FALSE(config_.SeenAllSources()) << "http has not answered yet";
  ASSERT_TRUE(http_->Poll().ok());
  EXPECT_TRUE(config_.SeenAllSources());
  EXPECT_THAT(Take(), ElementsAre("ADD a-node", "ADD b-node"));
  EXPECT_THAT(Running(), UnorderedElementsAre("a-node@file", "b-node@http"));

  // The manifest directory empties: only the file pod goes.
  std::filesystem::remove(dir_ / "a.yaml");
  file_->Sync();
  EXPECT_THAT(Take(), ElementsAre("REMOVE a-node"));
  EXPECT_THAT(Running(), ElementsAre("b-node@http"));

  // The URL fails, then serves nothing: the file pod that came back is untouched.
  Write("a.yaml", Manifest("a"));
  file_->Sync();
  server_.Serve("", 500);
  EXPECT_FALSE(http_->Poll().ok());
  server_.Serve("");
  ASSERT_TRUE(http_->Poll().ok());
  EXPECT_THAT(Take(), ElementsAre("ADD a-node", "REMOVE b-node"));
  EXPECT_THAT(Running(), ElementsAre("a-node@file"));

  // Re-reads without changes: nothing.
  file_->Sync();
  ASSERT_TRUE(http_->Poll().ok());
  EXPECT_THAT(Take(), IsEmpty());
}

TEST_F(SourcesTest, TheSameManifestFromBothSourcesIsTwoPods) {
  // Same pod, different origins: the UIDs differ ("file:<path>" vs "url:<url>"), so neither
  // source's set can replace the other's pod.
  Write("web.yaml", Manifest("web"));
  server_.Serve(Manifest("web"));
  file_->Sync();
  ASSERT_TRUE(http_->Poll().ok());
  EXPECT_THAT(Take(), ElementsAre("ADD web-node", "ADD web-node"));
  std::vector<std::string> uids;
  for (const auto& p : config_.MergedState()) uids.push_back(p->metadata.uid);
  ASSERT_EQ(uids.size(), 2u);
  EXPECT_NE(uids[0], uids[1]);
  std::filesystem::remove(dir_ / "web.yaml");
  file_->Sync();
  EXPECT_THAT(Take(), ElementsAre("REMOVE web-node"));
  EXPECT_THAT(Running(), ElementsAre("web-node@http"));
}

}  // namespace
}  // namespace cubelet::config
