// The schema compiled into the binary: it must parse (Schema::BuiltIn aborts otherwise), match
// the files it was made from, and decode ordinary objects without complaint.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "schema/decode.h"
#include "schema/internal/embedded.h"
#include "schema/openapi.h"
#include "schema/schema.h"

namespace cubelet::schema {
namespace {

using ::testing::IsEmpty;

std::vector<std::pair<std::string, std::string>> SourceFiles() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(CUBELET_SCHEMA_DIR)) {
    if (entry.path().extension() != ".schema") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    files.emplace_back(entry.path().filename().string(), text.str());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(BuiltInSchemaTest, EmbeddedTextsAreTheSourceFiles) {
  EXPECT_EQ(internal::EmbeddedSchemaTexts(), SourceFiles());
}

TEST(BuiltInSchemaTest, ParsesWithoutErrors) {
  auto parsed = Schema::Parse(internal::EmbeddedSchemaTexts());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(Schema::BuiltIn().types().size(), parsed->types().size());
}

TEST(BuiltInSchemaTest, HasMetaTypes) {
  const Schema& schema = Schema::BuiltIn();
  for (const char* name : {"ObjectMeta", "ListMeta", "OwnerReference", "ManagedFieldsEntry", "LabelSelector",
                           "LabelSelectorRequirement", "Condition", "Status", "StatusDetails", "StatusCause",
                           "DeleteOptions", "Preconditions"}) {
    EXPECT_NE(schema.Find(std::string("io.k8s.apimachinery.pkg.apis.meta.v1.") + name), nullptr) << name;
  }
  EXPECT_NE(schema.FindKind({"", "v1", "Status"}), nullptr);
  EXPECT_NE(schema.FindKind({"policy", "v1", "DeleteOptions"}), nullptr);
}

// Protobuf bodies (kproto/) are transcoded field by field: a field without its upstream number
// would be dropped silently from every kubelet, scheduler and kubectl write.
TEST(BuiltInSchemaTest, EveryFieldHasAProtobufNumber) {
  for (const auto& [name, type] : Schema::BuiltIn().types()) {
    for (const Field& field : type.fields) {
      const bool type_meta = !type.gvks.empty() && (field.name == "apiVersion" || field.name == "kind");
      if (type_meta) {
        EXPECT_EQ(field.protobuf_tag, 0) << name << "." << field.name << " travels in the envelope";
      } else {
        EXPECT_GT(field.protobuf_tag, 0) << name << "." << field.name << " has no pb(N)";
      }
    }
  }
}

TEST(BuiltInSchemaTest, EveryKindHasTypeMetaAndAnOpenApiDocument) {
  const Schema& schema = Schema::BuiltIn();
  std::vector<std::string> kinds;
  for (const auto& [name, type] : schema.types()) {
    if (type.gvks.empty()) continue;
    kinds.push_back(name);
    EXPECT_NE(type.FindField("apiVersion"), nullptr) << name;
    EXPECT_NE(type.FindField("kind"), nullptr) << name;
  }
  auto components = ComponentSchemas(schema, kinds);
  ASSERT_TRUE(components.ok()) << components.status();
  EXPECT_GE(components->size(), kinds.size());
}

TEST(BuiltInSchemaTest, DeleteOptionsFromKubectlDecodes) {
  auto body = json::Parse(R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background",)"
                          R"("gracePeriodSeconds":0,"preconditions":{"uid":"u"},"dryRun":["All"]})");
  ASSERT_TRUE(body.ok());
  DecodeReport report = Decode(Schema::BuiltIn(), "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", &*body);
  EXPECT_THAT(report.type_errors, IsEmpty());
  EXPECT_THAT(report.unknown_fields, IsEmpty());
}

TEST(BuiltInSchemaTest, OrdinaryPodDecodesCleanly) {
  const StructType* pod = Schema::BuiltIn().FindKind({"", "v1", "Pod"});
  ASSERT_NE(pod, nullptr) << "core_v1.schema has no Pod";
  auto body = json::Parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                 "annotations": {"a": "b"}, "finalizers": ["x"],
                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u",
                                      "controller": true, "blockOwnerDeletion": true}],
                 "creationTimestamp": "2024-01-01T00:00:00Z"},
    "spec": {
      "restartPolicy": "Always", "nodeName": "node1", "terminationGracePeriodSeconds": 30,
      "containers": [{
        "name": "web", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
        "command": ["nginx"], "args": ["-g", "daemon off;"],
        "env": [{"name": "A", "value": "1"},
                {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}],
        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.25}},
        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 10},
        "readinessProbe": {"tcpSocket": {"port": 80}},
        "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}],
        "securityContext": {"runAsUser": 1000, "capabilities": {"drop": ["ALL"]}}
      }],
      "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "1Gi"}},
                  {"name": "cfg", "configMap": {"name": "cfg", "items": [{"key": "k", "path": "p"}]}}],
      "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
      "nodeSelector": {"disk": "ssd"}
    },
    "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True",
               "lastTransitionTime": "2024-01-01T00:00:00Z"}],
               "containerStatuses": [{"name": "web", "ready": true, "restartCount": 0, "image": "nginx:1.25",
                                      "imageID": "", "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}}}]}
  })");
  ASSERT_TRUE(body.ok());
  DecodeReport report = Decode(Schema::BuiltIn(), pod->name, &*body);
  EXPECT_THAT(report.type_errors, IsEmpty());
  EXPECT_THAT(report.unknown_fields, IsEmpty());
}

}  // namespace
}  // namespace cubelet::schema
