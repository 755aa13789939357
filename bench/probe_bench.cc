// `make bench`, probes: 110 pods, each with an exec liveness probe and an HTTP readiness probe
// at periodSeconds 1. Measures cubelet's CPU and how late probes start against their schedule
// (p50/p90/p99), then, on the same containers in the same run, a bare client making the same
// calls (raw_prober.h): the difference is cubelet's own cost, the baseline's lateness is what the
// machine and the runtime impose. Writes a markdown table to bench/results/probes.md and stdout.
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

#include <httplib.h>

#include "absl/strings/str_format.h"
#include "bench_util.h"
#include "raw_prober.h"
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
                // A liveness failure (an exec that outlives its 1 s timeout on a saturated machine)
                // never restarts the container: the run measures probing, not restarts.
                "    livenessProbe: {exec: {command: ['true']}, periodSeconds: 1, failureThreshold: 100000}\n"
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

// Probe runs so far, over every prober_probe_total series.
int64_t ProbesRun(const std::string& text) {
  int64_t n = 0;
  std::regex total(R"(prober_probe_total\{[^}]*\} (\d+))");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), total); it != std::sregex_iterator(); ++it) {
    n += std::stoll((*it)[1].str());
  }
  return n;
}

// cubelet_prober_lateness_seconds buckets from /metrics/probes: upper bound -> runs no later,
// summed over `handlers`.
using Buckets = std::map<double, int64_t>;
Buckets LatenessBuckets(const std::string& text, const std::vector<std::string>& handlers) {
  Buckets out;
  std::regex re(R"re(cubelet_prober_lateness_seconds_bucket\{handler="([a-zA-Z]+)",le="([^"]+)"\} (\d+))re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    if (std::find(handlers.begin(), handlers.end(), (*it)[1].str()) == handlers.end()) continue;
    const std::string le = (*it)[2].str();
    out[le == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(le)] += std::stoll((*it)[3].str());
  }
  return out;
}

Buckets Minus(Buckets after, const Buckets& before) {
  for (auto& [le, n] : after) n -= before.count(le) ? before.at(le) : 0;
  return after;
}

// The q-quantile of a histogram, interpolated linearly inside its bucket (as Prometheus does).
double HistogramQuantile(const Buckets& b, double q) {
  if (b.empty() || b.rbegin()->second == 0) return 0;
  const double rank = q * static_cast<double>(b.rbegin()->second);
  double lower = 0;
  int64_t below = 0;
  for (const auto& [le, n] : b) {
    if (static_cast<double>(n) >= rank) {
      if (std::isinf(le)) return lower;
      return lower + (le - lower) * (rank - static_cast<double>(below)) / std::max<double>(1, static_cast<double>(n - below));
    }
    lower = le;
    below = n;
  }
  return lower;
}

double ShareWithin(const Buckets& b, double bound) {
  if (b.empty() || b.rbegin()->second == 0) return 0;
  return static_cast<double>(b.at(bound)) / static_cast<double>(b.rbegin()->second);
}

double ShareWithin(const std::vector<double>& v, double bound) {
  if (v.empty()) return 0;
  return static_cast<double>(std::count_if(v.begin(), v.end(), [&](double x) { return x <= bound; })) /
         static_cast<double>(v.size());
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
  const std::vector<std::string> args = {
      "--container-runtime-endpoint=" + tb->endpoint(), "--pod-manifest-path=" + manifests,
      "--root-dir=" + dir + "/root", "--cgroup-root=" + tb->cgroup_parent(), "--hostname-override=bench",
      "--read-only-port=" + std::to_string(port), "--healthz-port=0"};
  // Every pod ready: every readiness probe has passed at least once.
  auto wait_all_ready = [&] {
    for (int i = 0; i < 600; ++i) {
      auto pods = FetchPods(port);
      int ready = 0;
      if (pods.ok()) {
        for (const auto& p : *pods) {
          for (const auto& c : p.status.conditions) ready += c.type == "Ready" && c.status == "True";
        }
      }
      if (ready == kPods) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  };

  // 1. cubelet starts the pods, then stops (its pods keep running).
  std::vector<ProbeTarget> targets;
  {
    CubeletProcess starter(cubelet_binary, args, dir + "/cubelet-start.log");
    WaitRunning(*rt, kPods);
    wait_all_ready();
    if (auto pods = FetchPods(port); pods.ok()) {
      for (const auto& p : *pods) {
        if (p.status.container_statuses.empty() || p.status.pod_ip.empty()) continue;
        const std::string& id = p.status.container_statuses[0].container_id;
        targets.push_back({id.substr(id.find("://") + 3), p.status.pod_ip});
      }
    }
    starter.Signal(SIGTERM);
    starter.Wait(60);
  }

  // 2. The baseline probes the running containers.
  const double runtime_base_before = CpuOfProcessesMentioning(tb->dir() + "/");
  const ProcSample self_before = Sample(::getpid());
  RawProber raw(rt.get(), targets, 8080);
  const RawProbeStats base = raw.Run(std::chrono::seconds(5), std::chrono::seconds(kMeasureSeconds));
  const ProcSample self_after = Sample(::getpid());
  const double runtime_base_after = CpuOfProcessesMentioning(tb->dir() + "/");

  // 3. cubelet again, adopting the same containers; measured once every pod is ready again.
  CubeletProcess cubelet(cubelet_binary, args, dir + "/cubelet.log");
  wait_all_ready();
  std::this_thread::sleep_for(std::chrono::seconds(5));
  httplib::Client client("127.0.0.1", port);
  auto metrics_text = [&] {
    auto r = client.Get("/metrics/probes");
    return r ? r->body : std::string();
  };
  const std::string text_before = metrics_text();
  const int64_t probes_before = ProbesRun(text_before);
  const ProcSample before = Sample(cubelet.pid());
  const double runtime_before = CpuOfProcessesMentioning(tb->dir() + "/");
  std::this_thread::sleep_for(std::chrono::seconds(kMeasureSeconds));
  const ProcSample after = Sample(cubelet.pid());
  const double runtime_after = CpuOfProcessesMentioning(tb->dir() + "/");
  const std::string text = metrics_text();
  const int64_t probes_run = ProbesRun(text) - probes_before;
  cubelet.Signal(SIGTERM);
  cubelet.Wait(60);
  CleanRuntime(*rt);
  (void)tb->Stop();
  fs::remove_all(dir);

  const double cubelet_cpu = (after.cpu_seconds - before.cpu_seconds) / kMeasureSeconds * 100;
  const double runtime_cpu = (runtime_after - runtime_before) / kMeasureSeconds * 100;
  // The baseline ran 5 s of warm-up inside the sampled span as well.
  const double base_cpu = (self_after.cpu_seconds - self_before.cpu_seconds) / (kMeasureSeconds + 5) * 100;
  const double runtime_base_cpu = (runtime_base_after - runtime_base_before) / (kMeasureSeconds + 5) * 100;
  std::vector<double> base_all = base.exec_lateness_s;
  base_all.insert(base_all.end(), base.http_lateness_s.begin(), base.http_lateness_s.end());
  // cubelet's lateness in the measured window only: the difference of its histograms.
  auto window = [&](const std::vector<std::string>& handlers) {
    return Minus(LatenessBuckets(text, handlers), LatenessBuckets(text_before, handlers));
  };
  const Buckets all = window({"exec", "httpGet"}), exec = window({"exec"}), http = window({"httpGet"});
  auto ms = [](double s) { return absl::StrFormat("%.1f ms", s * 1000); };
  auto lateness_row = [&](const std::string& what, double q, const Buckets& cubelet_buckets,
                          const std::vector<double>& baseline, const std::string& goal) {
    return absl::StrFormat("| %s | %s | %s | %s |\n", what, ms(HistogramQuantile(cubelet_buckets, q)),
                           ms(Quantile(baseline, q)), goal);
  };
  auto within_row = [&](const std::string& what, const Buckets& cubelet_buckets, const std::vector<double>& baseline,
                        const std::string& goal) {
    return absl::StrFormat("| %s | %.1f %% | %.1f %% | %s |\n", what, ShareWithin(cubelet_buckets, 0.1) * 100,
                           ShareWithin(baseline, 0.1) * 100, goal);
  };
  std::ostringstream md;
  md << "# Probes: " << kPods << " pods x 2 probes (exec liveness, HTTP readiness) at periodSeconds 1\n\n"
     << "cubelet starts the pods and stops; a bare client (bench/raw_prober.h) then makes the same calls on the "
     << "same containers (CRI ExecSync `true` with a 1 s timeout, HTTP GET /) with the same ticker schedule and "
     << "16 threads for " << kMeasureSeconds << " s; then cubelet starts again, adopts the containers, and is "
     << "measured for " << kMeasureSeconds << " s once every pod is ready. "
     << "Lateness is how long after its scheduled tick a probe started; ticks missed while a probe still ran "
     << "are skipped, as upstream's ticker does. cubelet's quantiles are interpolated from its "
     << "cubelet_prober_lateness_seconds histogram over the measured window (bucket bounds 50, 100, 250, 500 ms...); "
     << "the shares within 100 ms are exact for both.\n\n"
     << "| metric | cubelet | bare client (baseline) | goal |\n|---|---:|---:|---:|\n"
     << absl::StrFormat("| CPU of the prober process | %.1f %% of a core | %.1f %% of a core | |\n", cubelet_cpu, base_cpu)
     << absl::StrFormat("| cubelet CPU beyond the baseline | %.1f %% of a core | | < 5 %% |\n", cubelet_cpu - base_cpu)
     << absl::StrFormat("| containerd + shims CPU (the exec cost) | %.1f %% of a core | %.1f %% of a core | |\n",
                        runtime_cpu, runtime_base_cpu)
     << lateness_row("lateness p50, all probes", 0.5, all, base_all, "")
     << lateness_row("lateness p90, all probes", 0.9, all, base_all, "")
     << lateness_row("lateness p99, all probes", 0.99, all, base_all, "< 100 ms")
     << within_row("runs started within 100 ms, all probes", all, base_all, ">= 99 %")
     << within_row("runs started within 100 ms, exec probes", exec, base.exec_lateness_s, "")
     << within_row("runs started within 100 ms, HTTP probes", http, base.http_lateness_s, "")
     << absl::StrFormat("| probes run per second | %.0f | %.0f | %d wanted |\n",
                        static_cast<double>(probes_run) / kMeasureSeconds,
                        static_cast<double>(base.runs) / kMeasureSeconds, 2 * kPods)
     << absl::StrFormat("| mean exec probe (ExecSync) duration | %.1f ms | | |\n", MeanDuration(text, "Liveness") * 1000)
     << absl::StrFormat("| mean HTTP probe duration | %.1f ms | | |\n", MeanDuration(text, "Readiness") * 1000)
     << absl::StrFormat("| cubelet RSS | %.1f MiB | | |\n", after.rss_kib / 1024.0);
  std::cout << md.str();
  fs::create_directories(fs::path(out_path).parent_path());
  std::ofstream(out_path) << md.str();
  return 0;
}
