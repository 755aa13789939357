#include "e2e/server_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "common/strings.h"

namespace cubelet::testing {
namespace {

void ReadAll(int fd, std::string* out) {
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out->append(buf, static_cast<size_t>(n));
}

}  // namespace

std::string CommandResult::Describe() const {
  return StrCat("exit ", exit_code, "\n--- stdout\n", out, "\n--- stderr\n", err);
}

std::string E2eDir() { return CUBELET_E2E_DIR; }

void ExecInCleanEnvironment(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  ::clearenv();
  ::setenv("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", 1);
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         const std::string& input, int timeout_seconds) {
  CommandResult result;
  int in[2], out[2], err[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0 || ::pipe(err) != 0) return result;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    ExecInCleanEnvironment(argv, env);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  std::thread writer([&] {
    size_t off = 0;
    while (off < input.size()) {
      ssize_t n = ::write(in[1], input.data() + off, input.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(in[1]);
  });
  std::thread err_reader([&] { ReadAll(err[0], &result.err); });
  // stdout is read here with a deadline, so a hung client cannot hang the test.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  bool killed = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 200)));
    char buf[65536];
    ssize_t n = ::read(out[0], buf, sizeof(buf));
    if (n > 0) {
      result.out.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  err_reader.join();
  writer.join();
  ::close(out[0]);
  ::close(err[0]);
  result.exit_code = killed ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return result;
}

ServerFixture::ServerFixture(std::vector<std::string> extra_args) : extra_args_(std::move(extra_args)) {
  port_ = FreePort();
  started_ = Start();
  if (!started_) ADD_FAILURE() << "cubelet-server did not get ready; log:\n" << Log();
}

// The server stops before its data dir goes.
ServerFixture::~ServerFixture() { Stop(); }

std::string ServerFixture::url() const { return StrCat("https://127.0.0.1:", port_); }

std::string ServerFixture::Log() const { return process_ ? process_->Log() : ""; }

bool ServerFixture::Start() {
  std::vector<std::string> args = {"--data-dir", data_dir(), "--secure-port", std::to_string(port_), "--v", "2"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<CubeletProcess>(CUBELET_SERVER_BINARY, args, data_dir_ / "server.log");
  started_ = process_->WaitForLog("cubelet-server is ready", 30);
  return started_;
}

void ServerFixture::Stop() {
  if (process_ == nullptr) return;
  process_->Signal(SIGTERM);
  if (process_->Wait(30) < 0) ADD_FAILURE() << "cubelet-server did not stop on SIGTERM within 30 s";
  started_ = false;
}

void ServerFixture::Restart() {
  std::string old_log = Log();
  Stop();
  // The log file is appended to; the next start waits for a second "ready".
  std::ofstream(data_dir_ / "server.log", std::ios::trunc) << "";
  started_ = Start();
  if (!started_) ADD_FAILURE() << "cubelet-server did not get ready after a restart; log:\n" << old_log << Log();
}

CommandResult ServerFixture::Kubectl(const std::vector<std::string>& args, const std::string& input,
                                     const std::string& kubeconfig, const std::string& minor) const {
  std::vector<std::string> argv = {minor.empty() ? "/usr/bin/kubectl"
                                                 : StrCat("/usr/lib/google-cloud-sdk/bin/kubectl.", minor)};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, ClientEnvironment(kubeconfig), input);
}

std::string ServerFixture::MustKubectl(const std::vector<std::string>& args, const std::string& input) const {
  CommandResult r = Kubectl(args, input);
  std::string joined;
  for (const auto& a : args) joined += a + " ";
  EXPECT_EQ(r.exit_code, 0) << "kubectl " << joined << ": " << r.Describe();
  return r.out;
}

CommandResult ServerFixture::Python(const std::string& script_path, const std::vector<std::string>& args,
                                    const std::string& kubeconfig) const {
  std::vector<std::string> argv = {"/usr/bin/python3", script_path};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, ClientEnvironment(kubeconfig));
}

std::map<std::string, std::string> ServerFixture::ClientEnvironment(const std::string& kubeconfig) const {
  return {{"KUBECONFIG", kubeconfig.empty() ? admin_kubeconfig() : kubeconfig}, {"HOME", home_.path()}};
}

std::string ServerFixture::NodeKubeconfig(const std::string& name) const {
  return Kubeconfig({"--node", name}, StrCat(name, ".kubeconfig"));
}

std::string ServerFixture::UserKubeconfig(const std::string& user) const {
  // KUBECONFIG is a colon-separated list: no colons in the file name.
  std::string file = user;
  std::replace(file.begin(), file.end(), ':', '_');
  return Kubeconfig({"--user", user}, StrCat(file, ".kubeconfig"));
}

std::string ServerFixture::Kubeconfig(const std::vector<std::string>& who, const std::string& file) const {
  std::string out = home_ / file;
  std::vector<std::string> argv = {CUBELET_SERVER_BINARY, "kubeconfig", "--data-dir", data_dir()};
  argv.insert(argv.end(), who.begin(), who.end());
  argv.insert(argv.end(), {"--server", url(), "--out", out});
  CommandResult r = RunCommand(argv);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "cubelet-server kubeconfig failed: " << r.Describe();
    return "";
  }
  return out;
}

}  // namespace cubelet::testing
