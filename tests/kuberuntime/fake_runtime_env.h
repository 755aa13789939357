// The in-process fake CRI runtime behind the real CRI clients, a VolumeManager and the runtime
// options, all under a fresh temp dir: what the runtime manager's and the pod sync handler's
// tests stand on.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "cri/fake_runtime.h"
#include "cri/remote_runtime.h"
#include "kuberuntime/runtime_options.h"
#include "volumes/volume_manager.h"

namespace cubelet::testing {

struct FakeRuntimeEnv {
  // `name` keeps the temp dirs of different test binaries apart. The fake holds the image
  // localhost/test:1.0.
  static absl::StatusOr<std::unique_ptr<FakeRuntimeEnv>> Create(const std::string& name, Clock* clock,
                                                                const Logger& logger) {
    auto env = std::make_unique<FakeRuntimeEnv>();
    namespace fs = std::filesystem;
    env->dir = fs::path(::testing::TempDir()) / (name + "-" + std::to_string(::getpid()));
    fs::remove_all(env->dir);
    fs::create_directories(env->dir);
    env->fake = std::make_unique<cri::FakeRuntimeServer>((env->dir / "cri.sock").string(), clock);
    if (absl::Status s = env->fake->Start(); !s.ok()) return s;
    env->fake->AddImage("localhost/test:1.0");
    cri::RemoteRuntimeOptions o;
    o.endpoint = env->fake->endpoint();
    auto runtime = cri::NewRemoteRuntimeService(o);
    if (!runtime.ok()) return runtime.status();
    auto images = cri::NewRemoteImageService(o);
    if (!images.ok()) return images.status();
    env->runtime = std::move(*runtime);
    env->images = std::move(*images);
    env->volumes = std::make_unique<volumes::VolumeManager>((env->dir / "root").string(), logger);
    env->options.root_dir = (env->dir / "root").string();
    env->options.pod_logs_dir = (env->dir / "logs").string();
    env->options.node_ips = {"192.0.2.10"};
    env->options.memory_capacity_bytes = 1 << 30;
    env->options.resolv_conf = (env->dir / "resolv.conf").string();
    std::ofstream(env->options.resolv_conf) << "nameserver 192.0.2.53\nsearch example.com\n";
    return env;
  }
  ~FakeRuntimeEnv() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::filesystem::path dir;
  std::unique_ptr<cri::FakeRuntimeServer> fake;
  std::unique_ptr<cri::RuntimeService> runtime;  // the remote client of `fake`
  std::unique_ptr<cri::ImageService> images;
  std::unique_ptr<volumes::VolumeManager> volumes;
  kuberuntime::RuntimeOptions options;
};

}  // namespace cubelet::testing
