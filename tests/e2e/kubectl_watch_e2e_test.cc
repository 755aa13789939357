// kubectl get -w (Table watch events) and get -w -o json (plain objects) see a pod being
// created, labelled and deleted while they run; and a watch ends cleanly when the server's
// timeout closes the stream.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/parse.h"

namespace cubelet::testing {
namespace {

std::string Pod(const std::string& name) {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", name,
                "\nspec:\n  containers:\n  - name: c\n    image: busybox\n");
}

class KubectlWatchTest : public SharedServerTest<> {
 protected:
  std::unique_ptr<BackgroundCommand> StartKubectl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/kubectl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<BackgroundCommand>(
        argv, std::map<std::string, std::string>{{"KUBECONFIG", server_->admin_kubeconfig()}, {"HOME", scratch_.path()}},
        scratch_.path());
  }
  // Creates, labels and deletes `name` while `watcher` runs; `sentinel` (created before the
  // watcher started) shows that the watcher's list is done.
  void CreateLabelDelete(const BackgroundCommand& watcher, const std::string& sentinel, const std::string& name) {
    ASSERT_TRUE(watcher.WaitForOutput([&](const std::string& out) { return out.find(sentinel) != std::string::npos; }))
        << "the watcher never listed " << sentinel << "; stdout:\n"
        << watcher.Output() << "\nstderr:\n"
        << watcher.Errors();
    MustKubectl({"create", "-f", "-"}, Pod(name));
    MustKubectl({"label", "pod", name, "stage=two"});
    MustKubectl({"delete", "pod", name, "--timeout=60s"});
  }

  TempDir scratch_;
};

// The EVENT column of the --output-watch-events rows about `name`, in order.
std::vector<std::string> EventTypesFor(const std::string& out, const std::string& name) {
  std::vector<std::string> types;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.find(StrCat(" ", name, " ")) != std::string::npos) types.push_back(line.substr(0, line.find(' ')));
  }
  return types;
}

TEST_F(KubectlWatchTest, GetWatchSeesAddedModifiedDeleted) {
  MustKubectl({"create", "-f", "-"}, Pod("sentinel-table"));
  auto watcher = StartKubectl({"get", "pods", "-w", "--output-watch-events"});
  CreateLabelDelete(*watcher, "sentinel-table", "watched");
  bool seen = watcher->WaitForOutput([](const std::string& out) {
    std::vector<std::string> t = EventTypesFor(out, "watched");
    return !t.empty() && t.back() == "DELETED";
  });
  std::string out = watcher->Output();
  ASSERT_TRUE(seen) << "no DELETED row; stdout:\n" << out << "\nstderr:\n" << watcher->Errors();
  std::vector<std::string> types = EventTypesFor(out, "watched");
  ASSERT_GE(types.size(), 3u) << out;
  EXPECT_EQ(types.front(), "ADDED") << out;
  EXPECT_EQ(types[1], "MODIFIED") << out;
  EXPECT_EQ(types.back(), "DELETED") << out;
  // The header is printed once, with the pod columns the server's Table defines.
  EXPECT_EQ(out.rfind("EVENT", 0), 0u) << out;
  EXPECT_NE(out.find("READY"), std::string::npos) << out;
  EXPECT_EQ(out.find("<unknown>"), std::string::npos) << "an unsolicited bookmark printed a junk row:\n" << out;
  EXPECT_EQ(watcher->Errors(), "") << "kubectl complained";
  watcher->Stop();
  MustKubectl({"delete", "pod", "sentinel-table"});
}

TEST_F(KubectlWatchTest, PlainWatchPrintsRowsWithStatus) {
  MustKubectl({"create", "-f", "-"}, Pod("sentinel-plain"));
  auto watcher = StartKubectl({"get", "pods", "-w"});
  CreateLabelDelete(*watcher, "sentinel-plain", "plain");
  // Without --output-watch-events kubectl prints one row per event; the pod appears at least
  // twice (added, labelled; the delete prints its last state).
  bool seen = watcher->WaitForOutput([](const std::string& out) {
    size_t n = 0;
    for (size_t p = out.find("plain "); p != std::string::npos; p = out.find("plain ", p + 1)) ++n;
    return n >= 3;
  });
  EXPECT_TRUE(seen) << watcher->Output() << "\nstderr:\n" << watcher->Errors();
  EXPECT_NE(watcher->Output().find("Pending"), std::string::npos) << watcher->Output();
  watcher->Stop();
  MustKubectl({"delete", "pod", "sentinel-plain"});
}

TEST_F(KubectlWatchTest, WatchJsonPrintsObjects) {
  MustKubectl({"create", "-f", "-"}, Pod("sentinel-json"));
  auto watcher = StartKubectl({"get", "pods", "-w", "-o", "json", "--output-watch-events"});
  CreateLabelDelete(*watcher, "sentinel-json", "json-watched");
  std::vector<std::string> types;
  bool seen = watcher->WaitForOutput([&](const std::string& out) {
    types.clear();
    for (const std::string& text : SplitJsonStream(out)) {
      auto v = json::Parse(text);
      if (!v.ok()) continue;
      if (v->GetString({"object", "metadata", "name"}) == "json-watched") types.push_back(v->GetString({"type"}));
    }
    return !types.empty() && types.back() == "DELETED";
  });
  ASSERT_TRUE(seen) << watcher->Output() << "\nstderr:\n" << watcher->Errors();
  ASSERT_GE(types.size(), 3u);
  EXPECT_EQ(types.front(), "ADDED");
  EXPECT_EQ(types[1], "MODIFIED");
  // Every event carries the full object, not a Table row.
  for (const std::string& text : SplitJsonStream(watcher->Output())) {
    json::Value v = ParseJsonOrFail(text);
    EXPECT_EQ(v.GetString({"object", "kind"}), "Pod") << text;
    EXPECT_FALSE(v.GetString({"object", "metadata", "resourceVersion"}).empty()) << text;
  }
  // The labelled state reached the watcher.
  bool labelled = false;
  for (const std::string& text : SplitJsonStream(watcher->Output())) {
    json::Value v = ParseJsonOrFail(text);
    if (v.GetString({"object", "metadata", "name"}) == "json-watched" &&
        v.GetString({"object", "metadata", "labels", "stage"}) == "two") {
      labelled = true;
    }
  }
  EXPECT_TRUE(labelled) << watcher->Output();
  watcher->Stop();
  MustKubectl({"delete", "pod", "sentinel-json"});
}

TEST_F(KubectlWatchTest, WatchEndsWhenTheServerClosesTheStream) {
  // A raw watch with timeoutSeconds: the server closes the stream and kubectl exits 0.
  auto watcher = StartKubectl({"get", "--raw", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=2"});
  ASSERT_TRUE(watcher->Exited(30)) << "the stream was not closed after timeoutSeconds";
  EXPECT_EQ(watcher->exit_code(), 0) << watcher->Errors();
  // Labelled-selector watch: the object leaving the selector is a DELETED event.
  MustKubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sel\n  labels: {keep: \"yes\"}\n");
  auto selected = StartKubectl({"get", "configmaps", "-l", "keep=yes", "-w", "--output-watch-events"});
  ASSERT_TRUE(selected->WaitForOutput([](const std::string& out) { return out.find("sel ") != std::string::npos; }))
      << selected->Output() << selected->Errors();
  MustKubectl({"label", "configmap", "sel", "keep=no", "--overwrite"});
  EXPECT_TRUE(selected->WaitForOutput([](const std::string& out) { return out.find("DELETED") != std::string::npos; }))
      << selected->Output() << selected->Errors();
  selected->Stop();
}

}  // namespace
}  // namespace cubelet::testing
