// Static pods and the pod sync loop against real containerd: the real `cubelet` binary watches
// a manifest directory and the tests read its /pods endpoint, its logs and the runtime.
#include "node/static_pod_fixture.h"

namespace cubelet::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(StaticPodNodeTest, AStaticPodRunsWithUpstreamIdentityAndItsStdoutIsInTheLogFile) {
  StartCubelet();
  WriteManifest("hello.yaml", PodYaml("hello", "  containers:\n" + Container1("main", "\"echo hello from cubelet; exec sleep 3600\"")));
  api::Pod pod = Wait("hello-", Running);
  EXPECT_EQ(pod.metadata.name, "hello-node-test");
  EXPECT_EQ(pod.metadata.namespace_, "default");
  EXPECT_EQ(pod.metadata.annotations["kubernetes.io/config.source"], "file");
  EXPECT_EQ(pod.metadata.annotations["kubernetes.io/config.hash"], pod.metadata.uid);
  EXPECT_FALSE(pod.metadata.annotations["kubernetes.io/config.seen"].empty());
  EXPECT_THAT(pod.status.pod_ip, ::testing::StartsWith(tb_->subnet_prefix()));
  EXPECT_EQ(pod.status.qos_class, "BestEffort");
  ASSERT_NE(Condition(pod, "Ready"), nullptr);
  EXPECT_EQ(Condition(pod, "Ready")->status, "True");
  const auto* c = Container(pod, "main");
  ASSERT_NE(c, nullptr);
  EXPECT_THAT(c->container_id, ::testing::StartsWith("containerd://"));
  EXPECT_EQ(c->image, "localhost/cubelet/testimage:1.0");
  EXPECT_THAT(c->image_id, ::testing::StartsWith("sha256:"));

  const std::string log = StrCat(logs_, "/default_hello-node-test_", pod.metadata.uid, "/main/0.log");
  std::string content;
  for (int i = 0; i < 100 && content.find("hello from cubelet") == std::string::npos; ++i) {
    std::ifstream f(log);
    content.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(content, HasSubstr("stdout F hello from cubelet")) << log;
  // The kubelet-managed /etc/hosts names the pod.
  auto hosts = runtime_->ExecSync(c->container_id.substr(13), {"cat", "/etc/hosts"}, absl::Seconds(10));
  ASSERT_TRUE(hosts.ok()) << hosts.status();
  EXPECT_THAT(hosts->stdout_data, HasSubstr("# Kubernetes-managed hosts file."));
  EXPECT_THAT(hosts->stdout_data, HasSubstr(pod.status.pod_ip + "\thello-node-test"));
}

TEST_F(StaticPodNodeTest, RestartPoliciesAlwaysOnFailureNeverLikeUpstreamsConformanceTest) {
  // First run exits 1, second run exits 0, later runs keep running.
  const std::string script =
      "\"f=/restart-count/restartCount; echo hello >> $f; count=$(wc -l < $f); "
      "if [ $count -eq 1 ]; then exit 1; fi; if [ $count -eq 2 ]; then exit 0; fi; exec sleep 3600\"";
  for (const std::string policy : {"Always", "OnFailure", "Never"}) {
    std::string lower = policy;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    WriteManifest(lower + ".yaml",
                  PodYaml("restart-" + lower,
                          StrCat("  restartPolicy: ", policy, "\n  volumes:\n  - name: count\n    emptyDir: {}\n",
                                 "  containers:\n",
                                 Container1("main", script, "    volumeMounts:\n    - {name: count, mountPath: /restart-count}\n"))));
  }
  StartCubelet();
  api::Pod always = Wait("restart-always", [](const api::Pod& p) {
    const auto* c = Container(p, "main");
    return c != nullptr && c->restart_count == 2 && c->state.running && p.status.phase == "Running";
  }, 90);
  EXPECT_TRUE(Container(always, "main")->ready);
  api::Pod on_failure = Wait("restart-onfailure", [](const api::Pod& p) { return p.status.phase == "Succeeded"; });
  EXPECT_EQ(Container(on_failure, "main")->restart_count, 1) << Describe(on_failure);
  ASSERT_TRUE(Container(on_failure, "main")->state.terminated.has_value());
  EXPECT_EQ(Container(on_failure, "main")->state.terminated->exit_code, 0);
  EXPECT_FALSE(Container(on_failure, "main")->ready);
  api::Pod never = Wait("restart-never", [](const api::Pod& p) { return p.status.phase == "Failed"; });
  EXPECT_EQ(Container(never, "main")->restart_count, 0) << Describe(never);
  ASSERT_TRUE(Container(never, "main")->state.terminated.has_value());
  EXPECT_EQ(Container(never, "main")->state.terminated->exit_code, 1);
  EXPECT_EQ(Container(never, "main")->state.terminated->reason, "Error");
  EXPECT_EQ(Condition(never, "Ready")->reason, "PodFailed");
}

TEST_F(StaticPodNodeTest, InitContainersRunInOrderAndAFailingOneBlocksTheAppWithBackoff) {
  WriteManifest("ordered.yaml", PodYaml("ordered", StrCat(
      "  volumes:\n  - name: work\n    emptyDir: {}\n  initContainers:\n",
      Container1("init1", "\"echo one >> /work/order\"", "    volumeMounts:\n    - {name: work, mountPath: /work}\n"),
      Container1("init2", "\"echo two >> /work/order\"", "    volumeMounts:\n    - {name: work, mountPath: /work}\n"),
      "  containers:\n",
      Container1("app", "\"cat /work/order; exec sleep 3600\"", "    volumeMounts:\n    - {name: work, mountPath: /work}\n"))));
  WriteManifest("blocked.yaml", PodYaml("blocked", StrCat(
      "  initContainers:\n", Container1("init1", "\"exit 1\""), Container1("init2", "\"true\""),
      "  containers:\n", Container1("app", "\"exec sleep 3600\""))));
  StartCubelet();
  api::Pod ordered = Wait("ordered-", Running);
  for (const char* init : {"init1", "init2"}) {
    const auto* s = Container(ordered, init);
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(s->state.terminated.has_value()) << Describe(ordered);
    EXPECT_EQ(s->state.terminated->exit_code, 0);
    EXPECT_TRUE(s->ready);
  }
  EXPECT_EQ(Condition(ordered, "Initialized")->status, "True");
  std::string app_log;
  for (int i = 0; i < 50 && app_log.find("two") == std::string::npos; ++i) {
    std::ifstream f(StrCat(logs_, "/default_ordered-node-test_", ordered.metadata.uid, "/app/0.log"));
    app_log.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_THAT(app_log, ::testing::ContainsRegex("stdout F one\n.*stdout F two")) << "init1 ran before init2";

  // init1 fails: retried with back-off (10 s, then 20 s), init2 and the app never start.
  api::Pod blocked = Wait("blocked-", [](const api::Pod& p) {
    const auto* s = Container(p, "init1");
    return s != nullptr && s->restart_count >= 2 && s->last_state.terminated.has_value();
  }, 60);
  EXPECT_EQ(blocked.status.phase, "Pending") << Describe(blocked);
  EXPECT_EQ(Condition(blocked, "Initialized")->status, "False");
  EXPECT_EQ(Condition(blocked, "Initialized")->reason, "ContainersNotInitialized");
  EXPECT_EQ(Condition(blocked, "Initialized")->message, "containers with incomplete status: [init1 init2]") << Describe(blocked);
  ASSERT_TRUE(Container(blocked, "app")->state.waiting.has_value());
  EXPECT_EQ(Container(blocked, "app")->state.waiting->reason, "PodInitializing");
  EXPECT_EQ(Container(blocked, "init2")->restart_count, 0);
  EXPECT_FALSE(Container(blocked, "init2")->state.terminated.has_value()) << "init2 never ran";
  EXPECT_THAT(cubelet_->Log(), HasSubstr("CrashLoopBackOff"));
}

TEST_F(StaticPodNodeTest, EditedManifestReplacesThePodAndRemovedManifestStopsIt) {
  StartCubelet();
  const std::string spec = "  terminationGracePeriodSeconds: 3\n  containers:\n";
  WriteManifest("edit.yaml", PodYaml("edit", spec + Container1("main", "\"exec sleep 3600\"")));
  api::Pod first = Wait("edit-", Running);
  const std::string first_container = Container(first, "main")->container_id;
  WriteManifest("edit.yaml", PodYaml("edit", spec + Container1("main", "\"exec sleep 3601\"")));
  api::Pod second = Wait("edit-", [&](const api::Pod& p) { return Running(p) && p.metadata.uid != first.metadata.uid; });
  EXPECT_NE(Container(second, "main")->container_id, first_container);
  // The old pod's container is no longer running.
  for (int i = 0; i < 100 && RunningContainerIds().contains(first_container.substr(13)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(RunningContainerIds().contains(first_container.substr(13)));
  auto pods = FetchPods(port_);
  ASSERT_TRUE(pods.ok());
  EXPECT_EQ(pods->size(), 1u) << "only the new pod is listed";

  // Removed: sleep ignores SIGTERM as PID 1, so it is killed when the 3 s grace period ends.
  const std::string second_container = Container(second, "main")->container_id.substr(13);
  fs::remove(manifests_ + "/edit.yaml");
  const absl::Time removed = absl::Now();
  while (RunningContainerIds().contains(second_container) && absl::Now() - removed < absl::Seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(RunningContainerIds().contains(second_container)) << cubelet_->Log();
  EXPECT_THAT(cubelet_->Log(), HasSubstr("gracePeriod=3"));
  for (int i = 0; i < 50 && !FetchPods(port_)->empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(FetchPods(port_)->empty());
}

TEST_F(StaticPodNodeTest, ABadManifestIsLoggedOnceAndNeverStopsTheOthersThenRunsWhenFixed) {
  WriteManifest("good.yaml", PodYaml("good", "  containers:\n" + Container1("main", "\"exec sleep 3600\"")));
  WriteManifest("bad.yaml", PodYaml("bad", "  containers:\n  - name: main\n    command: [sleep, '3600']\n"));
  WriteManifest("worse.json", "{\"kind\": \"Pod\", \"apiVersion\": \"v1\", ");
  StartCubelet();
  Wait("good-", Running);
  ASSERT_TRUE(cubelet_->WaitForLog("bad.yaml: spec.containers[0].image: Required value"));
  ASSERT_TRUE(cubelet_->WaitForLog("worse.json: invalid"));
  // Re-reads (fileCheckFrequency is 2 s here) do not log the unchanged error again.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const std::string log = cubelet_->Log();
  size_t count = 0;
  for (size_t pos = 0; (pos = log.find("bad.yaml: spec.containers[0].image", pos)) != std::string::npos; ++pos) ++count;
  EXPECT_EQ(count, 1u);
  WriteManifest("bad.yaml", PodYaml("bad", "  containers:\n" + Container1("main", "\"exec sleep 3600\"")));
  Wait("bad-", Running);
  Wait("good-", Running);
}

TEST_F(StaticPodNodeTest, CubeletKilledAndRestartedAdoptsItsContainers) {
  WriteManifest("keep.yaml", PodYaml("keep", "  containers:\n" + Container1("main", "\"exec sleep 3600\"")));
  StartCubelet();
  api::Pod before = Wait("keep-", Running);
  const std::set<std::string> running = RunningContainerIds();
  cubelet_->Signal(SIGKILL);
  cubelet_->Wait();
  StartCubelet();
  api::Pod after = Wait("keep-", Running);
  EXPECT_EQ(after.metadata.uid, before.metadata.uid);
  EXPECT_EQ(Container(after, "main")->container_id, Container(before, "main")->container_id);
  EXPECT_EQ(Container(after, "main")->restart_count, 0);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(RunningContainerIds(), running) << "nothing restarted or duplicated";
  auto sandboxes = runtime_->ListPodSandbox({});
  EXPECT_EQ(sandboxes->size(), 1u);
}

TEST_F(StaticPodNodeTest, ContainerdRestartedUnderARunningCubelet) {
  WriteManifest("steady.yaml", PodYaml("steady", "  containers:\n" + Container1("main", "\"exec sleep 3600\"")));
  StartCubelet();
  api::Pod before = Wait("steady-", Running);
  ASSERT_TRUE(tb_->RestartContainerd().ok());
  // Existing containers keep running and are still cubelet's; new pods start on the new runtime.
  WriteManifest("late.yaml", PodYaml("late", "  containers:\n" + Container1("main", "\"exec sleep 3600\"")));
  Wait("late-", Running);
  api::Pod after = Wait("steady-", Running);
  EXPECT_EQ(Container(after, "main")->container_id, Container(before, "main")->container_id);
  EXPECT_EQ(Container(after, "main")->restart_count, 0);
}

TEST_F(StaticPodNodeTest, VolumesHostPathTypesTmpfsEmptyDirAndSubPathEscapes) {
  const std::string host = dir_ + "/host";
  fs::create_directories(host + "/data");
  fs::create_symlink("/etc", host + "/data/escape");
  WriteManifest("vols.yaml", PodYaml("vols", StrCat(
      "  volumes:\n"
      "  - {name: cache, emptyDir: {medium: Memory, sizeLimit: 16Mi}}\n"
      "  - {name: made, hostPath: {path: '", host, "/made', type: DirectoryOrCreate}}\n"
      "  containers:\n",
      Container1("main", "\"echo written > /made/file; exec sleep 3600\"",
                 "    volumeMounts:\n    - {name: cache, mountPath: /cache}\n    - {name: made, mountPath: /made}\n"))));
  WriteManifest("missing.yaml", PodYaml("missing", StrCat(
      "  volumes:\n  - {name: f, hostPath: {path: '", host, "/nofile', type: File}}\n  containers:\n",
      Container1("main", "\"exec sleep 3600\"", "    volumeMounts:\n    - {name: f, mountPath: /f}\n"))));
  WriteManifest("escape.yaml", PodYaml("escape", StrCat(
      "  volumes:\n  - {name: d, hostPath: {path: '", host, "/data'}}\n  containers:\n",
      Container1("main", "\"exec sleep 3600\"", "    volumeMounts:\n    - {name: d, mountPath: /d, subPath: escape}\n"))));
  StartCubelet();
  api::Pod vols = Wait("vols-", Running);
  const std::string id = Container(vols, "main")->container_id.substr(13);
  auto mounts = runtime_->ExecSync(id, {"cat", "/proc/mounts"}, absl::Seconds(10));
  ASSERT_TRUE(mounts.ok());
  EXPECT_THAT(mounts->stdout_data, ::testing::ContainsRegex("tmpfs /cache tmpfs [^ ]*size=16384k"));
  for (int i = 0; i < 50 && !fs::exists(host + "/made/file"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(fs::is_regular_file(host + "/made/file")) << "DirectoryOrCreate made the directory and the write reached the host";

  api::Pod escape = Wait("escape-", [](const api::Pod& p) {
    const auto* c = Container(p, "main");
    return c != nullptr && c->state.waiting && c->state.waiting->reason == "CreateContainerConfigError";
  });
  EXPECT_THAT(Container(escape, "main")->state.waiting->message, HasSubstr("outside of the volume"));
  api::Pod missing = Wait("missing-", [](const api::Pod& p) { return p.status.phase == "Pending"; });
  EXPECT_EQ(Container(missing, "main")->state.waiting->reason, "ContainerCreating");
  EXPECT_TRUE(cubelet_->WaitForLog("hostPath type check failed: " + host + "/nofile is not a file"));
}

TEST_F(StaticPodNodeTest, TerminationMessagesDnsAndHostAliases) {
  WriteManifest("file.yaml", PodYaml("msg-file", "  restartPolicy: Never\n  containers:\n" +
                                                     Container1("main", "\"echo -n DONE > /dev/termination-log\"")));
  WriteManifest("logs.yaml", PodYaml("msg-logs", "  restartPolicy: Never\n  containers:\n" +
                                                     Container1("main", "\"echo -n DONE; exit 1\"",
                                                                "    terminationMessagePolicy: FallbackToLogsOnError\n")));
  WriteManifest("dns.yaml", PodYaml("dns", "  hostAliases:\n  - {ip: 123.45.67.89, hostnames: [foo, bar]}\n"
                                           "  containers:\n" + Container1("main", "\"exec sleep 3600\"")));
  StartCubelet();
  api::Pod file = Wait("msg-file-", [](const api::Pod& p) { return p.status.phase == "Succeeded"; });
  EXPECT_EQ(Container(file, "main")->state.terminated->message, "DONE");
  api::Pod logs = Wait("msg-logs-", [](const api::Pod& p) { return p.status.phase == "Failed"; });
  EXPECT_EQ(Container(logs, "main")->state.terminated->message, "DONE");

  api::Pod dns = Wait("dns-", Running);
  const std::string id = Container(dns, "main")->container_id.substr(13);
  auto resolv = runtime_->ExecSync(id, {"cat", "/etc/resolv.conf"}, absl::Seconds(10));
  ASSERT_TRUE(resolv.ok());
  EXPECT_THAT(resolv->stdout_data, HasSubstr("nameserver 10.96.0.10"));
  EXPECT_THAT(resolv->stdout_data, HasSubstr("search default.svc.cluster.local svc.cluster.local cluster.local"));
  EXPECT_THAT(resolv->stdout_data, HasSubstr("options ndots:5"));
  auto hosts = runtime_->ExecSync(id, {"cat", "/etc/hosts"}, absl::Seconds(10));
  ASSERT_TRUE(hosts.ok());
  EXPECT_THAT(hosts->stdout_data, HasSubstr("123.45.67.89\tfoo\tbar"));
}

}  // namespace
}  // namespace cubelet::testing
