#include "kubeletconfig/flags.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cubelet::kubeletconfig {
namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(FlagsTest, ParsesEqualsAndSpaceForms) {
  auto cl = ParseCommandLine({"--pod-manifest-path=/etc/m", "--max-pods", "20", "--v=4", "--hostname-override",
                              "Node-A", "--root-dir=/var/lib/cubelet", "--read-only-port=10255"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->options.verbosity, 4);
  EXPECT_EQ(cl->options.hostname_override, "Node-A");
  EXPECT_EQ(cl->options.root_dir, "/var/lib/cubelet");
  auto c = BuildConfiguration(*cl);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->static_pod_path, "/etc/m");
  EXPECT_EQ(c->max_pods, 20);
  EXPECT_EQ(c->read_only_port, 10255);
}

TEST(FlagsTest, ShorthandsAndBareBooleans) {
  auto cl = ParseCommandLine({"-v=2", "--version"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(cl->options.verbosity, 2);
  EXPECT_TRUE(cl->options.show_version);
  auto help = ParseCommandLine({"-h"});
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->options.show_help);
  auto b = ParseCommandLine({"--seccomp-default", "--fail-swap-on=false"});
  ASSERT_TRUE(b.ok()) << b.status();
  auto c = BuildConfiguration(*b);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->seccomp_default);
  EXPECT_FALSE(c->fail_swap_on);
}

TEST(FlagsTest, ErrorsNameTheFlag) {
  EXPECT_EQ(Message(ParseCommandLine({"--no-such-flag=1"}).status()), "unknown flag: --no-such-flag");
  EXPECT_EQ(Message(ParseCommandLine({"--max-pods=many"}).status()),
            "invalid argument \"many\" for \"--max-pods\" flag: expected an integer");
  EXPECT_EQ(Message(ParseCommandLine({"--sync-frequency=5"}).status()),
            "invalid argument \"5\" for \"--sync-frequency\" flag: expected a duration such as \"20s\" or \"1m30s\"");
  EXPECT_EQ(Message(ParseCommandLine({"--config"}).status()), "flag needs an argument: --config");
  EXPECT_EQ(Message(ParseCommandLine({"run"}).status()), "unknown command \"run\": cubelet takes only flags");
  EXPECT_EQ(Message(ParseCommandLine({"-x"}).status()), "unknown shorthand flag: 'x' in -x");
}

// An integer flag is read at its field's width: 4294967406 is 2^32 + 110, which a 32-bit
// truncation would have turned into the default-looking 110.
TEST(FlagsTest, IntegerFlagsOutOfTheirRangeAreErrorsNamingTheFlag) {
  EXPECT_EQ(Message(ParseCommandLine({"--max-pods=4294967406"}).status()),
            "invalid argument \"4294967406\" for \"--max-pods\" flag: expected a 32-bit integer (value out of range)");
  EXPECT_EQ(Message(ParseCommandLine({"--max-pods", "2147483648"}).status()),
            "invalid argument \"2147483648\" for \"--max-pods\" flag: expected a 32-bit integer (value out of range)");
  EXPECT_EQ(Message(ParseCommandLine({"--port=-2147483649"}).status()),
            "invalid argument \"-2147483649\" for \"--port\" flag: expected a 32-bit integer (value out of range)");
  EXPECT_EQ(Message(ParseCommandLine({"--v=99999999999"}).status()),
            "invalid argument \"99999999999\" for \"--v\" flag: expected a 32-bit integer (value out of range)");
  EXPECT_EQ(Message(ParseCommandLine({"--pod-max-pids=9223372036854775808"}).status()),
            "invalid argument \"9223372036854775808\" for \"--pod-max-pids\" flag: expected a 64-bit integer (value out "
            "of range)");
  EXPECT_EQ(Message(ParseCommandLine({"--max-pods= 5"}).status()),
            "invalid argument \" 5\" for \"--max-pods\" flag: expected an integer");
  auto edge = ParseCommandLine({"--max-pods=2147483647", "--pod-max-pids=9223372036854775807"});
  ASSERT_TRUE(edge.ok()) << edge.status();
  auto c = BuildConfiguration(*edge);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->max_pods, 2147483647);
  EXPECT_EQ(c->pod_pids_limit, 9223372036854775807);
  // In range for the type, out of range for the setting: validation names the field and flag.
  auto negative = BuildConfiguration(*ParseCommandLine({"--max-pods=-1"}));
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(Message(negative.status()).find("maxPods (--max-pods) -1 must not be a negative number"), std::string::npos);
}

TEST(FlagsTest, ReservedQuantitiesAreCheckedAtStart) {
  struct Case {
    std::string flag;
    std::string want;
  } cases[] = {
      {"--kube-reserved=memory=12apples", "kubeReserved.memory: \"12apples\" is not a quantity"},
      {"--kube-reserved=cpu=-1", "kubeReserved.cpu: \"-1\" cannot be negative"},
      {"--system-reserved=gpu=1", "systemReserved.gpu: cannot reserve \"gpu\" resource"},
      {"--system-reserved=cpu=9223372036854775807", "systemReserved.cpu: \"9223372036854775807\" must be less than or "
                                                    "equal to 9223372036854775807m"},
      {"--kube-reserved=memory=8Ei", "kubeReserved.memory: \"8Ei\" must be less than or equal to 9223372036854775807"},
      {"--container-log-max-size=8Ei", "containerLogMaxSize (--container-log-max-size) \"8Ei\" must be less than or "
                                       "equal to 9223372036854775807"},
  };
  for (const auto& c : cases) {
    auto cl = ParseCommandLine({c.flag});
    ASSERT_TRUE(cl.ok()) << cl.status();
    auto config = BuildConfiguration(*cl);
    ASSERT_FALSE(config.ok()) << c.flag;
    EXPECT_NE(Message(config.status()).find(c.want), std::string::npos) << Message(config.status());
  }
  auto ok = ParseCommandLine({"--kube-reserved=cpu=500m,memory=1Gi,ephemeral-storage=1Gi,pid=100",
                              "--system-reserved=memory=7Ei"});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(BuildConfiguration(*ok).ok()) << BuildConfiguration(*ok).status();
}

TEST(FlagsTest, FlagsOverrideTheConfigFileWhichOverridesDefaults) {
  const std::string path = ::testing::TempDir() + "/flags_test_kubelet.yaml";
  std::ofstream(path) << "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                         "maxPods: 50\nsyncFrequency: 30s\nstaticPodPath: /from/file\n";
  auto cl = ParseCommandLine({"--config", path, "--max-pods=7"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  auto c = BuildConfiguration(*cl);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->max_pods, 7);                           // flag
  EXPECT_EQ(c->sync_frequency, absl::Seconds(30));     // file
  EXPECT_EQ(c->static_pod_path, "/from/file");         // file
  EXPECT_EQ(c->file_check_frequency, absl::Seconds(20));  // default
  std::remove(path.c_str());
}

TEST(FlagsTest, FlagValuesAreValidatedLikeFileValues) {
  auto cl = ParseCommandLine({"--cgroup-driver=fancy"});
  ASSERT_TRUE(cl.ok());
  auto c = BuildConfiguration(*cl);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(Message(c.status()).find("cgroupDriver (--cgroup-driver) \"fancy\""), std::string::npos);
}

TEST(FlagsTest, UsageListsEveryRequiredFlag) {
  const std::string usage = Usage("cubelet");
  for (const char* flag :
       {"--config", "--kubeconfig", "--container-runtime-endpoint", "--image-service-endpoint",
        "--pod-manifest-path", "--root-dir", "--hostname-override", "--node-ip", "--address", "--port",
        "--read-only-port", "--healthz-port", "--healthz-bind-address", "--cgroup-driver", "--cgroup-root",
        "--max-pods", "--manifest-url", "--manifest-url-header", "--http-check-frequency", "--v", "--version",
        "--help"}) {
    EXPECT_NE(usage.find(std::string(flag) + " "), std::string::npos) << flag;
  }
}

// The http source's flags. --manifest-url-header is upstream's
// ColonSeparatedMultimapStringString: "key:value" pairs, repeatable, values of a key kept in order.
TEST(FlagsTest, ManifestUrlFlags) {
  auto cl = ParseCommandLine({"--manifest-url=https://m.example/pods", "--manifest-url-header",
                              "a:hello,b:again, c : world ", "--manifest-url-header=b:beautiful",
                              "--http-check-frequency=45s"});
  ASSERT_TRUE(cl.ok()) << cl.status();
  auto c = BuildConfiguration(*cl);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->static_pod_url, "https://m.example/pods");
  using Headers = std::map<std::string, std::vector<std::string>>;
  EXPECT_EQ(c->static_pod_url_header,
            (Headers{{"a", {"hello"}}, {"b", {"again", "beautiful"}}, {"c", {"world"}}}));
  EXPECT_EQ(c->http_check_frequency, absl::Seconds(45));
  // A value may itself hold colons (only the first separates).
  auto auth = BuildConfiguration(*ParseCommandLine({"--manifest-url-header=Authorization:Bearer a:b"}));
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_EQ(auth->static_pod_url_header, (Headers{{"Authorization", {"Bearer a:b"}}}));
}

TEST(FlagsTest, ManifestUrlHeaderFlagsReplaceTheConfigFilesHeaders) {
  const std::string path = ::testing::TempDir() + "/flags_test_url_header.yaml";
  std::ofstream(path) << "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                         "staticPodURL: http://file/pods\nstaticPodURLHeader: {a: [from-file], z: [file]}\n";
  using Headers = std::map<std::string, std::vector<std::string>>;
  auto file_only = BuildConfiguration(*ParseCommandLine({"--config", path}));
  ASSERT_TRUE(file_only.ok()) << file_only.status();
  EXPECT_EQ(file_only->static_pod_url_header, (Headers{{"a", {"from-file"}}, {"z", {"file"}}}));
  auto c = BuildConfiguration(
      *ParseCommandLine({"--config", path, "--manifest-url-header=a:one", "--manifest-url-header=a:two"}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->static_pod_url_header, (Headers{{"a", {"one", "two"}}}));
  EXPECT_EQ(c->static_pod_url, "http://file/pods");
  std::remove(path.c_str());
}

TEST(FlagsTest, MalformedManifestUrlHeaderNamesTheFlag) {
  EXPECT_EQ(Message(ParseCommandLine({"--manifest-url-header=a:hello,b"}).status()),
            "invalid argument \"a:hello,b\" for \"--manifest-url-header\" flag: expected a list of key:value pairs "
            "(malformed pair, expect string:string)");
  EXPECT_EQ(Message(ParseCommandLine({"--http-check-frequency=often"}).status()),
            "invalid argument \"often\" for \"--http-check-frequency\" flag: expected a duration such as \"20s\" or "
            "\"1m30s\"");
  auto zero = BuildConfiguration(*ParseCommandLine({"--http-check-frequency=0s"}));
  EXPECT_FALSE(zero.ok());
}

}  // namespace
}  // namespace cubelet::kubeletconfig
