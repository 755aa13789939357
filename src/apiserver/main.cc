// cubelet-server: the bundled Kubernetes API server of cubelet. main only reads the command
// line, sets up logging and signals, and runs the ApiServer composition root.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "apiserver/api_server.h"
#include "apiserver/server_options.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/process_signals.h"
#include "pki/pki.h"
#include "version.h"

namespace {

// Thousands of watches are thousands of sockets: take the hard limit on open files.
void RaiseOpenFileLimit(const cubelet::Logger& logger) {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) logger.Warning("Cannot raise the open file limit");
  }
}

// glibc gives each thread that allocates its own arena (up to 8 per core) and seldom returns an
// arena's free pages to the kernel. A list of 10,000 pods builds tens of MiB on whichever handler
// thread serves it, so with 32 handler threads the freed memory of big lists piled up in many
// arenas: 1.2 GiB of RSS after a few hundred lists of 10,000 pods, 0.3 GiB with two arenas
// (bench/results/apiserver.md). Must run before any thread starts.
void LimitMallocArenas() { mallopt(M_ARENA_MAX, 2); }

}  // namespace

int main(int argc, char** argv) {
  LimitMallocArenas();
  std::vector<std::string> args(argv + 1, argv + argc);
  auto command_line = cubelet::apiserver::ParseCommandLine(args);
  if (!command_line.ok()) {
    std::cerr << "Error: " << command_line.status().message() << "\nRun 'cubelet-server --help' for usage.\n";
    return 1;
  }
  const cubelet::apiserver::ServerOptions& options = command_line->server;
  if (options.show_help) {
    std::cout << (command_line->kubeconfig ? cubelet::apiserver::KubeconfigUsage() : cubelet::apiserver::Usage());
    return 0;
  }
  if (options.show_version) {
    std::cout << "Kubernetes " << cubelet::kKubernetesVersion << " (cubelet-server " << cubelet::kCubeletVersion << ")\n";
    return 0;
  }
  if (command_line->kubeconfig) {
    const auto& k = command_line->kubeconfig_command;
    absl::Status written = k.node.empty()
                               ? cubelet::pki::WriteUserKubeconfig(k.data_dir, k.user, k.group, k.server, k.out)
                               : cubelet::pki::WriteNodeKubeconfig(k.data_dir, k.node, k.server, k.out);
    if (!written.ok()) {
      std::cerr << "Error: " << written.message() << "\n";
      return 1;
    }
    return 0;
  }

  // Debian's Abseil checks lock order on every absl::Mutex acquisition, a cost that shows in
  // watch fan-out; the project's lock order is reviewed, not checked at run time.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Before any thread starts: SIGPIPE ignored, SIGHUP logged, SIGTERM/SIGINT taken below.
  const cubelet::ProcessSignals signals = cubelet::ProcessSignals::Install();

  cubelet::RealClock clock;
  cubelet::Logger logger(std::make_shared<cubelet::StderrLogSink>(), options.verbosity, &clock);
  RaiseOpenFileLimit(logger);
  logger.Info("Starting cubelet-server", {{"version", cubelet::kKubernetesVersion}, {"dataDir", options.data_dir}});
  auto server = cubelet::apiserver::ApiServer::Create(options, &clock, logger);
  if (!server.ok()) {
    logger.Error("Cannot start cubelet-server", {{"err", server.status()}});
    return 1;
  }
  if (absl::Status started = (*server)->Start(); !started.ok()) {
    logger.Error("Cannot start cubelet-server", {{"err", started}});
    return 1;
  }
  const int sig = signals.WaitForShutdown(logger);
  logger.Info("Received signal, shutting down", {{"signal", strsignal(sig)}});
  (*server)->Stop();
  return 0;
}
