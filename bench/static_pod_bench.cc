// `make bench`, static pods: time from manifests written to every container running, for 1, 10
// and 30 pods, against a baseline that issues the same CRI calls directly (same runtime, same
// run, same parallelism as cubelet's pod workers); then cubelet's RSS and CPU with 30 pods steady.
// Writes a markdown table to bench/results/static_pods.md and stdout.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/str_format.h"
#include "common/strings.h"
#include "cri/remote_runtime.h"
#include "testbed/cubelet_process.h"
#include "testbed/pods.h"
#include "testbed/testbed.h"
#include "bench_util.h"

namespace fs = std::filesystem;
using namespace cubelet;
using namespace cubelet::testing;
using namespace cubelet::bench;

namespace {

constexpr int kWorkers = 4;  // cubelet's pod worker threads

// The baseline: what a minimal agent must send for each pod, with the same parallelism.
double Baseline(cri::RuntimeService& rt, cri::ImageService& images, const Testbed& tb, int pods,
                const std::string& log_dir) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = w; i < pods; i += kWorkers) {
        const std::string name = StrCat("base-", i);
        auto config = SandboxConfig(tb, name, StrCat(log_dir, "/", name));
        fs::create_directories(config.log_directory);
        auto id = rt.RunPodSandbox(config, "");
        if (!id.ok()) std::abort();
        (void)rt.GetPodSandboxStatus(*id);
        (void)images.ImageStatus({.image = tb.test_image()});
        auto cid = rt.CreateContainer(*id, ShellContainer(tb, "main", "exec sleep 3600"), config);
        if (!cid.ok() || !rt.StartContainer(*cid).ok()) std::abort();
      }
    });
  }
  for (auto& t : threads) t.join();
  WaitRunning(rt, pods);
  return Seconds(std::chrono::steady_clock::now() - start);
}

std::string Manifest(int i) {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: bench-", i,
                "\nspec:\n  containers:\n  - name: main\n    image: localhost/cubelet/testimage:1.0\n"
                "    command: [sh, -c, 'exec sleep 3600']\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cubelet_binary = argc > 1 ? argv[1] : CUBELET_BINARY;
  const std::string out_path = argc > 2 ? argv[2] : "bench/results/static_pods.md";
  auto bed = StartBenchBed();
  if (bed == nullptr) return 1;
  auto& tb = bed->testbed;
  auto& rt = bed->runtime;
  auto& images = bed->images;
  const std::string dir = MakeTempDir("cubelet-bench");

  std::vector<std::string> rows;
  int steady_pods = 0;
  ProcSample steady_before, steady_after;
  double steady_seconds = 0;
  constexpr int kRepetitions = 3;
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  for (int pods : {1, 10, 30}) {
   std::vector<double> bases, agents;
   for (int rep = 0; rep < kRepetitions; ++rep) {
    CleanRuntime(*rt);
    bases.push_back(Baseline(*rt, *images, *tb, pods, dir + "/base-logs"));
    CleanRuntime(*rt);

    const std::string manifests = StrCat(dir, "/manifests-", pods, "-", rep);
    fs::create_directories(manifests);
    const int port = FreePort();
    CubeletProcess cubelet(cubelet_binary,
                           {"--container-runtime-endpoint=" + tb->endpoint(), "--pod-manifest-path=" + manifests,
                            "--root-dir=" + dir + "/root", "--cgroup-root=" + tb->cgroup_parent(),
                            "--hostname-override=bench", "--read-only-port=" + std::to_string(port),
                            "--healthz-port=0"},
                           StrCat(dir, "/cubelet-", pods, "-", rep, ".log"));
    if (!cubelet.WaitForLog("Node agent running")) {
      std::cerr << cubelet.Log();
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < pods; ++i) {
      const std::string tmp = StrCat(manifests, "/.", i, ".tmp");
      std::ofstream(tmp) << Manifest(i);
      fs::rename(tmp, StrCat(manifests, "/pod-", i, ".yaml"));
    }
    WaitRunning(*rt, pods);
    agents.push_back(Seconds(std::chrono::steady_clock::now() - start));
    if (pods == 30 && rep == kRepetitions - 1) {
      // Steady state: let start-up settle, then measure over 30 s.
      std::this_thread::sleep_for(std::chrono::seconds(5));
      steady_pods = pods;
      steady_before = Sample(cubelet.pid());
      steady_seconds = 30;
      std::this_thread::sleep_for(std::chrono::seconds(30));
      steady_after = Sample(cubelet.pid());
    }
    cubelet.Signal(SIGTERM);
    cubelet.Wait(30);
   }
   const double base = median(bases), agent = median(agents);
   rows.push_back(absl::StrFormat("| %d | %.3f | %.3f | %.2f | %+.1f %% |", pods, base, agent, agent / base,
                                  (agent / base - 1) * 100));
  }
  CleanRuntime(*rt);
  (void)tb->Stop();
  fs::remove_all(dir);

  std::ostringstream md;
  md << "# Static pods: manifest written to all containers running\n\n"
     << "Same containerd, same run. Baseline: a program issuing the same CRI calls directly "
     << "(RunPodSandbox, PodSandboxStatus, ImageStatus, CreateContainer, StartContainer) on " << kWorkers
     << " threads, as many as cubelet's pod workers. Both measured until the runtime lists every container running; "
     << "medians of " << kRepetitions << " runs each.\n\n"
     << "| pods | baseline (s) | cubelet (s) | ratio | cubelet overhead |\n|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows) md << r << "\n";
  const double cpu = (steady_after.cpu_seconds - steady_before.cpu_seconds) / steady_seconds * 100;
  md << "\n## Steady state with " << steady_pods << " pods (" << steady_seconds << " s)\n\n"
     << "| metric | value | goal |\n|---|---:|---:|\n"
     << absl::StrFormat("| cubelet RSS | %.1f MiB | < 20 MiB |\n", steady_after.rss_kib / 1024.0)
     << absl::StrFormat("| of which anonymous (cubelet's own) | %.1f MiB | |\n", steady_after.rss_anon_kib / 1024.0)
     << absl::StrFormat("| of which mapped files (shared library text) | %.1f MiB | |\n", steady_after.rss_file_kib / 1024.0)
     << absl::StrFormat("| cubelet CPU | %.2f %% of a core | < 0.5 %% |\n", cpu);
  std::cout << md.str();
  fs::create_directories(fs::path(out_path).parent_path());
  std::ofstream(out_path) << md.str();
  return 0;
}
