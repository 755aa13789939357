// The pod's log directory and sandbox config: names the pod's author chose never name a
// directory outside podLogsDir or a cgroup outside the pod's QoS cgroup.
#include "kuberuntime/sandbox_config.h"

#include <string>

#include <gtest/gtest.h>

namespace cubelet::kuberuntime {
namespace {

void ExpectRefusedNaming(const absl::Status& s, const std::string& field) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find(field), std::string::npos) << s;
}

TEST(PodLogsDirectoryTest, IsNamespaceNameAndUidUnderPodLogsDir) {
  EXPECT_EQ(BuildPodLogsDirectory("/var/log/pods", "default", "web", "uid-1").value_or(""),
            "/var/log/pods/default_web_uid-1");
  EXPECT_EQ(BuildContainerLogsDirectory("/var/log/pods", "default", "web", "uid-1", "httpd").value_or(""),
            "/var/log/pods/default_web_uid-1/httpd");
}

TEST(PodLogsDirectoryTest, EachPartIsCheckedBeforeTheyAreJoined) {
  // Joined, "x/../../../etc" would climb out of /var/log/pods through an existing "<ns>_x" ...
  ExpectRefusedNaming(BuildPodLogsDirectory("/var/log/pods", "../../../tmp/x", "web", "u").status(),
                      "metadata.namespace");
  ExpectRefusedNaming(BuildPodLogsDirectory("/var/log/pods", "default", "x/../../../etc", "u").status(),
                      "metadata.name");
  ExpectRefusedNaming(BuildPodLogsDirectory("/var/log/pods", "default", "web", "u/../../../..").status(),
                      "metadata.uid");
  // ... and "..", harmless once joined ("_.._"), is still not a name cubelet acts on.
  for (const char* bad : {"..", ".", ""}) {
    ExpectRefusedNaming(BuildPodLogsDirectory("/var/log/pods", bad, "web", "u").status(), "metadata.namespace");
    ExpectRefusedNaming(BuildPodLogsDirectory("/var/log/pods", "default", "web", bad).status(), "metadata.uid");
  }
  ExpectRefusedNaming(
      BuildContainerLogsDirectory("/var/log/pods", "default", "web", "u", "../../../../tmp/x").status(),
      "container name");
}

TEST(PodLogsDirectoryTest, AJoinedNameOverNameMaxIsRefused) {
  // Each part fits NAME_MAX alone; together they do not.
  const std::string long_part(200, 'a');
  auto dir = BuildPodLogsDirectory("/var/log/pods", "default", long_part, long_part);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(dir.status().message().find("<namespace>_<name>_<uid>"), std::string::npos) << dir.status();
}

TEST(GeneratePodSandboxConfigTest, RefusesAPodWhoseNamesLeaveTheLogOrCgroupTree) {
  RuntimeOptions options;
  options.pod_logs_dir = "/var/log/pods";
  options.resolv_conf = "/nonexistent/resolv.conf";
  api::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "default";
  pod.metadata.uid = "uid-1";
  pod.spec.dns_policy = "Default";
  auto good = GeneratePodSandboxConfig(pod, 0, options);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->log_directory, "/var/log/pods/default_web_uid-1");

  api::Pod bad_namespace = pod;
  bad_namespace.metadata.namespace_ = "../../../tmp";
  ExpectRefusedNaming(GeneratePodSandboxConfig(bad_namespace, 0, options).status(), "metadata.namespace");
  api::Pod bad_uid = pod;
  bad_uid.metadata.uid = "x/../../..";
  ExpectRefusedNaming(GeneratePodSandboxConfig(bad_uid, 0, options).status(), "metadata.uid");
}

}  // namespace
}  // namespace cubelet::kuberuntime
