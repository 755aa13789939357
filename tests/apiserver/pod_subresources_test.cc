// pods/binding, pods/eviction and pods/log against a real cubelet-server; the log comes from a
// fake kubelet: an HTTPS server on 127.0.0.1 that serves /containerLogs as the kubelet does and
// records the client certificate the API server presented.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/server_fixture.h"
#include "pki/pki.h"

namespace cubelet::testing {
namespace {

class FakeKubelet {
 public:
  explicit FakeKubelet(const std::string& dir) {
    auto ca = pki::CreateCertificateAuthority("fake-kubelet-ca");
    auto serving = pki::IssueCertificate(*ca, {.common_name = "n1", .ip_addresses = {"127.0.0.1"}, .server = true});
    std::ofstream(dir + "/kubelet.crt") << serving->certificate_pem;
    std::ofstream(dir + "/kubelet.key") << serving->private_key_pem;
    server_ = std::make_unique<httplib::SSLServer>((dir + "/kubelet.crt").c_str(), (dir + "/kubelet.key").c_str());
    server_->Get(R"(/containerLogs/([^/]+)/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        paths_.push_back(req.target);
      }
      if (req.matches[3] != "app") {
        res.status = 404;
        res.set_content("container \"" + std::string(req.matches[3]) + "\" not found", "text/plain");
        return;
      }
      res.set_content("line one\nline two\n", "text/plain");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  ~FakeKubelet() {
    server_->stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> paths() {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }

 private:
  std::unique_ptr<httplib::SSLServer> server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> paths_;
};

std::string NodeYaml(int kubelet_port) {
  return StrCat(R"(apiVersion: v1
kind: Node
metadata:
  name: n1
status:
  addresses: [{type: InternalIP, address: 127.0.0.1}, {type: Hostname, address: does-not-resolve.invalid}]
  daemonEndpoints: {kubeletEndpoint: {Port: )", kubelet_port, R"(}}
)");
}

constexpr char kPod[] = R"(apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  containers: [{name: app, image: busybox}, {name: side, image: busybox}]
)";

constexpr char kBinding[] = R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"web"},"target":{"kind":"Node","name":"n1"}})";

TEST(PodSubresourcesTest, BindingLogAndEviction) {
  ServerFixture server;
  ASSERT_TRUE(server.started());
  FakeKubelet kubelet(server.data_dir());
  ASSERT_EQ(server.Kubectl({"create", "-f", "-"}, NodeYaml(kubelet.port())).exit_code, 0);
  ASSERT_EQ(server.Kubectl({"create", "-f", "-"}, kPod).exit_code, 0);

  // The log of an unscheduled pod has nowhere to come from.
  CommandResult unscheduled = server.Kubectl({"logs", "web", "-c", "app"});
  EXPECT_NE(unscheduled.exit_code, 0);
  EXPECT_NE(unscheduled.err.find("does not have a host assigned"), std::string::npos) << unscheduled.Describe();

  CommandResult bind = server.Kubectl({"create", "--raw", "/api/v1/namespaces/default/pods/web/binding", "-f", "-"}, kBinding);
  ASSERT_EQ(bind.exit_code, 0) << bind.Describe();
  CommandResult placed = server.Kubectl(
      {"get", "pod", "web", "-o", "jsonpath={.spec.nodeName} {.status.conditions[?(@.type==\"PodScheduled\")].status}"});
  EXPECT_EQ(placed.out, "n1 True") << placed.Describe();
  // A second binding is refused: the pod is already assigned.
  CommandResult again = server.Kubectl({"create", "--raw", "/api/v1/namespaces/default/pods/web/binding", "-f", "-"}, kBinding);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("is already assigned to node \"n1\""), std::string::npos) << again.Describe();

  CommandResult logs = server.Kubectl({"logs", "web", "-c", "app", "--tail=5", "--timestamps"});
  ASSERT_EQ(logs.exit_code, 0) << logs.Describe();
  EXPECT_EQ(logs.out, "line one\nline two\n");
  ASSERT_FALSE(kubelet.paths().empty());
  EXPECT_EQ(kubelet.paths().back(), "/containerLogs/default/web/app?timestamps=true&tailLines=5");
  // kubectl picks a container itself; the server's own rule shows through a raw GET.
  CommandResult no_container = server.Kubectl({"get", "--raw", "/api/v1/namespaces/default/pods/web/log"});
  EXPECT_NE(no_container.err.find("a container name must be specified for pod web, choose one of: [app side]"),
            std::string::npos)
      << no_container.Describe();
  CommandResult kubelet_error = server.Kubectl({"logs", "web", "-c", "side"});
  EXPECT_NE(kubelet_error.exit_code, 0);
  EXPECT_NE(kubelet_error.err.find("container \"side\" not found"), std::string::npos) << kubelet_error.Describe();

  // Eviction deletes gracefully: the pod is bound, so it stays with a deletionTimestamp.
  CommandResult evict = server.Kubectl(
      {"create", "--raw", "/api/v1/namespaces/default/pods/web/eviction", "-f", "-"},
      R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web","namespace":"default"}})");
  ASSERT_EQ(evict.exit_code, 0) << evict.Describe();
  CommandResult marked = server.Kubectl({"get", "pod", "web", "-o", "jsonpath={.metadata.deletionGracePeriodSeconds}"});
  EXPECT_EQ(marked.out, "30") << marked.Describe();
}

}  // namespace
}  // namespace cubelet::testing
