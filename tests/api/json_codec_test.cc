#include "api/json_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/defaults.h"

namespace cubelet::api {
namespace {

using ::testing::HasSubstr;

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

TEST(JsonCodecTest, RemovedAnnotationsDoNotComeBackFromRaw) {
  auto pod = DecodePod(kYaml);
  ASSERT_TRUE(pod.ok());
  pod->metadata.annotations.erase("note");
  EXPECT_THAT(EncodePod(*pod), ::testing::Not(HasSubstr("\"note\"")));
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

}  // namespace
}  // namespace cubelet::api

namespace cubelet::api {
namespace {

// Plain scalars resolve as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) resolves them, and numbers
// come out as valid JSON.
TEST(YamlToJsonTest, PlainScalarsResolveAsKubectlReadsThem) {
  struct Case {
    const char* yaml;
    const char* json;
  };
  for (const Case& c : {Case{"v: yes", R"({"v":true})"}, Case{"v: No", R"({"v":false})"}, Case{"v: on", R"({"v":true})"},
                        Case{"v: OFF", R"({"v":false})"}, Case{"v: y", R"({"v":true})"}, Case{"v: n", R"({"v":false})"},
                        Case{"v: 'yes'", R"({"v":"yes"})"}, Case{"v: 012", R"({"v":10})"}, Case{"v: 0x1F", R"({"v":31})"},
                        Case{"v: 0b101", R"({"v":5})"}, Case{"v: 1_000", R"({"v":1000})"}, Case{"v: +42", R"({"v":42})"},
                        Case{"v: -0", R"({"v":0})"}, Case{"v: .5", R"({"v":0.5})"}, Case{"v: -.5", R"({"v":-0.5})"},
                        Case{"v: 1.", R"({"v":1.0})"}, Case{"v: 007.5", R"({"v":7.5})"}, Case{"v: 1e3", R"({"v":1e3})"},
                        Case{"v: 09", R"({"v":9})"}, Case{"v: 0.25", R"({"v":0.25})"}, Case{"v: 1Gi", R"({"v":"1Gi"})"},
                        Case{"v: 500m", R"({"v":"500m"})"}, Case{"v: 1.2.3", R"({"v":"1.2.3"})"},
                        Case{"v: '012'", R"({"v":"012"})"}, Case{"v: ~", R"({"v":null})"},
                        Case{"v: 18446744073709551615", R"({"v":18446744073709551615})"},
                        Case{"v: 99999999999999999999", R"({"v":99999999999999999999})"}}) {
    auto json = YamlToJson(c.yaml);
    ASSERT_TRUE(json.ok()) << c.yaml << ": " << json.status();
    EXPECT_EQ(*json, c.json) << c.yaml;
  }
}

}  // namespace
}  // namespace cubelet::api
