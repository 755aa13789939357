// Shared by the benchmarks: runtime clean-up and polling, and /proc samples of a process.
#pragma once

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "common/strings.h"
#include "cri/remote_runtime.h"
#include "cri/runtime_service.h"
#include "testbed/testbed.h"

namespace cubelet::bench {

inline double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

inline void CleanRuntime(cri::RuntimeService& rt) {
  auto sandboxes = rt.ListPodSandbox({});
  if (!sandboxes.ok()) return;
  for (const auto& sb : *sandboxes) {
    (void)rt.StopPodSandbox(sb.id);
    (void)rt.RemovePodSandbox(sb.id);
  }
}

inline int RunningContainers(cri::RuntimeService& rt) {
  auto list = rt.ListContainers({.id = "", .state = cri::ContainerState::kRunning});
  return list.ok() ? static_cast<int>(list->size()) : 0;
}

inline void WaitRunning(cri::RuntimeService& rt, int n) {
  while (RunningContainers(rt) < n) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

struct ProcSample {
  double cpu_seconds = 0;
  long rss_kib = 0;
  long rss_anon_kib = 0;  // the process's own memory
  long rss_file_kib = 0;  // mapped files: mostly shared library text (gRPC, OpenSSL, protobuf)
};

inline ProcSample Sample(pid_t pid) {
  ProcSample s;
  std::ifstream stat(StrCat("/proc/", pid, "/stat"));
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream f(content.substr(content.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && f >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::ifstream status(StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kib = std::stol(line.substr(6));
    if (line.rfind("RssAnon:", 0) == 0) s.rss_anon_kib = std::stol(line.substr(8));
    if (line.rfind("RssFile:", 0) == 0) s.rss_file_kib = std::stol(line.substr(8));
  }
  return s;
}

// A test bed and a CRI client on it, or null with the reason printed (no root or containerd).
struct BenchBed {
  std::unique_ptr<testing::Testbed> testbed;
  std::unique_ptr<cri::RuntimeService> runtime;
  std::unique_ptr<cri::ImageService> images;
};

inline std::unique_ptr<BenchBed> StartBenchBed() {
  auto tb = testing::Testbed::Start();
  if (!tb.ok()) {
    std::cerr << "bench: needs root and containerd: " << tb.status() << "\n";
    return nullptr;
  }
  cri::RemoteRuntimeOptions o;
  o.endpoint = (*tb)->endpoint();
  auto bed = std::make_unique<BenchBed>();
  bed->testbed = std::move(*tb);
  bed->runtime = *cri::NewRemoteRuntimeService(o);
  bed->images = *cri::NewRemoteImageService(o);
  return bed;
}

}  // namespace cubelet::bench
