// Owns: what e2e tests need to drive a real cubelet-server: starting it on a temp data dir and
// a free port (and restarting it on the same dir), running real clients against it (kubectl
// through the machine's dispatcher or a given bundled minor, /usr/bin/python3 with
// python3-kubernetes) with a clean environment, node kubeconfigs, and the fixture of suites
// that share one server.
// Does not own: assertions (the tests).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testbed/cubelet_process.h"
#include "testutil/temp_dir.h"

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

// In a forked child: replaces the process with argv (argv[0] an absolute path) in an environment
// of PATH and `env` only. Never returns; the child exits 127 when exec fails.
[[noreturn]] void ExecInCleanEnvironment(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env);

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

  const std::string& data_dir() const { return data_dir_.path(); }
  std::string admin_kubeconfig() const { return data_dir_ / "admin.kubeconfig"; }
  std::string url() const;
  int port() const { return port_; }
  std::string Log() const;

  // kubectl with the admin kubeconfig (or `kubeconfig`), through /usr/bin/kubectl, or the
  // bundled client of `minor` ("1.27".."1.33") when given.
  CommandResult Kubectl(const std::vector<std::string>& args, const std::string& input = "",
                        const std::string& kubeconfig = "", const std::string& minor = "") const;
  // The dispatcher's kubectl with the admin kubeconfig, expecting exit 0 (a test failure naming
  // the command otherwise); answers stdout.
  std::string MustKubectl(const std::vector<std::string>& args, const std::string& input = "") const;
  // /usr/bin/python3 running `script_path` with KUBECONFIG set and `args`.
  CommandResult Python(const std::string& script_path, const std::vector<std::string>& args = {},
                       const std::string& kubeconfig = "") const;
  // A kubeconfig for node `name` (cubelet-server kubeconfig); empty on failure.
  std::string NodeKubeconfig(const std::string& name) const;
  // A kubeconfig for user `user` without groups (cubelet-server kubeconfig --user).
  std::string UserKubeconfig(const std::string& user) const;

 private:
  // cubelet-server kubeconfig with `who` (--node N or --user U), written to HOME/`file`.
  std::string Kubeconfig(const std::vector<std::string>& who, const std::string& file) const;
  // A client's environment: KUBECONFIG (the admin's unless given) and the fixture's HOME.
  std::map<std::string, std::string> ClientEnvironment(const std::string& kubeconfig) const;

  std::vector<std::string> extra_args_;
  TempDir data_dir_{"cubelet-e2e"};
  TempDir home_{"cubelet-e2e-home"};
  int port_ = 0;
  bool started_ = false;
  std::unique_ptr<CubeletProcess> process_;
};

// tests/e2e: where the Python scripts and manifests are.
std::string E2eDir();

// The base of a suite whose tests share one cubelet-server: started before the suite's first
// test, stopped after its last; each test fails at once when it is not running. `Base` is
// ::testing::Test or a ::testing::TestWithParam. The server is one pointer per Base, which
// the suites of one binary take in turn (gtest runs one suite at a time).
template <typename Base = ::testing::Test>
class SharedServerTest : public Base {
 protected:
  static void SetUpTestSuite() { server_ = new ServerFixture(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->started()) << server_->Log(); }

  // The dispatcher's kubectl with the admin kubeconfig.
  static CommandResult Kubectl(const std::vector<std::string>& args, const std::string& input = "") {
    return server_->Kubectl(args, input);
  }
  static std::string MustKubectl(const std::vector<std::string>& args, const std::string& input = "") {
    return server_->MustKubectl(args, input);
  }

  static inline ServerFixture* server_ = nullptr;
};

// The kubectl minors bundled on this machine (/usr/lib/google-cloud-sdk/bin/kubectl.<minor>).
inline const std::vector<std::string>& BundledKubectlMinors() {
  static const std::vector<std::string> minors = {"1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33"};
  return minors;
}

// A minor without its dot ("1.27" -> "127"), for object and test names.
inline std::string MinorTag(std::string minor) {
  std::erase(minor, '.');
  return minor;
}

// A shared-server suite instantiated with ValuesIn(BundledKubectlMinors()): Kubectl runs the
// parameter's client directly instead of the dispatcher (MustKubectl still uses the dispatcher).
class PerMinorServerTest : public SharedServerTest<::testing::TestWithParam<std::string>> {
 protected:
  CommandResult Kubectl(const std::vector<std::string>& args, const std::string& input = "") const {
    return server_->Kubectl(args, input, "", GetParam());
  }
  std::string Tag() const { return MinorTag(GetParam()); }
};

}  // namespace cubelet::testing
