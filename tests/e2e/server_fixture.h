// Owns: what e2e tests need to drive a real cubelet-server: starting it on a temp data dir and
// a free port (and restarting it on the same dir), running real clients against it (kubectl
// through the machine's dispatcher or a given bundled minor, /usr/bin/python3 with
// python3-kubernetes) with a clean environment, and node kubeconfigs.
// Does not own: assertions (the tests).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testbed/cubelet_process.h"

namespace cubelet::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string Describe() const;  // for failure messages
};

// Runs argv with `env` added to a minimal environment (PATH, HOME=a temp dir), feeding `input`
// to stdin; waits at most `timeout_seconds` (then SIGKILL, exit_code -1).
CommandResult RunCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                         const std::string& input = "", int timeout_seconds = 120);

class ServerFixture {
 public:
  // Starts cubelet-server on a new temp data dir; fails the test (ADD_FAILURE) and leaves
  // started() false when it does not get ready within 30 s.
  explicit ServerFixture(std::vector<std::string> extra_args = {});
  ~ServerFixture();

  bool started() const { return started_; }
  // SIGTERM and wait; then Start again on the same data dir and port.
  void Restart();
  void Stop();
  bool Start();

  const std::string& data_dir() const { return data_dir_; }
  std::string admin_kubeconfig() const { return data_dir_ + "/admin.kubeconfig"; }
  std::string url() const;
  int port() const { return port_; }
  std::string Log() const;

  // kubectl with the admin kubeconfig (or `kubeconfig`), through /usr/bin/kubectl, or the
  // bundled client of `minor` ("1.27".."1.33") when given.
  CommandResult Kubectl(const std::vector<std::string>& args, const std::string& input = "",
                        const std::string& kubeconfig = "", const std::string& minor = "") const;
  // /usr/bin/python3 running `script_path` with KUBECONFIG set and `args`.
  CommandResult Python(const std::string& script_path, const std::vector<std::string>& args = {},
                       const std::string& kubeconfig = "") const;
  // A kubeconfig for node `name` (cubelet-server kubeconfig); empty on failure.
  std::string NodeKubeconfig(const std::string& name) const;

 private:
  std::vector<std::string> extra_args_;
  std::string data_dir_;
  std::string home_;
  int port_ = 0;
  bool started_ = false;
  std::unique_ptr<CubeletProcess> process_;
};

// tests/e2e: where the Python scripts and manifests are.
std::string E2eDir();

}  // namespace cubelet::testing
