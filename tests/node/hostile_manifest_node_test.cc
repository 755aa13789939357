// Hostile static manifests against real containerd, as a user who may write pods would try them
// once pods come from an API server: each is refused with an error naming the file and what is
// wrong, cubelet stays up, and the pod already running on the node is never touched.
#include <signal.h>

#include "node/static_pod_fixture.h"

namespace cubelet::testing {
namespace {

using ::testing::HasSubstr;

// The YAML "billion laughs": nine levels of nine aliases, 9^9 nodes once expanded.
std::string AliasBomb() {
  std::string y = "apiVersion: v1\nkind: Pod\nmetadata: {name: bomb}\nspec:\n  containers: []\n  x0: &a0 [lol]\n";
  for (int i = 1; i <= 9; ++i) {
    y += StrCat("  x", i, ": &a", i, " [");
    for (int j = 0; j < 9; ++j) y += StrCat(j ? ", " : "", "*a", i - 1);
    y += "]\n";
  }
  return y;
}

TEST_F(StaticPodNodeTest, HostileManifestsAreRefusedAndTheRunningPodIsUntouched) {
  StartCubelet();
  WriteManifest("steady.yaml", PodYaml("steady", "  containers:\n" + Container1("main", "\"exec sleep 3600\"")));
  api::Pod steady = Wait("steady-", Running);
  const std::string steady_id = Container(steady, "main")->container_id;

  const std::string escape = StrCat(dir_, "-escaped");  // beside cubelet's dirs, never inside them
  fs::remove_all(escape);
  const std::string relative_escape = StrCat("../../../../../../../../..", escape);
  // A hostPath volume whose directory holds a symlink to the host's root.
  const std::string planted = dir_ + "/planted";
  fs::create_directories(planted);
  fs::create_symlink("/", planted + "/link");

  struct Hostile {
    std::string file, content, expected;
  } hostile[] = {
      {"traversal.yaml",
       StrCat("apiVersion: v1\nkind: Pod\nmetadata: {name: traversal, uid: \"", relative_escape,
              "\"}\nspec:\n  containers:\n", Container1("main", "\"exec sleep 3600\"")),
       "metadata.uid"},
      {"huge.yaml",
       PodYaml("huge", "  containers:\n" + Container1("main", "\"exec sleep 3600\"",
                                                    "    resources: {limits: {memory: 100000000000000000000000000Ei}}\n")),
       "limits[memory]"},
      {"port.yaml",
       PodYaml("port", "  containers:\n" + Container1("main", "\"exec sleep 3600\"",
                                                    "    livenessProbe: {httpGet: {port: \"99999999999\"}}\n")),
       "livenessProbe.httpGet.port"},
      {"bomb.yaml", AliasBomb(), "alias"},
      {"deep.json", std::string(200000, '[') + std::string(200000, ']'), "nested deeper than"},
  };
  for (const Hostile& h : hostile) WriteManifest(h.file, h.content);
  WriteManifest("subpath.yaml",
                PodYaml("subpath", StrCat("  volumes: [{name: v, hostPath: {path: ", planted, "}}]\n  containers:\n",
                                          Container1("main", "\"exec sleep 3600\"",
                                                     "    volumeMounts: [{name: v, mountPath: /mnt, subPath: link}]\n"))));

  for (const Hostile& h : hostile) {
    ASSERT_TRUE(cubelet_->WaitForLog(h.file)) << h.file << " was never reported\n" << cubelet_->Log();
  }
  // The symlinked subPath is a container config error of that pod alone, naming the field.
  api::Pod subpath = Wait("subpath-", [](const api::Pod& p) {
    const api::ContainerStatus* c = Container(p, "main");
    return c != nullptr && c->state.waiting && c->state.waiting->reason == "CreateContainerConfigError";
  });
  const api::ContainerStatus* c = Container(subpath, "main");
  ASSERT_NE(c, nullptr);
  EXPECT_THAT(c->state.waiting->message, HasSubstr("subPath"));

  const std::string log = cubelet_->Log();
  for (const Hostile& h : hostile) {
    bool named = false;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(h.file) != std::string::npos && line.find(h.expected) != std::string::npos) named = true;
    }
    EXPECT_TRUE(named) << h.file << ": no error line naming the file and \"" << h.expected << "\"\n" << log;
  }
  EXPECT_FALSE(fs::exists(escape)) << "the traversal uid created a directory outside cubelet's dirs";
  EXPECT_EQ(::kill(cubelet_->pid(), 0), 0) << "cubelet died";
  auto pods = FetchPods(port_);
  ASSERT_TRUE(pods.ok()) << pods.status();
  for (const api::Pod& p : *pods) {
    for (const char* refused : {"traversal", "huge", "port", "bomb"}) {
      EXPECT_FALSE(p.metadata.name.starts_with(refused)) << p.metadata.name << " runs";
    }
  }
  api::Pod after = Wait("steady-", Running);
  EXPECT_EQ(Container(after, "main")->container_id, steady_id) << "the steady pod was restarted";
  EXPECT_TRUE(RunningContainerIds().contains(steady_id.substr(13)));
}

}  // namespace
}  // namespace cubelet::testing
