// The certificates against real TLS stacks: `openssl s_server` serves apiserver.crt and demands a
// client certificate from ca.crt; Python's ssl (OpenSSL, strict X.509 checks), python3-kubernetes
// (urllib3) and kubectl (Go crypto/tls) connect with the kubeconfigs EnsureServerPki and
// WriteNodeKubeconfig wrote. Each needs its tool and skips, saying which, when it is missing.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/pki.h"
#include "pki/pki_test_util.h"

extern char** environ;

namespace cubelet::pki {
namespace {

using ::cubelet::pki::testing::ParseKubeconfig;
using ::cubelet::pki::testing::ReadAll;
using ::cubelet::pki::testing::TempDir;
using ::cubelet::pki::testing::WriteAll;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOpenssl[] = "/usr/bin/openssl";
constexpr char kPython[] = "/usr/bin/python3";
constexpr char kKubectl[] = "/usr/bin/kubectl";
constexpr char kTimeout[] = "/usr/bin/timeout";

bool Executable(const char* path) { return ::access(path, X_OK) == 0; }

// Starts argv with stdout going to `output` and stderr to `errors` (or to `output` when empty);
// -1 on failure.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& output, const std::string& errors = "") {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (errors.empty()) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout
  std::string errors;  // stderr
};

// Runs argv to completion under timeout(1), so a hung client fails the test instead of hanging it.
RunResult RunTool(std::vector<std::string> argv, const TempDir& dir) {
  argv.insert(argv.begin(), {kTimeout, "60"});
  const std::string output = dir / "run.out";
  const std::string errors = dir / "run.err";
  RunResult result;
  pid_t pid = Spawn(argv, output, errors);
  if (pid < 0) return result;
  int status = 0;
  if (::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.output = ReadAll(output);
  result.errors = ReadAll(errors);
  if (std::getenv("CUBELET_TEST_VERBOSE") != nullptr) {
    std::cerr << "== " << argv[2] << " rc=" << result.exit_code << "\nstdout: " << result.output.substr(0, 400)
              << "\nstderr: " << result.errors.substr(0, 600) << "\n";
  }
  return result;
}

// `openssl s_server -www` on a free loopback port, requiring a client certificate from `ca`.
class SServer {
 public:
  SServer(const TempDir& dir, const ServerPki& pki) : log_(dir / "s_server.log") {
    pid_ = Spawn({kOpenssl, "s_server", "-accept", "127.0.0.1:0", "-cert", pki.serving_certificate_file, "-key",
                  pki.serving_key_file, "-CAfile", pki.ca_certificate_file, "-Verify", "1", "-www"},
                 log_);
    // s_server prints "ACCEPT 127.0.0.1:PORT" once it listens.
    for (int i = 0; i < 200 && pid_ > 0 && port_ == 0; ++i) {
      const std::string log = ReadAll(log_);
      const size_t at = log.find("ACCEPT 127.0.0.1:");
      if (at != std::string::npos && log.find('\n', at) != std::string::npos) {
        port_ = std::atoi(log.c_str() + at + std::strlen("ACCEPT 127.0.0.1:"));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  ~SServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return ReadAll(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Connects with Python's ssl module (strict X.509 checks on, as Python 3.13 has by default) to
// each of the server names given, sends a request and prints the reply.
constexpr char kPythonTlsClient[] = R"py(
import socket, ssl, sys
ca, cert, key, port = sys.argv[1:5]
for name in sys.argv[5:]:
    ctx = ssl.create_default_context(cafile=ca)
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    if cert:
        ctx.load_cert_chain(cert, key)
    with socket.create_connection(("127.0.0.1", int(port)), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname=name) as s:
            print("handshake", name, s.version())
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            for line in data.decode(errors="replace").splitlines():
                if line.startswith("HTTP/") or "Client certificate" in line or "Subject:" in line:
                    print(line.strip())
)py";

// Prints "tls error: ..." when the TLS handshake failed and "tls ok" otherwise: s_server's HTML
// page is no version object, so the call itself may fail after a good handshake.
constexpr char kPythonKubernetesClient[] = R"py(
import ssl, sys, urllib3
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
try:
    client.VersionApi().get_code(_request_timeout=20)
    print("tls ok")
except urllib3.exceptions.MaxRetryError as e:
    if isinstance(e.reason, (urllib3.exceptions.SSLError, ssl.SSLError)):
        print("tls error:", e.reason)
    else:
        print("other error:", e.reason)
except Exception as e:
    print("tls ok, then", type(e).__name__)
)py";

class InteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Executable(kOpenssl) || !Executable(kTimeout)) GTEST_SKIP() << kOpenssl << " or " << kTimeout << " missing";
    // The port is known only once s_server runs, so admin.kubeconfig is (re)written for it.
    auto first = EnsureServerPki({.data_dir = dir_.path(), .server_url = "https://127.0.0.1:1"});
    ASSERT_TRUE(first.ok()) << first.status();
    server_ = std::make_unique<SServer>(dir_, *first);
    ASSERT_GT(server_->port(), 0) << server_->log();
    auto pki = EnsureServerPki({.data_dir = dir_.path(), .server_url = server_->url()});
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
    admin_ = ParseKubeconfig(ReadAll(pki_.admin_kubeconfig_file));
    ASSERT_EQ(admin_.server, server_->url());
    WriteAll(dir_ / "admin.crt", admin_.cert_pem);
    ASSERT_TRUE(WritePrivateFile(dir_ / "admin.key", admin_.key_pem).ok());
  }

  // A kubeconfig like admin's that trusts another CA: the negative control.
  std::string WrongCaKubeconfig() {
    auto other = CreateCertificateAuthority("cubelet-ca");
    EXPECT_TRUE(other.ok());
    const std::string path = dir_ / "wrong-ca.kubeconfig";
    EXPECT_TRUE(WritePrivateFile(path, RenderKubeconfig({.server_url = server_->url(),
                                                         .ca_certificate_pem = other->certificate_pem,
                                                         .user_name = "admin",
                                                         .client = {admin_.cert_pem, admin_.key_pem}}))
                    .ok());
    return path;
  }

  TempDir dir_;
  std::unique_ptr<SServer> server_;
  ServerPki pki_;
  testing::ParsedKubeconfig admin_;
};

TEST_F(InteropTest, PythonSslVerifiesServerAndServerVerifiesAdminCertificate) {
  if (!Executable(kPython)) GTEST_SKIP() << kPython << " missing";
  RunResult run = RunTool({kPython, "-c", kPythonTlsClient, pki_.ca_certificate_file, dir_ / "admin.crt",
                       dir_ / "admin.key", std::to_string(server_->port()), "localhost", "127.0.0.1"},
                      dir_);
  EXPECT_EQ(run.exit_code, 0) << run.output << run.errors;
  EXPECT_THAT(run.output, HasSubstr("handshake localhost"));
  EXPECT_THAT(run.output, HasSubstr("handshake 127.0.0.1"));
  EXPECT_THAT(run.output, HasSubstr("HTTP/1.0 200 ok"));
  // s_server's page shows the client certificate it verified.
  EXPECT_THAT(run.output, HasSubstr("Client certificate"));
  EXPECT_THAT(run.output, HasSubstr("Subject: O=system:masters, CN=admin")) << run.output;

  // Controls: without a client certificate s_server refuses; a name not in the SANs is refused.
  RunResult anonymous = RunTool({kPython, "-c", kPythonTlsClient, pki_.ca_certificate_file, "", "",
                             std::to_string(server_->port()), "localhost"},
                            dir_);
  EXPECT_THAT(anonymous.output, Not(HasSubstr("HTTP/1.0 200 ok")));
  EXPECT_NE(anonymous.exit_code, 0) << anonymous.output << anonymous.errors;
  RunResult wrong_name = RunTool({kPython, "-c", kPythonTlsClient, pki_.ca_certificate_file, dir_ / "admin.crt",
                              dir_ / "admin.key", std::to_string(server_->port()), "not-this-server.example"},
                             dir_);
  EXPECT_NE(wrong_name.exit_code, 0);
  EXPECT_THAT(wrong_name.errors, HasSubstr("CERTIFICATE_VERIFY_FAILED"));
}

TEST_F(InteropTest, PythonKubernetesClientAcceptsAdminKubeconfig) {
  if (!Executable(kPython) || RunTool({kPython, "-c", "import kubernetes"}, dir_).exit_code != 0) {
    GTEST_SKIP() << "python3-kubernetes missing";
  }
  RunResult run = RunTool({kPython, "-c", kPythonKubernetesClient, pki_.admin_kubeconfig_file}, dir_);
  EXPECT_EQ(run.exit_code, 0) << run.output << run.errors;
  EXPECT_THAT(run.output, HasSubstr("tls ok")) << run.output << run.errors;
  EXPECT_THAT(server_->log(), HasSubstr("CN = admin"));

  RunResult wrong = RunTool({kPython, "-c", kPythonKubernetesClient, WrongCaKubeconfig()}, dir_);
  EXPECT_THAT(wrong.output, HasSubstr("tls error:")) << wrong.output << wrong.errors;
  EXPECT_THAT(wrong.output, HasSubstr("CERTIFICATE_VERIFY_FAILED"));
}

TEST_F(InteropTest, KubectlAcceptsTheChainWithAdminAndNodeKubeconfigs) {
  if (!Executable(kKubectl)) GTEST_SKIP() << kKubectl << " missing";
  const std::string node_kubeconfig = dir_ / "node.kubeconfig";
  ASSERT_TRUE(WriteNodeKubeconfig(dir_.path(), "n1", server_->url(), node_kubeconfig).ok());
  for (const std::string& kubeconfig : {pki_.admin_kubeconfig_file, node_kubeconfig}) {
    RunResult run = RunTool({kKubectl, "--kubeconfig", kubeconfig, "--request-timeout=20s", "get", "--raw", "/"}, dir_);
    EXPECT_THAT(run.errors, Not(HasSubstr("x509"))) << kubeconfig << ": " << run.errors;
    EXPECT_THAT(run.errors, Not(HasSubstr("certificate"))) << kubeconfig << ": " << run.errors;
    EXPECT_THAT(run.errors, Not(HasSubstr("tls:"))) << kubeconfig << ": " << run.errors;
    // The reply is s_server's page, showing the client certificate Go sent.
    EXPECT_THAT(run.output, HasSubstr("Client certificate")) << run.output << run.errors;
  }
  EXPECT_THAT(server_->log(), HasSubstr("CN = system:node:n1"));

  // The control: the same request trusting another CA fails on x509.
  RunResult wrong = RunTool({kKubectl, "--kubeconfig", WrongCaKubeconfig(), "--request-timeout=20s", "get", "--raw", "/"},
                        dir_);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_THAT(wrong.errors, HasSubstr("x509"));
}

}  // namespace
}  // namespace cubelet::pki
