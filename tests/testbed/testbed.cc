#include "testbed/testbed.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/strings.h"

#ifndef CUBELET_TESTBED_SCRIPT
#error "CUBELET_TESTBED_SCRIPT must name tests/testbed/testbed"
#endif

namespace cubelet::testing {
namespace {

// Runs a shell command; returns its exit code and stdout.
std::pair<int, std::string> Run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return {-1, ""};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int rc = ::pclose(p);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

bool OnPath(const char* tool) {
  return Run(StrCat("command -v ", tool, " >/dev/null 2>&1")).first == 0;
}

// The environment's test bed, reachable from the signal handler.
Testbed* g_testbed = nullptr;
std::string* g_skip_reason = nullptr;
char g_stop_dir[512];

// Async-signal-safe: fork and exec the stop script, wait, then die of the same signal.
void StopOnSignal(int sig) {
  if (g_stop_dir[0] != '\0') {
    pid_t pid = ::fork();
    if (pid == 0) {
      const char* argv[] = {"/bin/bash", CUBELET_TESTBED_SCRIPT, "stop", g_stop_dir, nullptr};
      ::execv("/bin/bash", const_cast<char* const*>(argv));
      ::_exit(127);
    }
    if (pid > 0) ::waitpid(pid, nullptr, 0);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

std::string Testbed::ScriptPath() { return CUBELET_TESTBED_SCRIPT; }

std::string Testbed::UnavailableReason() {
  if (::geteuid() != 0) return "not running as root";
  for (const char* tool : {"containerd", "runc", "ctr", "busybox", "ip"}) {
    if (!OnPath(tool)) return StrCat(tool, " is not installed (scripts/install-deps installs it)");
  }
  if (!std::filesystem::exists("/usr/lib/cni/bridge")) return "CNI plugins are missing from /usr/lib/cni";
  return "";
}

absl::StatusOr<std::unique_ptr<Testbed>> Testbed::Start(int owner_pid) {
  if (std::string why = UnavailableReason(); !why.empty()) return absl::UnavailableError(why);
  char tmpl[] = "/tmp/cubelet-tb.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  std::unique_ptr<Testbed> tb(new Testbed());
  tb->dir_ = tmpl;
  auto [rc, out] = Run(StrCat("CUBELET_TESTBED_OWNER=", owner_pid > 0 ? owner_pid : ::getpid(), " ",
                                  ScriptPath(), " start ", tb->dir_, " 2>&1"));
  if (rc != 0) {
    Run(StrCat(ScriptPath(), " stop ", tb->dir_));
    return absl::InternalError(StrCat("testbed start failed (exit ", rc, "): ", out));
  }
  std::map<std::string, std::string> env;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "CUBELET_TESTBED_")) continue;
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
    env[kv.first] = kv.second;
  }
  tb->endpoint_ = env["CUBELET_TESTBED_ENDPOINT"];
  tb->subnet_ = env["CUBELET_TESTBED_SUBNET"];
  tb->bridge_ = env["CUBELET_TESTBED_BRIDGE"];
  tb->cgroup_parent_ = env["CUBELET_TESTBED_CGROUP_PARENT"];
  tb->pause_image_ = env["CUBELET_TESTBED_PAUSE_IMAGE"];
  tb->test_image_ = env["CUBELET_TESTBED_TEST_IMAGE"];
  tb->slot_ = std::atoi(env["CUBELET_TESTBED_SLOT"].c_str());
  tb->prefix_ = tb->subnet_.substr(0, tb->subnet_.rfind('.') + 1);
  if (tb->endpoint_.empty()) return absl::InternalError(StrCat("testbed start printed no endpoint: ", out));
  return tb;
}

Testbed::~Testbed() { (void)Stop(); }

absl::Status Testbed::Stop() {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  auto [rc, out] = Run(StrCat(ScriptPath(), " stop ", dir_, " 2>&1"));
  if (rc != 0) return absl::InternalError(StrCat("testbed stop failed (exit ", rc, "): ", out));
  return absl::OkStatus();
}

absl::Status Testbed::RestartContainerd() {
  auto [rc, out] = Run(StrCat(ScriptPath(), " restart-containerd ", dir_, " 2>&1"));
  if (rc != 0) return absl::InternalError(StrCat("testbed restart-containerd failed (exit ", rc, "): ", out));
  return absl::OkStatus();
}

absl::Status Testbed::Sweep() {
  auto [rc, out] = Run(StrCat(ScriptPath(), " sweep 2>&1"));
  if (rc != 0) return absl::InternalError(StrCat("testbed sweep failed (exit ", rc, "): ", out));
  return absl::OkStatus();
}

std::string Testbed::Leftovers() const {
  return Run(StrCat(ScriptPath(), " leftovers ", dir_, " ", slot_)).second;
}

void NodeTestEnvironment::SetUp() {
  static std::string reason;
  g_skip_reason = &reason;
  auto tb = Testbed::Start();
  if (!tb.ok()) {
    reason = std::string(tb.status().message());
    return;
  }
  g_testbed = tb->release();
  std::snprintf(g_stop_dir, sizeof(g_stop_dir), "%s", g_testbed->dir().c_str());
  ::signal(SIGINT, StopOnSignal);
  ::signal(SIGTERM, StopOnSignal);
  ::signal(SIGABRT, StopOnSignal);
}

void NodeTestEnvironment::TearDown() {
  if (g_testbed == nullptr) return;
  g_stop_dir[0] = '\0';
  delete g_testbed;
  g_testbed = nullptr;
}

Testbed* NodeTestEnvironment::testbed() { return g_testbed; }

const std::string& NodeTestEnvironment::skip_reason() {
  static const std::string none = "test bed not set up";
  return g_skip_reason != nullptr ? *g_skip_reason : none;
}

}  // namespace cubelet::testing
