// cubelet-server: the bundled API server and scheduler. This first version serves the
// discovery basics every client asks first (/version, /healthz, /livez, /readyz); the API
// resources, the store and the scheduler arrive with their own roadmap issue.
#include <signal.h>

#include <iostream>
#include <string>
#include <thread>

#include <httplib.h>

#include "common/strings.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/logger.h"
#include "version.h"

namespace {

constexpr char kUsage[] =
    "cubelet-server is the bundled Kubernetes API server and scheduler of cubelet.\n\n"
    "Usage:\n  cubelet-server [flags]\n\nFlags:\n"
    "      --bind-address string   The IP address to serve on. (default \"127.0.0.1\")\n"
    "      --port int              The port to serve plain HTTP on. (default 8080)\n"
    "      --v int                 Number for the log level verbosity.\n"
    "      --version               Print version information and quit.\n"
    "  -h, --help                  Show this help and quit.\n";

std::string VersionJson() {
  // GET /version as kube-apiserver answers it (version.Info).
  std::string git = cubelet::kKubernetesVersion;
  std::vector<std::string> parts = absl::StrSplit(git.substr(1), '.');
  return cubelet::StrCat("{\n  \"major\": \"", parts.at(0), "\",\n  \"minor\": \"", parts.at(1),
                      "\",\n  \"gitVersion\": \"", git, "\",\n  \"gitCommit\": \"cubelet-",
                      cubelet::kCubeletVersion,
                      "\",\n  \"gitTreeState\": \"clean\",\n  \"buildDate\": \"1970-01-01T00:00:00Z\",\n"
                      "  \"goVersion\": \"none\",\n  \"compiler\": \"gcc\",\n  \"platform\": \"linux/amd64\"\n}");
}

}  // namespace

int main(int argc, char** argv) {
  std::string bind_address = "127.0.0.1";
  int port = 8080;
  int verbosity = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg != "--version" && arg != "--help" && arg != "-h" && i + 1 < argc) {
      value = argv[++i];
    }
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--version") {
      std::cout << "Kubernetes " << cubelet::kKubernetesVersion << " (cubelet-server " << cubelet::kCubeletVersion << ")\n";
      return 0;
    } else if (arg == "--bind-address") {
      bind_address = value;
    } else if ((arg == "--port" && absl::SimpleAtoi(value, &port) && port > 0 && port < 65536) ||
               ((arg == "--v" || arg == "-v") && absl::SimpleAtoi(value, &verbosity))) {
    } else if (arg == "--port" || arg == "--v" || arg == "-v") {
      std::cerr << "Error: invalid argument \"" << value << "\" for \"" << arg << "\" flag\n";
      return 1;
    } else {
      std::cerr << "Error: unknown flag: " << arg << "\nRun 'cubelet-server --help' for usage.\n";
      return 1;
    }
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  cubelet::RealClock clock;
  cubelet::Logger logger(std::make_shared<cubelet::StderrLogSink>(), verbosity, &clock);
  httplib::Server server;
  server.Get("/version", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(VersionJson(), "application/json");
  });
  for (const char* path : {"/healthz", "/livez", "/readyz"}) {
    server.Get(path, [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  }
  if (!server.bind_to_port(bind_address, port)) {
    logger.Error("Cannot listen", {{"address", bind_address}, {"port", port}});
    return 1;
  }
  logger.Info("Serving", {{"address", bind_address}, {"port", port}});
  std::thread listener([&server] { server.listen_after_bind(); });
  int sig = 0;
  sigwait(&signals, &sig);
  logger.Info("Received signal, shutting down", {{"signal", strsignal(sig)}});
  server.stop();
  listener.join();
  return 0;
}
