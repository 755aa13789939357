// The cubelet binary: parses flags and the config file, wires the agent's parts, and runs it
// until SIGTERM or SIGINT.
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <iostream>
#include <thread>

#include "common/strings.h"
#include "absl/strings/str_join.h"
#include "agent/agent.h"
#include "common/clock.h"
#include "common/logger.h"
#include "common/process_signals.h"
#include "common/thread_entry.h"
#include "kubeletconfig/flags.h"
#include "cri/remote_runtime.h"
#include "version.h"

namespace {

std::string DefaultNodeName() {
  char host[256] = {0};
  if (::gethostname(host, sizeof(host) - 1) != 0) return "localhost";
  std::string name(host);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

int Fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cubelet;
  // A node agent's threads allocate little; glibc's default of one malloc arena per thread per
  // core mostly holds freed memory. Two arenas keep the resident size down.
  mallopt(M_ARENA_MAX, 2);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto command_line = kubeletconfig::ParseCommandLine(args);
  if (!command_line.ok()) {
    return Fail(StrCat(command_line.status().message(), "\nRun 'cubelet --help' for usage."));
  }
  kubeletconfig::NodeOptions& options = command_line->options;
  if (options.show_help) {
    std::cout << kubeletconfig::Usage("cubelet");
    return 0;
  }
  if (options.show_version) {
    std::cout << "Kubernetes " << kKubernetesVersion << " (cubelet " << kCubeletVersion << ")\n";
    return 0;
  }
  auto config = kubeletconfig::BuildConfiguration(*command_line);
  if (!config.ok()) return Fail(std::string(config.status().message()));
  if (options.hostname_override.empty()) options.hostname_override = DefaultNodeName();

  // Signals are taken by this thread only (every thread started below inherits the mask);
  // SIGPIPE is ignored and SIGHUP logged, so neither ends the agent.
  const ProcessSignals signals = ProcessSignals::Install();

  RealClock clock;
  const int verbosity = config->logging_verbosity.value_or(0) > options.verbosity
                            ? *config->logging_verbosity
                            : options.verbosity;
  Logger logger(std::make_shared<StderrLogSink>(), verbosity, &clock);
  logger.Info("Starting cubelet", {{"version", kCubeletVersion}, {"kubernetesVersion", kKubernetesVersion},
                                   {"node", options.hostname_override}});
  if (!options.config_file.empty()) logger.Info("Loaded config file", {{"path", options.config_file}});
  if (!config->ignored_fields.empty()) {
    logger.Warning("Config fields accepted but not implemented by cubelet are ignored",
                   {{"fields", absl::StrJoin(config->ignored_fields, ",")}});
  }

  cri::RemoteRuntimeOptions runtime_options;
  runtime_options.endpoint = config->container_runtime_endpoint;
  runtime_options.request_timeout = config->runtime_request_timeout;
  auto runtime = cri::NewRemoteRuntimeService(runtime_options);
  if (!runtime.ok()) return Fail(std::string(runtime.status().message()));
  cri::RemoteRuntimeOptions image_options = runtime_options;
  if (!config->image_service_endpoint.empty()) image_options.endpoint = config->image_service_endpoint;
  auto images = cri::NewRemoteImageService(image_options);
  if (!images.ok()) return Fail(std::string(images.status().message()));

  Agent agent(*config, options, AgentDependencies{logger, &clock, std::move(*runtime), std::move(*images)});
  absl::Status result;
  std::atomic<bool> agent_ended{false};
  std::jthread agent_thread = StartThread(logger, "agent", [&](std::stop_token stop) {
    absl::Status guarded = RunGuarded(logger, "agent", "run", [&] { result = agent.Run(stop); });
    if (!guarded.ok()) result = guarded;
    // Wake the signal wait below so that an agent that ends on its own ends the process.
    agent_ended = true;
    ::kill(::getpid(), SIGTERM);
  });

  const int sig = signals.WaitForShutdown(logger);
  if (!agent_ended) {
    logger.Info("Received signal, shutting down", {{"signal", strsignal(sig)}});
  }
  agent_thread.request_stop();
  agent_thread.join();
  if (!result.ok()) {
    logger.Error("cubelet failed", {{"err", result}});
    return 1;
  }
  logger.Info("cubelet stopped");
  return 0;
}
