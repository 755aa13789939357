#include "api/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/defaults.h"
#include "api/json_codec.h"
#include "common/strings.h"

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

// cubelet builds host paths from the uid as root: it must be one plain path element.
TEST(ValidationTest, UidMustBeOnePlainPathElement) {
  for (const char* uid : {"../../../x", "a/b", "..", ".", "/", "a\nb", "a\x7f"}) {
    Pod pod = Decode("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: busybox}\n");
    pod.metadata.uid = uid;
    auto errors = ValidatePod(pod);
    ASSERT_EQ(errors.size(), 1u) << uid;
    EXPECT_THAT(errors[0], ::testing::StartsWith(StrCat("metadata.uid: Invalid value: \"", uid, "\": must not")));
  }
  Pod pod = Decode("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: busybox}\n");
  pod.metadata.uid = "../x";
  EXPECT_THAT(ValidatePod(pod), Contains("metadata.uid: Invalid value: \"../x\": must not contain '/'"));
  pod.metadata.uid = std::string(256, 'a');
  EXPECT_THAT(ValidatePod(pod), Contains(HasSubstr("must be at most 255 bytes")));
  pod.metadata.uid = std::string("a\0b", 3);
  EXPECT_THAT(ValidatePod(pod), Contains(HasSubstr("must not contain a NUL byte")));
  for (const char* ok : {"", "3f1e0c1a-6b7d-4c1e-9a1b-2b8c2f6d9e01", "0123456789abcdef0123456789abcdef", "x.y"}) {
    pod.metadata.uid = ok;
    EXPECT_TRUE(ValidatePod(pod).empty()) << ok;
  }
}

// upstream's IsDNS1123Label / IsDNS1123Subdomain messages, one per rule broken.
TEST(ValidationTest, NamesAreDnsLabelsOrSubdomainsWithUpstreamsMessages) {
  Pod pod = Decode(R"(kind: Pod
metadata: {name: p, namespace: Kube_System}
spec:
  volumes: [{name: Data, emptyDir: {}}]
  initContainers: [{name: -init, image: busybox}]
  containers: [{name: web.1, image: busybox}]
)");
  auto errors = ValidatePod(pod);
  EXPECT_THAT(errors, Contains(HasSubstr("metadata.namespace: Invalid value: \"Kube_System\": a lowercase RFC 1123 label")));
  EXPECT_THAT(errors, Contains(HasSubstr("spec.volumes[0].name: Invalid value: \"Data\": a lowercase RFC 1123 label")));
  EXPECT_THAT(errors, Contains(HasSubstr("spec.initContainers[0].name: Invalid value: \"-init\": a lowercase RFC 1123 label")));
  EXPECT_THAT(errors, Contains(HasSubstr("spec.containers[0].name: Invalid value: \"web.1\": a lowercase RFC 1123 label")));

  const std::string label64(64, 'a');
  pod = Decode("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: busybox}\n");
  pod.metadata.namespace_ = label64;
  pod.spec.containers[0].name = label64;
  errors = ValidatePod(pod);
  EXPECT_THAT(errors, Contains(StrCat("metadata.namespace: Invalid value: \"", label64, "\": must be no more than 63 characters")));
  EXPECT_THAT(errors, Contains(StrCat("spec.containers[0].name: Invalid value: \"", label64, "\": must be no more than 63 characters")));
  EXPECT_EQ(errors.size(), 2u) << "a long label is only too long";

  // A subdomain is limited as a whole (253), not per part, as upstream's regex.
  pod = Decode("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: busybox}\n");
  pod.metadata.name = StrCat(label64, ".example");
  EXPECT_TRUE(ValidatePod(pod).empty());
  pod.metadata.name = std::string(254, 'a');
  EXPECT_THAT(ValidatePod(pod), Contains(StrCat("metadata.name: Invalid value: \"", pod.metadata.name, "\": must be no more than 253 characters")));
  pod.metadata.name = std::string(253, 'a');
  EXPECT_TRUE(ValidatePod(pod).empty());
  for (const char* bad : {"a..b", ".a", "a.", "a_b", "A"}) {
    pod.metadata.name = bad;
    EXPECT_THAT(ValidatePod(pod), Contains(HasSubstr("a lowercase RFC 1123 subdomain"))) << bad;
  }
}

// upstream's validateContainerPorts and ValidatePortNumOrName for every handler that takes a
// port: an all-digit string is not a port name (it needs a letter), so it never reaches a number
// parser.
TEST(ValidationTest, PortsAreCheckedAsUpstreamDoes) {
  Pod pod = Decode(R"(kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    image: busybox
    ports:
    - {containerPort: 0}
    - {containerPort: 65536, hostPort: -1}
    - {containerPort: 80, name: "8080"}
    - {containerPort: 81, name: Http--Port-Too-Long-}
    - {containerPort: 82, name: http}
    - {containerPort: 83, name: http}
    - {containerPort: 65535, hostPort: 65535, name: ok-1}
    livenessProbe: {httpGet: {port: "99999999999"}}
    readinessProbe: {tcpSocket: {port: 0}}
    startupProbe: {grpc: {port: 70000}}
    lifecycle:
      postStart: {httpGet: {port: "-web", httpHeaders: [{name: "X-Bad: 1", value: v}]}}
      preStop: {tcpSocket: {port: 65536}}
)");
  auto errors = ValidatePod(pod);
  const std::string c = "spec.containers[0]";
  EXPECT_THAT(errors, Contains(c + ".ports[0].containerPort: Required value"));
  EXPECT_THAT(errors, Contains(c + ".ports[1].containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive"));
  EXPECT_THAT(errors, Contains(c + ".ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive"));
  EXPECT_THAT(errors, Contains(c + ".ports[2].name: Invalid value: \"8080\": must contain at least one letter (a-z)"));
  const std::string p3 = c + ".ports[3].name: Invalid value: \"Http--Port-Too-Long-\": ";
  EXPECT_THAT(errors, Contains(p3 + "must be no more than 15 characters"));
  EXPECT_THAT(errors, Contains(p3 + "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
  EXPECT_THAT(errors, Contains(p3 + "must not contain consecutive hyphens"));
  EXPECT_THAT(errors, Contains(p3 + "must not begin or end with a hyphen"));
  EXPECT_THAT(errors, Contains(c + ".ports[5].name: Duplicate value: \"http\""));
  EXPECT_THAT(errors, Contains(c + ".livenessProbe.httpGet.port: Invalid value: \"99999999999\": must contain at least one letter (a-z)"));
  EXPECT_THAT(errors, Contains(c + ".readinessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive"));
  EXPECT_THAT(errors, Contains(c + ".startupProbe.grpc.port: Invalid value: 70000: must be between 1 and 65535, inclusive"));
  EXPECT_THAT(errors, Contains(c + ".lifecycle.postStart.httpGet.port: Invalid value: \"-web\": must not begin or end with a hyphen"));
  EXPECT_THAT(errors, Contains(HasSubstr(c + ".lifecycle.postStart.httpGet.httpHeaders: Invalid value: \"X-Bad: 1\": a valid HTTP header must consist of alphanumeric characters or '-'")));
  EXPECT_THAT(errors, Contains(c + ".lifecycle.preStop.tcpSocket.port: Invalid value: 65536: must be between 1 and 65535, inclusive"));
  for (const auto& e : errors) EXPECT_THAT(e, ::testing::Not(HasSubstr("ports[6]"))) << "65535 and a good name are valid";
  EXPECT_EQ(errors.size(), 15u) << ::testing::PrintToString(errors);

  Pod good = Decode(R"(kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    image: busybox
    ports: [{containerPort: 1, name: web}]
    livenessProbe: {httpGet: {port: web, httpHeaders: [{name: X-Probe, value: "1"}]}}
    readinessProbe: {tcpSocket: {port: 65535}}
    startupProbe: {grpc: {port: 1}}
    lifecycle: {preStop: {sleep: {seconds: 30}}, postStart: {exec: {command: ["true"]}}}
)");
  EXPECT_THAT(ValidatePod(good), ::testing::IsEmpty());
}

TEST(ValidationTest, HandlersNeedExactlyOneTypeAndASleepWithinTheGracePeriod) {
  Pod pod = Decode(R"(kind: Pod
metadata: {name: p}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: a
    image: busybox
    livenessProbe: {exec: {command: ["true"]}, tcpSocket: {port: 80}}
    readinessProbe: {periodSeconds: 5}
    lifecycle: {preStop: {sleep: {seconds: 11}}, postStart: {exec: {command: []}}}
)");
  auto errors = ValidatePod(pod);
  const std::string c = "spec.containers[0]";
  EXPECT_THAT(errors, Contains(c + ".livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"));
  EXPECT_THAT(errors, Contains(c + ".readinessProbe: Required value: must specify a handler type"));
  EXPECT_THAT(errors, Contains(c + ".lifecycle.preStop.sleep.seconds: Invalid value: 11: must be greater than 0 and less than terminationGracePeriodSeconds (10)"));
  EXPECT_THAT(errors, Contains(c + ".lifecycle.postStart.exec.command: Required value"));
  EXPECT_EQ(errors.size(), 4u) << ::testing::PrintToString(errors);
}

// A value the node cannot hold as int64 (cpu in thousandths, the rest in whole units) is refused
// with the largest value it could take, never converted with a wrap.
TEST(ValidationTest, QuantitiesMustFitTheNodesInt64Conversions) {
  Pod pod = Decode(R"(kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    image: busybox
    resources:
      limits: {cpu: "9223372036854775807", memory: "9223372036854775808", ephemeral-storage: 8Ei}
      requests: {cpu: "9223372036854775808m", memory: "100E"}
  - name: b
    image: busybox
    resources:
      limits: {cpu: "9223372036854775807m", memory: "9223372036854775807", hugepages-2Mi: 7Ei}
)");
  auto errors = ValidatePod(pod);
  const std::string r = "spec.containers[0].resources";
  EXPECT_THAT(errors, Contains(r + ".limits[cpu]: Invalid value: \"9223372036854775807\": must be less than or equal to 9223372036854775807m"));
  EXPECT_THAT(errors, Contains(r + ".limits[memory]: Invalid value: \"9223372036854775808\": must be less than or equal to 9223372036854775807"));
  EXPECT_THAT(errors, Contains(r + ".limits[ephemeral-storage]: Invalid value: \"8Ei\": must be less than or equal to 9223372036854775807"));
  EXPECT_THAT(errors, Contains(r + ".requests[cpu]: Invalid value: \"9223372036854775808m\": must be less than or equal to 9223372036854775807m"));
  EXPECT_THAT(errors, Contains(r + ".requests[memory]: Invalid value: \"100E\": must be less than or equal to 9223372036854775807"));
  for (const auto& e : errors) EXPECT_THAT(e, ::testing::Not(HasSubstr("containers[1]"))) << "the largest values that fit";
}

TEST(ValidationTest, NoContainersAndMissingName) {
  Pod pod = Decode("kind: Pod\nspec: {}\n");
  auto errors = ValidatePod(pod);
  EXPECT_THAT(errors, Contains("metadata.name: Required value"));
  EXPECT_THAT(errors, Contains("spec.containers: Required value"));
}

}  // namespace
}  // namespace cubelet::api
