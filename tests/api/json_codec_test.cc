#include "api/json_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/canonical_pod.h"
#include "api/defaults.h"
#include "common/strings.h"

namespace cubelet::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kYaml[] = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, "version": "1"}
  annotations:
    note: "yes"
spec:
  futureField: {keep: me}
  containers:
  - name: httpd
    image: localhost/cubelet/testimage:1.0
    command: ["httpd", "-f"]
    args: ["-p", "8080"]
    vendorExtension: 42
    env:
    - name: PORT
      value: "8080"
    - name: FLAG
      value: "true"
    ports:
    - containerPort: 8080
      name: http
    resources:
      limits: {cpu: 500m, memory: 64Mi}
      requests: {cpu: 250m}
    livenessProbe:
      httpGet: {path: /healthz, port: http}
      periodSeconds: 5
  volumes:
  - name: data
    emptyDir: {medium: Memory, sizeLimit: 1Gi}
  - name: host
    hostPath: {path: /var/log, type: Directory}
)";

TEST(JsonCodecTest, DecodesYamlIntoTheTypedModel) {
  auto pod = DecodePod(kYaml);
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->kind, "Pod");
  EXPECT_EQ(pod->metadata.name, "web");
  EXPECT_EQ(pod->metadata.labels.at("version"), "1");
  EXPECT_EQ(pod->metadata.annotations.at("note"), "yes");
  ASSERT_EQ(pod->spec.containers.size(), 1u);
  const Container& c = pod->spec.containers[0];
  EXPECT_EQ(c.command, (std::vector<std::string>{"httpd", "-f"}));
  EXPECT_EQ(c.env[1].value, "true") << "a quoted scalar stays a string";
  EXPECT_EQ(c.ports[0].container_port, 8080);
  EXPECT_EQ(c.resources.limits.at("memory").Value(), 64 << 20);
  EXPECT_EQ(c.resources.requests.at("cpu").MilliValue(), 250);
  ASSERT_TRUE(c.liveness_probe.has_value());
  EXPECT_TRUE(c.liveness_probe->handler.http_get->port.is_string);
  EXPECT_EQ(c.liveness_probe->handler.http_get->port.str_value, "http");
  EXPECT_EQ(c.liveness_probe->period_seconds, 5);
  ASSERT_EQ(pod->spec.volumes.size(), 2u);
  EXPECT_EQ(pod->spec.volumes[0].empty_dir->medium, "Memory");
  EXPECT_EQ(pod->spec.volumes[0].empty_dir->size_limit->ToString(), "1Gi");
  EXPECT_EQ(pod->spec.volumes[1].host_path->type, "Directory");
}

TEST(JsonCodecTest, EncodingKeepsFieldsTheModelDoesNotKnow) {
  auto pod = DecodePod(kYaml);
  ASSERT_TRUE(pod.ok());
  SetPodDefaults(&*pod);
  pod->status.phase = "Running";
  pod->metadata.annotations["kubernetes.io/config.source"] = "file";
  const std::string json = EncodePod(*pod);
  EXPECT_THAT(json, HasSubstr(R"("futureField":{"keep":"me"})"));
  EXPECT_THAT(json, HasSubstr(R"("vendorExtension":42)"));
  EXPECT_THAT(json, HasSubstr(R"("phase":"Running")"));
  EXPECT_THAT(json, HasSubstr(R"("kubernetes.io/config.source":"file")"));
  EXPECT_THAT(json, HasSubstr(R"("terminationMessagePath":"/dev/termination-log")")) << "defaults are written";
  EXPECT_THAT(json, HasSubstr(R"("memory":"64Mi")"));
  // And it decodes back to the same model.
  auto again = DecodePod(json);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->spec.containers[0].image_pull_policy, "IfNotPresent");
  EXPECT_EQ(again->metadata.annotations.at("kubernetes.io/config.source"), "file");
}

TEST(JsonCodecTest, RemovedAnnotationsDoNotComeBack) {
  auto pod = DecodePod(kYaml);
  ASSERT_TRUE(pod.ok());
  pod->metadata.annotations.erase("note");
  EXPECT_THAT(EncodePod(*pod), Not(HasSubstr("\"note\"")));
}

TEST(JsonCodecTest, TypeErrorsNameTheFieldPath) {
  auto bad_port = DecodePod(R"({"kind":"Pod","spec":{"containers":[{"name":"a","ports":[{"containerPort":"80"}]}]}})");
  ASSERT_FALSE(bad_port.ok());
  EXPECT_EQ(std::string(bad_port.status().message()),
            "spec.containers[0].ports[0].containerPort: expected an integer, got a string");
  auto bad_quantity = DecodePod("kind: Pod\nspec:\n  containers:\n  - name: a\n    resources:\n      limits: {memory: 12 parsecs}\n");
  ASSERT_FALSE(bad_quantity.ok());
  EXPECT_THAT(std::string(bad_quantity.status().message()),
              HasSubstr("spec.containers[0].resources.limits[memory]: Invalid value: \"12 parsecs\""));
  auto bad_yaml = DecodePod("kind: Pod\nspec: [\n");
  ASSERT_FALSE(bad_yaml.ok());
  EXPECT_THAT(std::string(bad_yaml.status().message()), HasSubstr("invalid YAML: line"));
  auto not_object = DecodePod("- a\n- b\n");
  EXPECT_FALSE(not_object.ok());
}

TEST(JsonCodecTest, PodListAndTimes) {
  auto pod = DecodePod(kYaml);
  ASSERT_TRUE(pod.ok());
  pod->status.start_time = absl::FromUnixSeconds(1764065472);
  const std::string list = EncodePodList({*pod, *pod});
  EXPECT_THAT(list, HasSubstr(R"("kind":"PodList","apiVersion":"v1")"));
  EXPECT_THAT(list, HasSubstr(R"("startTime":"2025-11-25T10:11:12Z")"));
  EXPECT_EQ(FormatRfc3339Nano(absl::FromUnixNanos(1764065472123456789)), "2025-11-25T10:11:12.123456789Z");
}

// Fields the hand-written encoder used to drop (decoded, never written back, hidden by a merge
// over the original JSON). Each survives encoding on its own, in the object it belongs to.
TEST(JsonCodecTest, FieldsOnceDroppedByTheEncoderSurviveIt) {
  struct Case {
    const char* spec;   // YAML lines under spec:
    const char* json;   // what the encoding must contain
  } cases[] = {
      {"  shareProcessNamespace: true\n", R"("shareProcessNamespace":true)"},
      {"  runtimeClassName: gvisor\n", R"("runtimeClassName":"gvisor")"},
      {"  setHostnameAsFQDN: true\n", R"("setHostnameAsFQDN":true)"},
      {"  hostAliases: [{ip: 10.0.0.1, hostnames: [a, b]}]\n", R"("hostAliases":[{"ip":"10.0.0.1","hostnames":["a","b"]}])"},
      {"  dnsConfig: {nameservers: [1.1.1.1], options: [{name: ndots, value: '2'}, {name: edns0}]}\n",
       R"("dnsConfig":{"nameservers":["1.1.1.1"],"options":[{"name":"ndots","value":"2"},{"name":"edns0"}]})"},
      {"  securityContext: {runAsUser: 0, fsGroup: 0, sysctls: [{name: kernel.shm_rmid_forced, value: '1'}]}\n",
       R"("securityContext":{"runAsUser":0,"fsGroup":0,"sysctls":[{"name":"kernel.shm_rmid_forced","value":"1"}]})"},
      {"  terminationGracePeriodSeconds: 0\n", R"("terminationGracePeriodSeconds":0)"},
      {"  containers:\n  - name: a\n    securityContext: {privileged: false, runAsUser: 0, capabilities: {drop: [ALL]}}\n",
       R"("securityContext":{"capabilities":{"drop":["ALL"]},"privileged":false,"runAsUser":0})"},
      {"  containers:\n  - name: a\n    lifecycle: {preStop: {sleep: {seconds: 5}}, postStart: {exec: {command: [x]}}}\n",
       R"("lifecycle":{"postStart":{"exec":{"command":["x"]}},"preStop":{"sleep":{"seconds":5}}})"},
      {"  containers:\n  - name: a\n    env: [{name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]\n",
       R"("env":[{"name":"NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}}])"},
      {"  containers:\n  - name: a\n    env: [{name: KEY, valueFrom: {secretKeyRef: {name: s, key: k}}}]\n",
       R"("valueFrom":{"secretKeyRef":{"name":"s","key":"k"}})"},
      {"  containers:\n  - name: a\n    env: [{name: CPU, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}]\n",
       R"("resourceFieldRef":{"resource":"limits.cpu","divisor":"1m"})"},
      {"  containers:\n  - name: a\n    startupProbe: {grpc: {port: 9000, service: ''}, terminationGracePeriodSeconds: 0}\n",
       R"("startupProbe":{"grpc":{"port":9000,"service":""},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3,"terminationGracePeriodSeconds":0})"},
  };
  for (const Case& c : cases) {
    const std::string yaml = StrCat("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n", c.spec);
    auto pod = DecodePod(yaml);
    ASSERT_TRUE(pod.ok()) << pod.status() << "\n" << yaml;
    const std::string json = EncodePod(*pod);
    EXPECT_THAT(json, HasSubstr(c.json)) << c.spec;
    auto again = DecodePod(json);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_TRUE(*again == *pod) << c.spec << json;
  }
}

TEST(JsonCodecTest, ClearingAFieldClearsIt) {
  auto pod = DecodePod(R"(apiVersion: v1
kind: Pod
metadata: {name: p, labels: {a: b}}
spec:
  hostNetwork: true
  shareProcessNamespace: true
  securityContext: {runAsUser: 1000}
  hostAliases: [{ip: 10.0.0.1, hostnames: [a]}]
  tolerations: [{operator: Exists}]
  containers:
  - name: a
    args: [x, z]
    env: [{name: A, value: "1"}]
    ports: [{containerPort: 80}]
    livenessProbe: {exec: {command: [x]}}
)");
  ASSERT_TRUE(pod.ok()) << pod.status();
  pod->spec.host_network = false;
  pod->spec.share_process_namespace.reset();
  pod->spec.security_context.reset();
  pod->spec.host_aliases.clear();
  pod->spec.unknown.members.clear();  // tolerations
  pod->metadata.labels.clear();
  Container& c = pod->spec.containers[0];
  c.args.clear();
  c.env.clear();
  c.ports.clear();
  c.liveness_probe.reset();
  const std::string json = EncodePod(*pod);
  for (const char* gone : {"hostNetwork", "shareProcessNamespace", "securityContext", "hostAliases", "tolerations",
                           "labels", "args", "env", "ports", "livenessProbe"}) {
    EXPECT_THAT(json, Not(HasSubstr(StrCat("\"", gone, "\"")))) << json;
  }
  auto again = DecodePod(json);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == *pod);
  EXPECT_FALSE(again->spec.host_network);
  EXPECT_TRUE(again->spec.containers[0].env.empty());
}

// Unknown fields belong to the object they were written in, not to a list index: removing the
// first container keeps the second one's fields on the second container.
TEST(JsonCodecTest, UnknownFieldsStayInTheObjectTheyWereWrittenIn) {
  auto pod = DecodePod(R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","ownerReferences":[{"uid":"u"}]},
    "spec":{"containers":[{"name":"a","envFrom":[{"configMapRef":{"name":"one"}}]},
                          {"name":"b","volumeDevices":[{"name":"d","devicePath":"/dev/x"}],
                           "ports":[{"containerPort":1,"x-port-note":1.5}]}]}})");
  ASSERT_TRUE(pod.ok()) << pod.status();
  ASSERT_EQ(pod->spec.containers[1].unknown.members.size(), 1u);
  EXPECT_EQ(pod->spec.containers[1].unknown.members[0].first, "volumeDevices");
  EXPECT_EQ(pod->spec.containers[1].ports[0].unknown.members[0].second, "1.5");
  pod->spec.containers.erase(pod->spec.containers.begin());
  const std::string json = EncodePod(*pod);
  EXPECT_THAT(json, HasSubstr(R"({"name":"b","ports":[{"containerPort":1,"protocol":"TCP","x-port-note":1.5}],)"
                              R"("resources":{},"volumeDevices":[{"name":"d","devicePath":"/dev/x"}]})"));
  EXPECT_THAT(json, Not(HasSubstr("envFrom")));
  EXPECT_THAT(json, HasSubstr(R"("ownerReferences":[{"uid":"u"}])"));
}

// A field that is a pointer upstream keeps "set to zero" apart from "unset".
TEST(JsonCodecTest, PresentWithZeroIsKept) {
  auto pod = DecodePod(
      "kind: Pod\nspec:\n  terminationGracePeriodSeconds: 0\n  containers:\n  - name: a\n"
      "    securityContext: {runAsUser: 0, allowPrivilegeEscalation: false}\n");
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->spec.termination_grace_period_seconds, 0);
  EXPECT_EQ(pod->spec.containers[0].security_context->run_as_user, 0);
  const std::string json = EncodePod(*pod);
  EXPECT_THAT(json, HasSubstr(R"("terminationGracePeriodSeconds":0)"));
  EXPECT_THAT(json, HasSubstr(R"("securityContext":{"runAsUser":0,"allowPrivilegeEscalation":false})"));
  Pod unset;
  unset.spec.containers.push_back(Container{.name = "a"});
  EXPECT_THAT(EncodePod(unset), Not(HasSubstr("terminationGracePeriodSeconds")));
}

TEST(JsonCodecTest, NullMeansUnsetAndTheLastOfDuplicateFieldsWins) {
  auto pod = DecodePod(R"({"kind":"Pod","metadata":{"name":"a","name":"b","labels":null},)"
                       R"("spec":{"activeDeadlineSeconds":null,"containers":[{"name":"c","ports":[{"containerPort":1},null]}]}})");
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->metadata.name, "b");
  EXPECT_FALSE(pod->spec.active_deadline_seconds.has_value());
  EXPECT_EQ(pod->spec.containers[0].ports.size(), 2u);
}

// Decode errors in YAML say where the user wrote the value, after the field path.
TEST(JsonCodecTest, YamlDecodeErrorsCiteTheLine) {
  auto port = DecodePod(R"(apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: a
    image: i
  - name: b
    image: i
    ports:
    - name: http
      containerPort: "80"
)");
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(std::string(port.status().message()),
            "spec.containers[1].ports[0].containerPort: expected an integer, got a string (line 13, column 7)");
  auto quantity = DecodePod("kind: Pod\nspec:\n  containers:\n  - name: a\n    resources:\n      limits:\n"
                            "        cpu: 1\n        memory: 12 parsecs\n");
  ASSERT_FALSE(quantity.ok());
  EXPECT_THAT(std::string(quantity.status().message()),
              ::testing::EndsWith("(line 8, column 9)"));
  auto list = DecodePod("kind: Pod\nspec:\n  containers: {name: a}\n");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(std::string(list.status().message()), "spec.containers: expected a list, got an object (line 3, column 3)");
  // A value copied by an alias is reported where the alias was used: at the member that holds
  // it, or for a list item at the list.
  auto alias = DecodePod("kind: Pod\nx: &sc {runAsUser: root}\nspec:\n  containers:\n  - name: a\n"
                         "    securityContext: *sc\n");
  ASSERT_FALSE(alias.ok());
  EXPECT_EQ(std::string(alias.status().message()),
            "spec.containers[0].securityContext.runAsUser: expected an integer, got a string (line 6, column 5)");
  auto item = DecodePod("kind: Pod\nx: &c {name: a, ports: [{containerPort: x}]}\nspec:\n  containers:\n  - *c\n");
  ASSERT_FALSE(item.ok());
  EXPECT_EQ(std::string(item.status().message()),
            "spec.containers[0].ports[0].containerPort: expected an integer, got a string (line 4, column 3)");
}

// A pod may carry a field the model does not know nested as deep as upstream's JSON limit
// (10,000): it is kept, written back and hashed without exhausting the stack; one level more is
// refused while parsing, saying where.
TEST(JsonCodecTest, NestingIsBoundedByUpstreamsLimit) {
  auto pod_with = [](int depth) {
    return StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"containers":[]},"x":)",
                  std::string(depth, '['), std::string(depth, ']'), "}");
  };
  auto deep = DecodePod(pod_with(10000 - 1));  // the pod object itself is one level
  ASSERT_TRUE(deep.ok()) << deep.status();
  const std::string encoded = EncodePod(*deep);
  EXPECT_NE(encoded.find(std::string(9999, '[')), std::string::npos);
  EXPECT_FALSE(CanonicalPodJson(*deep).empty());
  auto again = DecodePod(encoded);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *deep);

  auto too_deep = DecodePod(pod_with(10000));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(std::string(too_deep.status().message()), "JSON nested deeper than 10000 levels at offset 10087");
  auto hostile = DecodePod("{\"a\":" + std::string(200000, '['));
  EXPECT_EQ(std::string(hostile.status().message()), "JSON nested deeper than 10000 levels at offset 10004");
}

TEST(JsonCodecTest, AHundredMegabyteLineIsRefusedBeforeParsing) {
  const std::string line = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + std::string(100 << 20, 'a') + "\"}}";
  auto json = DecodePod(line);
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(std::string(json.status().message()), HasSubstr("bytes is larger than the limit of 67108864 bytes"));
  auto yaml = DecodePod("metadata:\n  name: " + std::string(100 << 20, 'a') + "\n");
  ASSERT_FALSE(yaml.ok());
  EXPECT_THAT(std::string(yaml.status().message()), HasSubstr("larger than the limit of 67108864 bytes"));
}

}  // namespace
}  // namespace cubelet::api
