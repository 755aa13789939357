// Owns: CubeletProcess, a real `cubelet` child process for node tests (stderr captured to a
// file), and helpers to read its /pods endpoint.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"

namespace cubelet::testing {

class CubeletProcess {
 public:
  CubeletProcess(const std::string& binary, std::vector<std::string> args, std::string log_path);
  ~CubeletProcess();  // SIGKILL if still running

  std::string Log() const;
  // Polls the log until it contains `needle`.
  bool WaitForLog(const std::string& needle, int seconds = 20) const;
  // Exit code (128+signal when killed), or -1 if it did not exit within `seconds`.
  int Wait(int seconds = 20);
  void Signal(int sig);
  pid_t pid() const { return pid_; }

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

// A TCP port nothing listens on right now.
int FreePort();

// GET http://127.0.0.1:<port>/pods, decoded.
absl::StatusOr<std::vector<api::Pod>> FetchPods(int port);

// Polls /pods until `pred` holds for the pod whose name starts with `name_prefix`; returns it.
absl::StatusOr<api::Pod> WaitForPod(int port, const std::string& name_prefix,
                                    const std::function<bool(const api::Pod&)>& pred, int seconds);

// A readable summary of a pod's status, for failure messages.
std::string Describe(const api::Pod& pod);

}  // namespace cubelet::testing
