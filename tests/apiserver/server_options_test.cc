// cubelet-server's command line: kube-apiserver's and k3s' flag names and defaults, both
// --flag=value and --flag value, and strict parsing where every error names the flag (and the
// bad value), as pflag reports them ("invalid argument "x" for "--secure-port" flag: ...",
// "unknown flag: --x").
#include "apiserver/server_options.h"

#include <string>
#include <vector>

#include "apiserver_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cubelet::apiserver::testing {
namespace {

using ::testing::HasSubstr;

ServerOptions ParseOrDie(const std::vector<std::string>& args) {
  auto parsed = ParseCommandLine(args);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed.ok() && parsed->kubeconfig);
  return parsed.ok() ? parsed->server : ServerOptions{};
}

// The message of the error `args` give, which must be InvalidArgument.
std::string ErrorOf(const std::vector<std::string>& args) {
  auto parsed = ParseCommandLine(args);
  EXPECT_FALSE(parsed.ok()) << ::testing::PrintToString(args);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << parsed.status();
  return std::string(parsed.status().message());
}

TEST(ServerOptionsTest, DefaultsAreKubeApiserversAndK3ss) {
  ServerOptions o = ParseOrDie({"--data-dir", "/var/lib/cubelet-server"});
  EXPECT_EQ(o.data_dir, "/var/lib/cubelet-server");
  EXPECT_EQ(o.bind_address, "127.0.0.1");
  EXPECT_EQ(o.secure_port, 6443);
  EXPECT_EQ(o.advertise_address, "");
  EXPECT_TRUE(o.tls_sans.empty());
  EXPECT_EQ(o.event_ttl, absl::Hours(1));
  EXPECT_EQ(o.service_cluster_ip_range, "10.0.0.0/24");
  EXPECT_EQ(o.node_port_min, 30000);
  EXPECT_EQ(o.node_port_max, 32767);
  EXPECT_EQ(o.verbosity, 0);
  EXPECT_FALSE(o.show_help);
  EXPECT_FALSE(o.show_version);
}

TEST(ServerOptionsTest, EveryFlagInBothSpellings) {
  ServerOptions o = ParseOrDie({"--data-dir=/d", "--bind-address", "0.0.0.0", "--secure-port=7443",
                                "--advertise-address", "192.168.1.10", "--tls-san=a.example,10.1.2.3",
                                "--tls-san", "b.example", "--token-auth-file=/etc/tokens.csv", "--event-ttl", "30m",
                                "--service-cluster-ip-range=10.96.0.0/12", "--service-node-port-range", "30000-30100",
                                "--v=4"});
  EXPECT_EQ(o.data_dir, "/d");
  EXPECT_EQ(o.bind_address, "0.0.0.0");
  EXPECT_EQ(o.secure_port, 7443);
  EXPECT_EQ(o.advertise_address, "192.168.1.10");
  EXPECT_EQ(o.tls_sans, std::vector<std::string>({"a.example", "10.1.2.3", "b.example"}));
  EXPECT_EQ(o.token_auth_file, "/etc/tokens.csv");
  EXPECT_EQ(o.event_ttl, absl::Minutes(30));
  EXPECT_EQ(o.service_cluster_ip_range, "10.96.0.0/12");
  EXPECT_EQ(o.node_port_min, 30000);
  EXPECT_EQ(o.node_port_max, 30100);
  EXPECT_EQ(o.verbosity, 4);
}

TEST(ServerOptionsTest, SecurePortZeroPicksAnyFreePort) {
  EXPECT_EQ(ParseOrDie({"--data-dir=/d", "--secure-port=0"}).secure_port, 0);
}

TEST(ServerOptionsTest, HelpAndVersionNeedNoDataDir) {
  EXPECT_TRUE(ParseOrDie({"--help"}).show_help);
  EXPECT_TRUE(ParseOrDie({"-h"}).show_help);
  EXPECT_TRUE(ParseOrDie({"--version"}).show_version);
  EXPECT_FALSE(ParseOrDie({"--version=false", "--data-dir=/d"}).show_version);
}

TEST(ServerOptionsTest, MissingDataDirIsNamed) {
  EXPECT_EQ(ErrorOf({}), "required flag --data-dir is missing");
  EXPECT_EQ(ErrorOf({"--secure-port=6443"}), "required flag --data-dir is missing");
}

TEST(ServerOptionsTest, UnknownFlagIsNamed) {
  EXPECT_EQ(ErrorOf({"--data-dir=/d", "--etcd-servers=http://x"}), "unknown flag: --etcd-servers");
  EXPECT_EQ(ErrorOf({"--data-dir=/d", "--secure_port=1"}), "unknown flag: --secure_port");
}

TEST(ServerOptionsTest, StrayArgumentIsNamed) {
  EXPECT_THAT(ErrorOf({"--data-dir=/d", "serve"}), HasSubstr("\"serve\""));
}

TEST(ServerOptionsTest, FlagWithoutItsValueIsNamed) {
  EXPECT_EQ(ErrorOf({"--data-dir"}), "flag needs an argument: --data-dir");
  EXPECT_EQ(ErrorOf({"--data-dir=/d", "--secure-port"}), "flag needs an argument: --secure-port");
}

// Each bad value is refused with the value and the flag named, pflag's way.
TEST(ServerOptionsTest, BadValuesNameTheFlagAndTheValue) {
  struct Case {
    const char* flag;
    const char* value;
  };
  for (const Case& c : {Case{"secure-port", "https"}, Case{"secure-port", "65536"}, Case{"secure-port", "-1"},
                        Case{"bind-address", "localhost"}, Case{"advertise-address", "10.0.0.300"},
                        Case{"advertise-address", "0.0.0"}, Case{"event-ttl", "1 hour"}, Case{"event-ttl", "0s"},
                        Case{"event-ttl", "-1h"}, Case{"service-cluster-ip-range", "10.0.0.0"},
                        Case{"service-cluster-ip-range", "10.0.0.0/8"}, Case{"service-cluster-ip-range", "10.0.0.0/31"},
                        Case{"service-node-port-range", "30000"}, Case{"service-node-port-range", "32767-30000"},
                        Case{"service-node-port-range", "0-100"}, Case{"service-node-port-range", "1-65536"},
                        Case{"v", "11"}, Case{"v", "debug"}, Case{"version", "yes"}}) {
    std::string error = ErrorOf({"--data-dir=/d", std::string("--") + c.flag + "=" + c.value});
    EXPECT_THAT(error, ::testing::StartsWith(std::string("invalid argument \"") + c.value + "\" for \"--" + c.flag +
                                             "\" flag: expected "));
  }
}

TEST(ServerOptionsTest, IPv6BindAddressIsAccepted) {
  EXPECT_EQ(ParseOrDie({"--data-dir=/d", "--bind-address=::"}).bind_address, "::");
}

TEST(KubeconfigCommandTest, AllFourFlags) {
  auto parsed = ParseCommandLine({"kubeconfig", "--data-dir=/d", "--node", "n1", "--server=https://10.0.0.1:6443",
                                  "--out", "/tmp/n1.kubeconfig"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->kubeconfig);
  EXPECT_EQ(parsed->kubeconfig_command.data_dir, "/d");
  EXPECT_EQ(parsed->kubeconfig_command.node, "n1");
  EXPECT_EQ(parsed->kubeconfig_command.server, "https://10.0.0.1:6443");
  EXPECT_EQ(parsed->kubeconfig_command.out, "/tmp/n1.kubeconfig");
}

TEST(KubeconfigCommandTest, AUserInsteadOfANode) {
  auto parsed = ParseCommandLine({"kubeconfig", "--data-dir=/d", "--user", "system:kube-scheduler",
                                  "--server=https://10.0.0.1:6443", "--out", "/tmp/s.kubeconfig"});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->kubeconfig_command.user, "system:kube-scheduler");
  EXPECT_EQ(parsed->kubeconfig_command.node, "");
}

TEST(KubeconfigCommandTest, ErrorsNameTheFlag) {
  EXPECT_EQ(ErrorOf({"kubeconfig", "--data-dir=/d", "--server=https://x:6443", "--out=/o"}),
            "exactly one of --node and --user is required");
  EXPECT_EQ(ErrorOf({"kubeconfig", "--data-dir=/d", "--node=n", "--user=u", "--server=https://x:6443", "--out=/o"}),
            "exactly one of --node and --user is required");
  EXPECT_EQ(ErrorOf({"kubeconfig", "--data-dir=/d", "--node=n", "--group=g", "--server=https://x:6443", "--out=/o"}),
            "--group goes with --user");
  EXPECT_EQ(ErrorOf({"kubeconfig", "--node=n", "--server=https://x:6443", "--out=/o"}),
            "required flag --data-dir is missing");
  EXPECT_EQ(ErrorOf({"kubeconfig", "--data-dir=/d", "--node=n", "--server=http://x:6443", "--out=/o"}),
            "invalid argument \"http://x:6443\" for \"--server\" flag: expected an https:// URL");
  EXPECT_EQ(ErrorOf({"kubeconfig", "--data-dir=/d", "--node=n", "--server=https://x", "--out=/o", "--secure-port=1"}),
            "unknown flag: --secure-port");
  auto help = ParseCommandLine({"kubeconfig", "--help"});
  ASSERT_TRUE(help.ok()) << help.status();
  EXPECT_TRUE(help->server.show_help);
}

TEST(UsageTest, ListsEveryFlag) {
  std::string usage = Usage();
  for (const char* flag : {"--advertise-address", "--bind-address", "--data-dir", "--event-ttl", "--secure-port",
                           "--service-cluster-ip-range", "--service-node-port-range", "--tls-san", "--token-auth-file",
                           "--v ", "--version", "--help"}) {
    EXPECT_THAT(usage, HasSubstr(flag));
  }
  EXPECT_THAT(KubeconfigUsage(), HasSubstr("--node"));
}

}  // namespace
}  // namespace cubelet::apiserver::testing
