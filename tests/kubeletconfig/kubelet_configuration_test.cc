#include "kubeletconfig/kubelet_configuration.h"

#include <gtest/gtest.h>

namespace cubelet::kubeletconfig {
namespace {

constexpr char kHeader[] = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(KubeletConfigurationTest, DefaultsAreUpstreams) {
  auto c = ParseKubeletConfiguration(kHeader, "k.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sync_frequency, absl::Minutes(1));
  EXPECT_EQ(c->file_check_frequency, absl::Seconds(20));
  EXPECT_EQ(c->pod_logs_dir, "/var/log/pods");
  EXPECT_EQ(c->cgroup_driver, "cgroupfs");
  EXPECT_EQ(c->read_only_port, 0);
  EXPECT_EQ(c->healthz_port, 10248);
  EXPECT_EQ(c->port, 10250);
  EXPECT_EQ(c->max_pods, 110);
  EXPECT_EQ(c->node_status_update_frequency, absl::Seconds(10));
  EXPECT_EQ(c->node_status_report_frequency, absl::Minutes(5));
  EXPECT_EQ(c->container_log_max_size, "10Mi");
  EXPECT_EQ(c->container_log_max_files, 5);
  EXPECT_EQ(c->runtime_request_timeout, absl::Minutes(2));
  EXPECT_FALSE(c->seccomp_default);
  EXPECT_EQ(c->container_runtime_endpoint, "unix:///run/containerd/containerd.sock");
}

TEST(KubeletConfigurationTest, ReadsYamlFields) {
  auto c = ParseKubeletConfiguration(std::string(kHeader) +
                                         "staticPodPath: /etc/kubernetes/manifests\n"
                                         "syncFrequency: 30s\n"
                                         "fileCheckFrequency: 5s\n"
                                         "readOnlyPort: 10255\n"
                                         "maxPods: 30\n"
                                         "clusterDNS: [10.96.0.10]\n"
                                         "systemReserved: {cpu: 100m, memory: 200Mi}\n"
                                         "seccompDefault: true\n"
                                         "runtimeRequestTimeout: 1m30s\n"
                                         "featureGates: {SomeGate: true}\n"
                                         "logging: {verbosity: 3}\n",
                                     "k.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->static_pod_path, "/etc/kubernetes/manifests");
  EXPECT_EQ(c->sync_frequency, absl::Seconds(30));
  EXPECT_EQ(c->file_check_frequency, absl::Seconds(5));
  EXPECT_EQ(c->read_only_port, 10255);
  EXPECT_EQ(c->max_pods, 30);
  EXPECT_EQ(c->cluster_dns, std::vector<std::string>{"10.96.0.10"});
  EXPECT_EQ(c->system_reserved.at("memory"), "200Mi");
  EXPECT_TRUE(c->seccomp_default);
  EXPECT_EQ(c->runtime_request_timeout, absl::Seconds(90));
  EXPECT_TRUE(c->feature_gates.at("SomeGate"));
  EXPECT_EQ(c->logging_verbosity, 3);
}

TEST(KubeletConfigurationTest, ReadsTheHttpSourceFields) {
  auto c = ParseKubeletConfiguration(std::string(kHeader) +
                                         "staticPodURL: http://127.0.0.1:8080/pods\n"
                                         "staticPodURLHeader: {Authorization: [Bearer x], X-A: [one, two]}\n"
                                         "httpCheckFrequency: 7s\n",
                                     "k.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->static_pod_url, "http://127.0.0.1:8080/pods");
  EXPECT_EQ(c->static_pod_url_header.at("X-A"), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(c->static_pod_url_header.at("Authorization"), std::vector<std::string>{"Bearer x"});
  EXPECT_EQ(c->http_check_frequency, absl::Seconds(7));
  EXPECT_TRUE(c->ignored_fields.empty());

  auto bad = ParseKubeletConfiguration(std::string(kHeader) + "staticPodURLHeader: {X-A: {b: c}}\n", "k.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("staticPodURLHeader"), std::string::npos) << bad.status();
}

TEST(KubeletConfigurationTest, ReadsJson) {
  auto c = ParseKubeletConfiguration(
      R"({"apiVersion":"kubelet.config.k8s.io/v1beta1","kind":"KubeletConfiguration",)"
      R"("cgroupDriver":"systemd","healthzPort":0,"podLogsDir":"/tmp/logs"})",
      "k.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cgroup_driver, "systemd");
  EXPECT_EQ(c->healthz_port, 0);
  EXPECT_EQ(c->pod_logs_dir, "/tmp/logs");
}

TEST(KubeletConfigurationTest, UnknownFieldIsAnErrorNamingFileAndField) {
  auto c = ParseKubeletConfiguration(std::string(kHeader) + "maxPodz: 3\n", "/etc/cubelet/config.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(Message(c.status()),
            "kubelet config file \"/etc/cubelet/config.yaml\": unknown field \"maxPodz\" (line 3, column 1)");
}

// The file goes through the same YAML -> JSON path as manifests (src/api), so errors cite the
// line the user wrote, whatever the problem is.
TEST(KubeletConfigurationTest, ErrorsCiteTheLineOfTheField) {
  auto type = ParseKubeletConfiguration(std::string(kHeader) + "# a comment\nport: 10250\nmaxPods: lots\n", "k.yaml");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(Message(type.status()),
            "kubelet config file \"k.yaml\": maxPods: invalid value \"lots\": expected an integer (line 5, column 1)");
  auto nested = ParseKubeletConfiguration(std::string(kHeader) + "featureGates:\n  A: true\n  B: maybe\n", "k.yaml");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(Message(nested.status()),
            "kubelet config file \"k.yaml\": featureGates: B: invalid value \"maybe\": expected true or false "
            "(line 3, column 1)");
  auto dup = ParseKubeletConfiguration(std::string(kHeader) + "maxPods: 1\nmaxPods: 2\n", "k.yaml");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(Message(dup.status()), "kubelet config file \"k.yaml\": duplicate field \"maxPods\" (line 3, column 1)");
  auto json = ParseKubeletConfiguration(R"({"apiVersion":"kubelet.config.k8s.io/v1beta1","kind":"KubeletConfiguration",
  "port": "10250"})",
                                        "k.json");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(Message(json.status()),
            "kubelet config file \"k.json\": port: invalid value \"10250\": expected an integer (line 2, column 3)");
  auto kind = ParseKubeletConfiguration("apiVersion: kubelet.config.k8s.io/v1beta1\n\nkind: Pod\n", "k.yaml");
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(Message(kind.status()),
            "kubelet config file \"k.yaml\": kind: must be \"KubeletConfiguration\", got \"Pod\" (line 3, column 1)");
}

// YAML as sigs.k8s.io/yaml reads it (YAML 1.1 scalars, aliases), then JSON types as upstream's
// decoder checks them; null leaves the default.
TEST(KubeletConfigurationTest, ValuesAreReadAsTheUpstreamKubeletReadsThem) {
  auto c = ParseKubeletConfiguration(std::string(kHeader) +
                                         "seccompDefault: yes\n"
                                         "failSwapOn: off\n"
                                         "maxPods: 0x20\n"
                                         "syncFrequency: ~\n"
                                         "containerLogMaxSize: 100\n",
                                     "k.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->seccomp_default);
  EXPECT_FALSE(c->fail_swap_on);
  EXPECT_EQ(c->max_pods, 32);
  EXPECT_EQ(c->sync_frequency, absl::Minutes(1)) << "null leaves the default";
  EXPECT_EQ(c->container_log_max_size, "100");
  auto aliased = ParseKubeletConfiguration(std::string(kHeader) + "systemReserved: &r {cpu: 100m}\nkubeReserved: *r\n",
                                           "k.yaml");
  ASSERT_TRUE(aliased.ok()) << aliased.status();
  EXPECT_EQ(aliased->kube_reserved.at("cpu"), "100m");
  auto quoted = ParseKubeletConfiguration(std::string(kHeader) + "maxPods: \"30\"\n", "k.yaml");
  ASSERT_FALSE(quoted.ok());
  EXPECT_NE(Message(quoted.status()).find("maxPods: invalid value \"30\": expected an integer"), std::string::npos);
  auto too_big = ParseKubeletConfiguration(std::string(kHeader) + "port: 4294967296\n", "k.yaml");
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(Message(too_big.status()).find("port: invalid value \"4294967296\": expected a 32-bit integer"),
            std::string::npos);
}

TEST(KubeletConfigurationTest, UpstreamFieldsCubeletDoesNotImplementAreAcceptedAndListed) {
  auto c = ParseKubeletConfiguration(std::string(kHeader) + "authentication: {anonymous: {enabled: false}}\n"
                                                            "cpuManagerPolicy: none\n",
                                     "k.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ignored_fields, (std::set<std::string>{"authentication", "cpuManagerPolicy"}));
}

TEST(KubeletConfigurationTest, BadValuesNameTheField) {
  struct Case {
    std::string yaml;
    std::string want;
  } cases[] = {
      {"maxPods: lots\n", "maxPods: invalid value \"lots\": expected an integer"},
      {"syncFrequency: 10\n", "syncFrequency: invalid value \"10\": expected a duration"},
      {"seccompDefault: maybe\n", "seccompDefault: invalid value \"maybe\": expected true or false"},
      {"containerLogMaxSize: 10 megs\n", "containerLogMaxSize: invalid value \"10 megs\": expected a quantity"},
      {"clusterDNS: 10.0.0.1\n", "clusterDNS: invalid value \"10.0.0.1\": expected a list of strings"},
      {"cgroupDriver: fancy\n", "cgroupDriver (--cgroup-driver) \"fancy\" must be \"cgroupfs\" or \"systemd\""},
      {"containerLogMaxFiles: 1\n", "containerLogMaxFiles (--container-log-max-files) 1 must be greater than 1"},
      {"port: 70000\n", "port (--port) 70000 must be between 1 and 65535, inclusive"},
      {"maxPods: -1\n", "maxPods (--max-pods) -1 must not be a negative number"},
      {"fileCheckFrequency: 0s\n", "fileCheckFrequency (--file-check-frequency) 0s must be > 0"},
      {"logging: {verbosity: high}\n", "logging: verbosity: invalid value \"high\""},
      // upstream ValidateKubeletConfiguration's ranges.
      {"maxPods: 4294967406\n", "maxPods: invalid value \"4294967406\": expected a 32-bit integer"},
      {"podPidsLimit: 9223372036854775808\n", "podPidsLimit: invalid value \"9223372036854775808\": expected an integer"},
      {"eventBurst: -1\n", "eventBurst (--event-burst) -1 must not be a negative number"},
      {"eventRecordQPS: -1\n", "eventRecordQPS (--event-qps) -1 must not be a negative number"},
      {"kubeAPIQPS: -1\n", "kubeAPIQPS (--kube-api-qps) -1 must not be a negative number"},
      {"kubeAPIBurst: -1\n", "kubeAPIBurst (--kube-api-burst) -1 must not be a negative number"},
      {"registryPullQPS: -1\n", "registryPullQPS (--registry-qps) -1 must not be a negative number"},
      {"registryBurst: -1\n", "registryBurst (--registry-burst) -1 must not be a negative number"},
      {"imageMinimumGCAge: -1s\n", "imageMinimumGCAge -1s must not be negative"},
      {"streamingConnectionIdleTimeout: -5m\n", "streamingConnectionIdleTimeout -5m0s must not be negative"},
      {"containerLogMonitorInterval: 2s\n", "containerLogMonitorInterval must be a positive time duration greater than or equal to 3s"},
      {"containerLogMaxSize: 8Ei\n", "containerLogMaxSize (--container-log-max-size) \"8Ei\" must be less than or equal to 9223372036854775807"},
      {"hairpinMode: open\n", "option \"open\" specified for hairpinMode (--hairpin-mode). Valid options are \"none\", \"hairpin-veth\" or \"promiscuous-bridge\""},
      {"podLogsDir: var/log/pods\n", "pod logs path \"var/log/pods\" must be absolute path"},
      {"podLogsDir: /var/log/../pods\n", "pod logs path \"/var/log/../pods\" must be normalized"},
      {"podLogsDir: /var/log/pods/\n", "pod logs path \"/var/log/pods/\" must be normalized"},
      {"readOnlyPort: 65536\n", "readOnlyPort (--read-only-port) 65536 must be between 0 and 65535, inclusive"},
      {"healthzPort: -1\n", "healthzPort (--healthz-port) -1 must be between 0 and 65535, inclusive"},
      {"imageGCHighThresholdPercent: 101\n", "imageGCHighThresholdPercent 101 must be between 0 and 100, inclusive"},
      {"kubeReserved: {memory: \"1e20\"}\n", "kubeReserved.memory: \"1e20\" must be less than or equal to 9223372036854775807"},
  };
  for (const auto& c : cases) {
    auto r = ParseKubeletConfiguration(std::string(kHeader) + c.yaml, "k.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(Message(r.status()).find(c.want), std::string::npos) << Message(r.status());
    EXPECT_EQ(Message(r.status()).rfind("kubelet config file \"k.yaml\": ", 0), 0u) << Message(r.status());
  }
}

TEST(KubeletConfigurationTest, WrongApiVersionKindOrSyntax) {
  auto v = ParseKubeletConfiguration("apiVersion: v1\nkind: KubeletConfiguration\n", "k.yaml");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(Message(v.status()).find("apiVersion: unsupported value \"v1\""), std::string::npos);
  auto k = ParseKubeletConfiguration("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: Pod\n", "k.yaml");
  ASSERT_FALSE(k.ok());
  EXPECT_NE(Message(k.status()).find("kind: must be \"KubeletConfiguration\", got \"Pod\""), std::string::npos);
  auto y = ParseKubeletConfiguration(std::string(kHeader) + "maxPods: [1,\n", "k.yaml");
  ASSERT_FALSE(y.ok());
  EXPECT_NE(Message(y.status()).find("not valid YAML or JSON: line"), std::string::npos) << y.status();
  auto dup = ParseKubeletConfiguration(std::string(kHeader) + "maxPods: 1\nmaxPods: 2\n", "k.yaml");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(Message(dup.status()).find("duplicate field \"maxPods\""), std::string::npos) << dup.status();
}

TEST(KubeletConfigurationTest, MissingFileNamesIt) {
  auto c = LoadKubeletConfigurationFile("/nonexistent/kubelet.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(Message(c.status()).find("\"/nonexistent/kubelet.yaml\": cannot read"), std::string::npos);
}

}  // namespace
}  // namespace cubelet::kubeletconfig
