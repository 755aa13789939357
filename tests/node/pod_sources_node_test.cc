// The file and http pod sources together on real containerd: each source's pods run, and one
// source's changes (a removed manifest, a failing or emptied URL) never touch the other's pods.
#include "config/manifest_server.h"
#include "node/static_pod_fixture.h"

namespace cubelet::testing {
namespace {

using ::testing::HasSubstr;

class PodSourcesNodeTest : public StaticPodNodeTest {
 protected:
  bool StaysRunning(const std::string& container_id, absl::Duration d) {
    const absl::Time end = absl::Now() + d;
    while (absl::Now() < end) {
      if (!RunningContainerIds().contains(container_id)) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return true;
  }
  bool Stops(const std::string& container_id) {
    for (int i = 0; i < 300 && RunningContainerIds().contains(container_id); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return !RunningContainerIds().contains(container_id);
  }
  static std::string Id(const api::Pod& p, const std::string& container) {
    const auto* c = Container(p, container);
    return c == nullptr ? "" : c->container_id.substr(13);  // without containerd://
  }
};

TEST_F(PodSourcesNodeTest, FileAndUrlPodsRunSideBySideAndEachSourceOnlyChangesItsOwn) {
  const std::string spec = "  terminationGracePeriodSeconds: 2\n  containers:\n";
  config::ManifestServer url;  // as a config management server would serve the pods
  url.Serve(PodYaml("fromurl", spec + Container1("main", "\"exec sleep 3600\"")));
  WriteManifest("fromfile.yaml", PodYaml("fromfile", spec + Container1("main", "\"exec sleep 3600\"")));
  AppendConfig(StrCat("staticPodURL: ", url.Url(), "\nhttpCheckFrequency: 1s\n"));
  StartCubelet();

  api::Pod from_url = Wait("fromurl-", Running);
  api::Pod from_file = Wait("fromfile-", Running);
  EXPECT_EQ(from_url.metadata.annotations["kubernetes.io/config.source"], "http");
  EXPECT_EQ(from_file.metadata.annotations["kubernetes.io/config.source"], "file");
  const std::string url_container = Id(from_url, "main");
  const std::string file_container = Id(from_file, "main");
  ASSERT_FALSE(url_container.empty());
  ASSERT_FALSE(file_container.empty());

  // The manifest directory loses its pod: only that pod stops.
  fs::remove(manifests_ + "/fromfile.yaml");
  EXPECT_TRUE(Stops(file_container)) << cubelet_->Log();
  EXPECT_TRUE(RunningContainerIds().contains(url_container)) << "a re-read of the directory stopped the URL's pod";

  // The URL fails: its last pods keep running (several checks pass meanwhile).
  url.Serve("oops", 500);
  ASSERT_TRUE(cubelet_->WaitForLog("Failed to read pods from URL")) << cubelet_->Log();
  EXPECT_TRUE(StaysRunning(url_container, absl::Seconds(3))) << cubelet_->Log();
  EXPECT_THAT(cubelet_->Log(), HasSubstr("500"));

  // A file pod added meanwhile runs; the URL's pod is untouched by that re-read too.
  WriteManifest("second.yaml", PodYaml("second", spec + Container1("main", "\"exec sleep 3600\"")));
  Wait("second-", Running);
  EXPECT_TRUE(RunningContainerIds().contains(url_container));

  // The URL serves an empty set: its pod stops, the file's pod stays.
  const std::string second_container = Id(Wait("second-", Running), "main");
  url.Serve("");
  EXPECT_TRUE(Stops(url_container)) << cubelet_->Log();
  EXPECT_TRUE(RunningContainerIds().contains(second_container));
}

}  // namespace
}  // namespace cubelet::testing
