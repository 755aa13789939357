// The real gRPC client (RemoteRuntimeService / RemoteImageService) against the in-process fake
// runtime server speaking the same proto.
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"

namespace cubelet::cri {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

class RemoteRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = ::testing::TempDir() + "/cri-fake-" + std::to_string(::getpid()) + ".sock";
    fake_ = std::make_unique<FakeRuntimeServer>(socket_, &clock_);
    ASSERT_TRUE(fake_->Start().ok());
    RemoteRuntimeOptions options;
    options.endpoint = fake_->endpoint();
    options.status_timeout = absl::Seconds(5);
    options.request_timeout = absl::Seconds(5);
    runtime_ = *NewRemoteRuntimeService(options);
    images_ = *NewRemoteImageService(options);
    fake_->AddImage("localhost/test:1.0");
  }

  PodSandboxConfig Sandbox(const std::string& name) {
    PodSandboxConfig c;
    c.metadata = {name, "uid-" + name, "default", 0};
    c.hostname = name;
    c.log_directory = "/var/log/pods/default_" + name + "_uid-" + name;
    c.labels = {{"io.kubernetes.pod.name", name}, {"app", "web"}};
    c.annotations = {{"kubernetes.io/config.source", "file"}};
    c.dns_config = DnsConfig{{"10.96.0.10"}, {"default.svc.cluster.local"}, {"ndots:5"}};
    c.port_mappings = {{Protocol::kTcp, 80, 8080, "127.0.0.1"}};
    c.linux.cgroup_parent = "/kubepods/besteffort/poduid-" + name;
    c.linux.security_context.run_as_user = 1000;
    c.linux.sysctls = {{"kernel.shm_rmid_forced", "1"}};
    return c;
  }

  ContainerConfig Container(const std::string& name) {
    ContainerConfig c;
    c.metadata = {name, 0};
    c.image.image = "localhost/test:1.0";
    c.command = {"/bin/sh", "-c"};
    c.args = {"echo hi; sleep 3600"};
    c.working_dir = "/work";
    c.envs = {{"A", "1"}, {"B", "two"}};
    c.mounts = {{"/data", "/var/lib/kubelet/pods/x/volumes/data", true, false, MountPropagation::kPrivate}};
    c.labels = {{"io.kubernetes.container.name", name}};
    c.annotations = {{"io.kubernetes.container.restartCount", "0"}};
    c.log_path = name + "/0.log";
    LinuxContainerResources r;
    r.cpu_shares = 102;
    r.cpu_quota = 50000;
    r.cpu_period = 100000;
    r.memory_limit_in_bytes = 64 << 20;
    r.oom_score_adj = 1000;
    c.linux.resources = r;
    LinuxContainerSecurityContext sc;
    sc.capabilities = Capabilities{{"NET_ADMIN"}, {"ALL"}, {}};
    sc.readonly_rootfs = true;
    sc.no_new_privs = true;
    sc.run_as_user = 65534;
    sc.seccomp = SecurityProfile{SecurityProfile::Type::kLocalhost, "/var/lib/kubelet/seccomp/p.json"};
    c.linux.security_context = sc;
    return c;
  }

  FakeClock clock_;
  std::string socket_;
  std::unique_ptr<FakeRuntimeServer> fake_;
  std::unique_ptr<RuntimeService> runtime_;
  std::unique_ptr<ImageService> images_;
};

TEST_F(RemoteRuntimeTest, VersionAndStatus) {
  auto v = runtime_->Version();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->runtime_name, "fake-runtime");
  EXPECT_EQ(v->runtime_api_version, "v1");
  auto s = runtime_->Status(false);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->conditions.size(), 2u);
  EXPECT_EQ(s->conditions[0].type, "RuntimeReady");
  EXPECT_TRUE(s->conditions[0].status);
}

TEST_F(RemoteRuntimeTest, SandboxAndContainerConfigsReachTheRuntimeIntact) {
  const PodSandboxConfig sb = Sandbox("web");
  auto id = runtime_->RunPodSandbox(sb, "");
  ASSERT_TRUE(id.ok()) << id.status();
  auto got = fake_->SandboxConfigOf(*id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->metadata.name, "web");
  EXPECT_EQ(got->metadata.uid, "uid-web");
  EXPECT_EQ(got->hostname, "web");
  EXPECT_EQ(got->log_directory, sb.log_directory);
  EXPECT_EQ(got->labels, sb.labels);
  EXPECT_EQ(got->annotations, sb.annotations);
  ASSERT_TRUE(got->dns_config.has_value());
  EXPECT_THAT(got->dns_config->options, ElementsAre("ndots:5"));
  ASSERT_EQ(got->port_mappings.size(), 1u);
  EXPECT_EQ(got->port_mappings[0].host_port, 8080);
  EXPECT_EQ(got->linux.cgroup_parent, sb.linux.cgroup_parent);
  EXPECT_EQ(got->linux.security_context.run_as_user, 1000);
  EXPECT_EQ(got->linux.sysctls, sb.linux.sysctls);

  const ContainerConfig cc = Container("app");
  auto cid = runtime_->CreateContainer(*id, cc, sb);
  ASSERT_TRUE(cid.ok()) << cid.status();
  auto gc = fake_->ContainerConfigOf(*cid);
  ASSERT_TRUE(gc.has_value());
  EXPECT_EQ(gc->command, cc.command);
  EXPECT_EQ(gc->args, cc.args);
  EXPECT_EQ(gc->working_dir, "/work");
  ASSERT_EQ(gc->envs.size(), 2u);
  EXPECT_EQ(gc->envs[1].value, "two");
  ASSERT_EQ(gc->mounts.size(), 1u);
  EXPECT_TRUE(gc->mounts[0].readonly);
  EXPECT_EQ(gc->log_path, "app/0.log");
  ASSERT_TRUE(gc->linux.resources.has_value());
  EXPECT_EQ(gc->linux.resources->cpu_shares, 102);
  EXPECT_EQ(gc->linux.resources->memory_limit_in_bytes, 64 << 20);
  EXPECT_EQ(gc->linux.resources->oom_score_adj, 1000);
  ASSERT_TRUE(gc->linux.security_context.has_value());
  EXPECT_THAT(gc->linux.security_context->capabilities->drop, ElementsAre("ALL"));
  EXPECT_TRUE(gc->linux.security_context->readonly_rootfs);
  EXPECT_TRUE(gc->linux.security_context->no_new_privs);
  EXPECT_EQ(gc->linux.security_context->run_as_user, 65534);
  EXPECT_EQ(gc->linux.security_context->seccomp->type, SecurityProfile::Type::kLocalhost);
}

TEST_F(RemoteRuntimeTest, SandboxAndContainerLifecycle) {
  const PodSandboxConfig sb = Sandbox("life");
  const std::string id = *runtime_->RunPodSandbox(sb, "");
  auto st = runtime_->GetPodSandboxStatus(id);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->state, PodSandboxState::kReady);
  EXPECT_FALSE(st->ip.empty());
  EXPECT_EQ(st->created_at, absl::ToUnixNanos(clock_.Now()));

  const std::string cid = *runtime_->CreateContainer(id, Container("app"), sb);
  EXPECT_EQ(runtime_->GetContainerStatus(cid)->state, ContainerState::kCreated);
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(runtime_->StartContainer(cid).ok());
  auto running = runtime_->GetContainerStatus(cid);
  EXPECT_EQ(running->state, ContainerState::kRunning);
  EXPECT_EQ(running->started_at, absl::ToUnixNanos(clock_.Now()));
  EXPECT_EQ(running->log_path, sb.log_directory + "/app/0.log");

  clock_.Advance(absl::Seconds(3));
  ASSERT_TRUE(fake_->ExitContainer(cid, 3).ok());
  auto exited = runtime_->GetContainerStatus(cid);
  EXPECT_EQ(exited->state, ContainerState::kExited);
  EXPECT_EQ(exited->exit_code, 3);
  EXPECT_EQ(exited->reason, "Error");
  EXPECT_EQ(exited->finished_at, absl::ToUnixNanos(clock_.Now()));

  // Starting a container that is not CREATED is refused with the runtime's code.
  auto again = runtime_->StartContainer(cid);
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);

  const std::string cid2 = *runtime_->CreateContainer(id, [&] {
    auto c = Container("app");
    c.metadata.attempt = 1;
    return c;
  }(), sb);
  ASSERT_TRUE(runtime_->StartContainer(cid2).ok());
  ASSERT_TRUE(runtime_->StopPodSandbox(id).ok());
  EXPECT_EQ(runtime_->GetPodSandboxStatus(id)->state, PodSandboxState::kNotReady);
  EXPECT_EQ(runtime_->GetContainerStatus(cid2)->exit_code, 137);

  ASSERT_TRUE(runtime_->RemoveContainer(cid).ok());
  ASSERT_TRUE(runtime_->RemoveContainer(cid).ok()) << "RemoveContainer is idempotent";
  ASSERT_TRUE(runtime_->RemovePodSandbox(id).ok());
  EXPECT_EQ(runtime_->GetPodSandboxStatus(id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(fake_->Containers().empty()) << "removing a sandbox removes its containers";
}

TEST_F(RemoteRuntimeTest, ListFiltersByStateLabelAndSandbox) {
  const std::string a = *runtime_->RunPodSandbox(Sandbox("a"), "");
  const std::string b = *runtime_->RunPodSandbox(Sandbox("b"), "");
  ASSERT_TRUE(runtime_->StopPodSandbox(b).ok());
  auto ready = runtime_->ListPodSandbox({.id = "", .state = PodSandboxState::kReady, .label_selector = {}});
  ASSERT_TRUE(ready.ok());
  ASSERT_EQ(ready->size(), 1u);
  EXPECT_EQ((*ready)[0].id, a);
  auto by_label = runtime_->ListPodSandbox({.id = "", .state = std::nullopt,
                                            .label_selector = {{"io.kubernetes.pod.name", "b"}}});
  ASSERT_EQ(by_label->size(), 1u);
  EXPECT_EQ((*by_label)[0].metadata.name, "b");

  const std::string c1 = *runtime_->CreateContainer(a, Container("one"), Sandbox("a"));
  const std::string c2 = *runtime_->CreateContainer(a, Container("two"), Sandbox("a"));
  ASSERT_TRUE(runtime_->StartContainer(c2).ok());
  auto running = runtime_->ListContainers({.id = "", .state = ContainerState::kRunning, .pod_sandbox_id = a,
                                           .label_selector = {}});
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ((*running)[0].id, c2);
  EXPECT_EQ((*running)[0].metadata.name, "two");
  auto named = runtime_->ListContainers({.id = "", .state = std::nullopt, .pod_sandbox_id = "",
                                         .label_selector = {{"io.kubernetes.container.name", "one"}}});
  ASSERT_EQ(named->size(), 1u);
  EXPECT_EQ((*named)[0].id, c1);
}

TEST_F(RemoteRuntimeTest, ErrorsKeepTheCodeAndNameCallAndObject) {
  auto missing = runtime_->GetContainerStatus("nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(missing.status()), "ContainerStatus container \"nope\": container \"nope\" not found");

  const std::string id = *runtime_->RunPodSandbox(Sandbox("err"), "");
  fake_->InjectError("CreateContainer", absl::UnavailableError("runtime is restarting"));
  auto created = runtime_->CreateContainer(id, Container("app"), Sandbox("err"));
  EXPECT_EQ(created.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Message(created.status()),
            "CreateContainer container \"app\" in sandbox \"" + id + "\": runtime is restarting");
  // The injected error was for one call only, and touched no state.
  EXPECT_TRUE(runtime_->CreateContainer(id, Container("app"), Sandbox("err")).ok());

  auto dup = runtime_->RunPodSandbox(Sandbox("err"), "");
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  auto no_image = runtime_->CreateContainer(id, [&] {
    auto c = Container("other");
    c.image.image = "localhost/absent:1";
    return c;
  }(), Sandbox("err"));
  EXPECT_EQ(no_image.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(no_image.status()), HasSubstr("localhost/absent:1"));
}

TEST_F(RemoteRuntimeTest, CallLogRecordsEveryCallInOrder) {
  fake_->ClearCalls();
  const std::string id = *runtime_->RunPodSandbox(Sandbox("log"), "");
  (void)runtime_->GetPodSandboxStatus(id);
  (void)runtime_->StopPodSandbox(id);
  EXPECT_THAT(fake_->Calls(), ElementsAre("RunPodSandbox", "PodSandboxStatus", "StopPodSandbox"));
  EXPECT_EQ(fake_->CallCount("StopPodSandbox"), 1);
}

TEST_F(RemoteRuntimeTest, ExecSyncReturnsOutputAndExitCode) {
  const std::string id = *runtime_->RunPodSandbox(Sandbox("exec"), "");
  const std::string cid = *runtime_->CreateContainer(id, Container("app"), Sandbox("exec"));
  EXPECT_EQ(runtime_->ExecSync(cid, {"true"}, absl::Seconds(1)).status().code(),
            absl::StatusCode::kFailedPrecondition) << "not running yet";
  ASSERT_TRUE(runtime_->StartContainer(cid).ok());
  fake_->SetExecBehavior([](const std::string&, const std::vector<std::string>& cmd) {
    return ExecSyncResult{"out:" + cmd.back(), "err", cmd.back() == "fail" ? 1 : 0};
  });
  auto ok = runtime_->ExecSync(cid, {"sh", "-c", "ok"}, absl::Seconds(1));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->stdout_data, "out:ok");
  EXPECT_EQ(ok->stderr_data, "err");
  EXPECT_EQ(ok->exit_code, 0);
  EXPECT_EQ(runtime_->ExecSync(cid, {"fail"}, absl::Seconds(1))->exit_code, 1);
  EXPECT_THAT(*runtime_->Exec({.container_id = cid, .cmd = {"sh"}}), HasSubstr(cid));
  EXPECT_TRUE(runtime_->GetContainerStats(cid).ok());
  EXPECT_EQ(runtime_->ListPodSandboxStats({})->size(), 1u);
}

TEST_F(RemoteRuntimeTest, AsyncExecSyncStillRunningIsCancelledWhenTheClientGoes) {
  const std::string id = *runtime_->RunPodSandbox(Sandbox("exec"), "");
  const std::string cid = *runtime_->CreateContainer(id, Container("app"), Sandbox("exec"));
  ASSERT_TRUE(runtime_->StartContainer(cid).ok());
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  // The fake's command ends however the test does, so that the fake server can stop.
  struct Release {
    std::promise<void>& p;
    ~Release() { p.set_value(); }
  } release_at_end{release};
  // `released` by value: its shared state must outlive this test's locals, which go while the
  // fake's handler may still be waking up.
  fake_->SetExecBehavior([&entered, released](const std::string&, const std::vector<std::string>&) {
    entered.set_value();
    released.wait();  // a command that runs until the test lets it end
    return ExecSyncResult{"", "", 0};
  });
  std::promise<absl::Status> result;
  runtime_->ExecSyncAsync(cid, {"sleep"}, absl::Seconds(30), [&](absl::StatusOr<ExecSyncResult> r) {
    result.set_value(r.status());
  });
  entered.get_future().wait();
  runtime_.reset();  // returns once gRPC has released the call
  auto done = result.get_future();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(0)), std::future_status::ready) << "the callback ran before";
  EXPECT_EQ(done.get().code(), absl::StatusCode::kCancelled);
}

TEST_F(RemoteRuntimeTest, ImagesPullStatusListRemove) {
  auto absent = images_->ImageStatus({.image = "localhost/new:2"});
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value()) << "a missing image is not an error";
  auto refused = images_->PullImage({.image = "localhost/new:2"}, nullptr, nullptr, {});
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(Message(refused.status()), HasSubstr("PullImage image \"localhost/new:2\""));
  fake_->AddPullableImage("localhost/new:2");
  auto ref = images_->PullImage({.image = "localhost/new:2"}, nullptr, nullptr, {});
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto present = images_->ImageStatus({.image = "localhost/new:2"});
  ASSERT_TRUE(present->has_value());
  EXPECT_EQ((*present)->id, *ref);
  EXPECT_EQ(images_->ListImages({})->size(), 2u);
  ASSERT_TRUE(images_->RemoveImage({.image = "localhost/new:2"}).ok());
  EXPECT_FALSE(images_->ImageStatus({.image = "localhost/new:2"})->has_value());
  auto fs = images_->GetImageFsInfo();
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->image_filesystems.size(), 1u);
}

TEST_F(RemoteRuntimeTest, CallsHaveADeadlineWhenTheRuntimeIsGone) {
  fake_->Shutdown();
  RemoteRuntimeOptions options;
  options.endpoint = fake_->endpoint();
  options.status_timeout = absl::Milliseconds(300);
  auto runtime = *NewRemoteRuntimeService(options);
  const absl::Time start = absl::Now();
  auto v = runtime->Version();
  EXPECT_EQ(v.status().code(), absl::StatusCode::kDeadlineExceeded) << v.status();
  EXPECT_THAT(Message(v.status()), HasSubstr("Version"));
  // Not a timing assertion: only that the call did not hang far past its deadline.
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
}

TEST_F(RemoteRuntimeTest, ReconnectsTransparentlyWhenTheRuntimeRestarts) {
  ASSERT_TRUE(runtime_->Version().ok());
  fake_->Shutdown();
  // The runtime comes back on the same socket while a call is waiting for it.
  std::thread restart([&] {
    absl::SleepFor(absl::Milliseconds(500));
    fake_ = std::make_unique<FakeRuntimeServer>(socket_, &clock_);
    ASSERT_TRUE(fake_->Start().ok());
  });
  auto v = runtime_->Version();
  if (v.status().code() == absl::StatusCode::kUnavailable) {
    // The channel had not yet seen the old connection close: that call was written to it and
    // failed ("Broken pipe"). Now the channel knows, and the next call waits for the runtime.
    v = runtime_->Version();
  }
  restart.join();
  EXPECT_TRUE(v.ok()) << v.status();
}

TEST(GrpcTargetForEndpointTest, AcceptsUnixSocketsOnly) {
  EXPECT_EQ(*GrpcTargetForEndpoint("unix:///run/containerd/containerd.sock"), "unix:///run/containerd/containerd.sock");
  EXPECT_EQ(*GrpcTargetForEndpoint("/run/containerd/containerd.sock"), "unix:///run/containerd/containerd.sock");
  EXPECT_EQ(GrpcTargetForEndpoint("tcp://127.0.0.1:1234").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GrpcTargetForEndpoint("unix://relative.sock").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GrpcTargetForEndpoint("").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cubelet::cri
