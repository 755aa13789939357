#include "testbed/cubelet_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <httplib.h>

#include "api/json_codec.h"
#include "common/strings.h"

namespace cubelet::testing {

CubeletProcess::CubeletProcess(const std::string& binary, std::vector<std::string> args, std::string log_path)
    : log_(std::move(log_path)) {
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
}

CubeletProcess::~CubeletProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string CubeletProcess::Log() const {
  std::ifstream f(log_);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

bool CubeletProcess::WaitForLog(const std::string& needle, int seconds) const {
  for (int i = 0; i < seconds * 20; ++i) {
    if (Log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int CubeletProcess::Wait(int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

void CubeletProcess::Signal(int sig) { ::kill(pid_, sig); }

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

absl::StatusOr<std::vector<api::Pod>> FetchPods(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto res = client.Get("/pods");
  if (!res) return absl::UnavailableError(StrCat("GET /pods on port ", port, ": ", httplib::to_string(res.error())));
  if (res->status != 200) return absl::UnavailableError(StrCat("GET /pods: HTTP ", res->status));
  return api::DecodePodList(res->body);
}

absl::StatusOr<api::Pod> WaitForPod(int port, const std::string& name_prefix,
                                    const std::function<bool(const api::Pod&)>& pred, int seconds) {
  std::string last = "no such pod";
  for (int i = 0; i < seconds * 5; ++i) {
    auto pods = FetchPods(port);
    if (pods.ok()) {
      for (const auto& p : *pods) {
        if (p.metadata.name.rfind(name_prefix, 0) != 0) continue;
        if (pred(p)) return p;
        last = Describe(p);
      }
    } else {
      last = std::string(pods.status().message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return absl::DeadlineExceededError(StrCat("pod ", name_prefix, " did not get there in ", seconds, "s; last: ", last));
}

std::string Describe(const api::Pod& pod) {
  std::string out = StrCat(pod.metadata.name, " uid=", pod.metadata.uid, " phase=", pod.status.phase);
  for (const auto* list : {&pod.status.init_container_statuses, &pod.status.container_statuses}) {
    for (const auto& c : *list) {
      StrAppend(&out, " [", c.name, " restarts=", c.restart_count, " ready=", c.ready);
      if (c.state.running) out += " running";
      if (c.state.waiting) StrAppend(&out, " waiting:", c.state.waiting->reason, ":", c.state.waiting->message);
      if (c.state.terminated) StrAppend(&out, " terminated:", c.state.terminated->exit_code, ":", c.state.terminated->reason);
      out += "]";
    }
  }
  for (const auto& c : pod.status.conditions) StrAppend(&out, " ", c.type, "=", c.status, "(", c.reason, ":", c.message, ")");
  return out;
}

}  // namespace cubelet::testing
