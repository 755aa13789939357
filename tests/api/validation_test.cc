#include "api/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/defaults.h"
#include "api/json_codec.h"

namespace cubelet::api {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

Pod Decode(const std::string& yaml) {
  auto pod = DecodePod(yaml);
  EXPECT_TRUE(pod.ok()) << pod.status();
  SetPodDefaults(&*pod);
  return *pod;
}

TEST(DefaultsTest, ApiServerDefaults) {
  Pod pod = Decode("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: busybox}\n"
                   "  - {name: b, image: 'busybox:1.36', resources: {limits: {cpu: '1'}}}\n"
                   "  - {name: c, image: 'busybox:latest'}\n  - {name: d, image: 'reg:5000/busybox'}\n");
  EXPECT_EQ(pod.metadata.namespace_, "default");
  EXPECT_EQ(pod.spec.restart_policy, "Always");
  EXPECT_EQ(pod.spec.termination_grace_period_seconds, 30);
  EXPECT_EQ(pod.spec.dns_policy, "ClusterFirst");
  EXPECT_EQ(pod.spec.containers[0].image_pull_policy, "Always");
  EXPECT_EQ(pod.spec.containers[1].image_pull_policy, "IfNotPresent");
  EXPECT_EQ(pod.spec.containers[2].image_pull_policy, "Always");
  EXPECT_EQ(pod.spec.containers[3].image_pull_policy, "Always") << "a registry port is not a tag";
  EXPECT_EQ(pod.spec.containers[0].termination_message_path, "/dev/termination-log");
  EXPECT_EQ(pod.spec.containers[0].termination_message_policy, "File");
  EXPECT_EQ(pod.spec.containers[1].resources.requests.at("cpu").MilliValue(), 1000) << "requests default to limits";
  EXPECT_EQ(pod.status.phase, "Pending");
}

TEST(ValidationTest, AValidPodHasNoErrors) {
  Pod pod = Decode("kind: Pod\nmetadata: {name: web-1}\nspec:\n  containers:\n  - {name: a, image: busybox}\n");
  EXPECT_TRUE(ValidatePod(pod).empty());
}

TEST(ValidationTest, ReportsEachProblemWithItsPath) {
  Pod pod = Decode(R"(kind: Pod
metadata: {name: Bad_Name}
spec:
  restartPolicy: Sometimes
  volumes: [{name: data, emptyDir: {}}]
  containers:
  - {name: web, image: busybox, resources: {limits: {cpu: 500m}, requests: {cpu: '1'}}}
  - name: web
    image: ""
    ports: [{containerPort: 70000}]
    volumeMounts:
    - {name: nodata, mountPath: /x}
    - {name: data, mountPath: /y, subPath: ../etc}
    livenessProbe: {exec: {command: [cat]}, successThreshold: 2}
    resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}, {resourceName: disk, restartPolicy: Never}]
)");
  auto errors = ValidatePod(pod);
  EXPECT_THAT(errors, Contains(HasSubstr("metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain")));
  EXPECT_THAT(errors, Contains("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""));
  EXPECT_THAT(errors, Contains("spec.containers[1].name: Duplicate value: \"web\""));
  EXPECT_THAT(errors, Contains("spec.containers[1].image: Required value"));
  EXPECT_THAT(errors, Contains("spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"));
  EXPECT_THAT(errors, Contains("spec.containers[1].volumeMounts[0].name: Not found: \"nodata\""));
  EXPECT_THAT(errors, Contains("spec.containers[1].volumeMounts[1].subPath: Invalid value: \"../etc\": must not contain '..'"));
  EXPECT_THAT(errors, Contains("spec.containers[1].livenessProbe.successThreshold: Invalid value: 2: must be 1"));
  EXPECT_THAT(errors, Contains("spec.containers[1].resizePolicy[1].resourceName: Unsupported value: \"disk\": supported values: \"cpu\", \"memory\""));
  EXPECT_THAT(errors, Contains("spec.containers[1].resizePolicy[1].restartPolicy: Unsupported value: \"Never\": supported values: \"NotRequired\", \"RestartContainer\""));
  EXPECT_THAT(errors, Contains("spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 500m"));
}

TEST(ValidationTest, NoContainersAndMissingName) {
  Pod pod = Decode("kind: Pod\nspec: {}\n");
  auto errors = ValidatePod(pod);
  EXPECT_THAT(errors, Contains("metadata.name: Required value"));
  EXPECT_THAT(errors, Contains("spec.containers: Required value"));
}

}  // namespace
}  // namespace cubelet::api
