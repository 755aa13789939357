// `make bench`, probes: 110 pods, each with an exec liveness probe and an HTTP readiness probe
// at periodSeconds 1. Measures cubelet's CPU (the runtime's exec cost is containerd's and the
// shims', reported beside it) and how late probes start against their schedule (p50/p90/p99).
// Writes a markdown table to bench/results/probes.md and stdout.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include <httplib.h>

#include "absl/strings/str_format.h"
#include "bench_util.h"
#include "common/strings.h"
#include "cri/remote_runtime.h"
#include "testbed/cubelet_process.h"
#include "testbed/pods.h"
#include "testbed/testbed.h"

namespace fs = std::filesystem;
using namespace cubelet;
using namespace cubelet::bench;
using namespace cubelet::testing;

namespace {

constexpr int kPods = 110;
constexpr int kMeasureSeconds = 30;

std::string Manifest(int i) {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: probed-", i,
                "\nspec:\n  terminationGracePeriodSeconds: 2\n  containers:\n  - name: main\n"
                "    image: localhost/cubelet/testimage:1.0\n"
                "    command: [sh, -c, 'mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www']\n"
                "    livenessProbe: {exec: {command: ['true']}, periodSeconds: 1}\n"
                "    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}\n");
}

// CPU seconds of every process whose command line mentions `needle` (containerd and its shims).
double CpuOfProcessesMentioning(const std::string& needle) {
  double total = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    try {
      std::ifstream f(e.path() / "cmdline");
      std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      if (cmd.find(needle) != std::string::npos) total += Sample(std::stoi(name)).cpu_seconds;
    } catch (const std::exception&) {
      // The process ended while we read it (an exec probe's process, typically).
    }
  }
  return total;
}

// Mean duration of one probe kind from prober_probe_duration_seconds.
double MeanDuration(const std::string& text, const std::string& type) {
  std::smatch sum, count;
  std::regex rs(StrCat("prober_probe_duration_seconds_sum\\{probe_type=\"", type, "\"\\} ([0-9.e+-]+)"));
  std::regex rc(StrCat("prober_probe_duration_seconds_count\\{probe_type=\"", type, "\"\\} ([0-9]+)"));
  if (!std::regex_search(text, sum, rs) || !std::regex_search(text, count, rc)) return -1;
  return std::stod(sum[1].str()) / std::max(1.0, std::stod(count[1].str()));
}

double Metric(const std::string& text, const std::string& quantile) {
  std::regex re(StrCat("cubelet_prober_lateness_seconds\\{quantile=\"", quantile, "\"\\} ([0-9.e+-]+)"));
  std::smatch m;
  return std::regex_search(text, m, re) ? std::stod(m[1].str()) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cubelet_binary = argc > 1 ? argv[1] : CUBELET_BINARY;
  const std::string out_path = argc > 2 ? argv[2] : "bench/results/probes.md";
  auto bed = StartBenchBed();
  if (bed == nullptr) return 1;
  auto& tb = bed->testbed;
  auto& rt = bed->runtime;
  const std::string dir = MakeTempDir("cubelet-probe-bench");
  const std::string manifests = dir + "/manifests";
  fs::create_directories(manifests);
  for (int i = 0; i < kPods; ++i) std::ofstream(StrCat(manifests, "/pod-", i, ".yaml")) << Manifest(i);
  const int port = FreePort();
  CubeletProcess cubelet(cubelet_binary,
                         {"--container-runtime-endpoint=" + tb->endpoint(), "--pod-manifest-path=" + manifests,
                          "--root-dir=" + dir + "/root", "--cgroup-root=" + tb->cgroup_parent(),
                          "--hostname-override=bench", "--read-only-port=" + std::to_string(port), "--healthz-port=0"},
                         dir + "/cubelet.log");
  WaitRunning(*rt, kPods);
  // Every pod ready: every readiness probe has passed at least once.
  for (int i = 0; i < 600; ++i) {
    auto pods = FetchPods(port);
    int ready = 0;
    if (pods.ok()) {
      for (const auto& p : *pods) {
        for (const auto& c : p.status.conditions) ready += c.type == "Ready" && c.status == "True";
      }
    }
    if (ready == kPods) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const ProcSample before = Sample(cubelet.pid());
  const double runtime_before = CpuOfProcessesMentioning(tb->dir() + "/");
  std::this_thread::sleep_for(std::chrono::seconds(kMeasureSeconds));
  const ProcSample after = Sample(cubelet.pid());
  const double runtime_after = CpuOfProcessesMentioning(tb->dir() + "/");
  httplib::Client client("127.0.0.1", port);
  auto metrics = client.Get("/metrics/probes");
  const std::string text = metrics ? metrics->body : "";
  int64_t probes_run = 0;
  std::regex total(R"(prober_probe_total\{[^}]*\} (\d+))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), total); it != std::sregex_iterator(); ++it) {
    probes_run += std::stoll((*it)[1].str());
  }
  cubelet.Signal(SIGTERM);
  cubelet.Wait(60);
  CleanRuntime(*rt);
  (void)tb->Stop();
  fs::remove_all(dir);

  const double cubelet_cpu = (after.cpu_seconds - before.cpu_seconds) / kMeasureSeconds * 100;
  const double runtime_cpu = (runtime_after - runtime_before) / kMeasureSeconds * 100;
  std::ostringstream md;
  md << "# Probes: " << kPods << " pods x 2 probes (exec liveness, HTTP readiness) at periodSeconds 1\n\n"
     << "Measured over " << kMeasureSeconds << " s once every pod was ready. The runtime's own cost of the exec "
     << "probes is containerd's and its shims' CPU, shown beside cubelet's.\n\n"
     << "| metric | value | goal |\n|---|---:|---:|\n"
     << absl::StrFormat("| cubelet CPU | %.1f %% of a core | < 5 %% |\n", cubelet_cpu)
     << absl::StrFormat("| containerd + shims CPU (the exec cost) | %.1f %% of a core | |\n", runtime_cpu)
     << absl::StrFormat("| probe lateness p50 | %.1f ms | |\n", Metric(text, "0.5") * 1000)
     << absl::StrFormat("| probe lateness p90 | %.1f ms | |\n", Metric(text, "0.9") * 1000)
     << absl::StrFormat("| probe lateness p99 | %.1f ms | < 100 ms |\n", Metric(text, "0.99") * 1000)
     << absl::StrFormat("| probes run (whole run) | %d | %d per second wanted |\n", probes_run, 2 * kPods)
     << absl::StrFormat("| mean exec probe (ExecSync) duration | %.1f ms | |\n", MeanDuration(text, "Liveness") * 1000)
     << absl::StrFormat("| mean HTTP probe duration | %.1f ms | |\n", MeanDuration(text, "Readiness") * 1000)
     << absl::StrFormat("| cubelet RSS | %.1f MiB | |\n", after.rss_kib / 1024.0);
  std::cout << md.str();
  fs::create_directories(fs::path(out_path).parent_path());
  std::ofstream(out_path) << md.str();
  return 0;
}
