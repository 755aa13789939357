// The kinds kube-scheduler watches besides pods and nodes (persistent volumes and claims,
// storage classes, capacities and volume attachments, replication controllers, replica sets, stateful sets,
// disruption budgets): each is stored, listed across namespaces and watched through the
// registry, with strict decoding and a status subresource where upstream has one.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "apierrors/apierrors.h"
#include "registry/registry_fixture.h"
#include "registry/resource_store.h"
#include "schema/decode.h"
#include "schema/schema.h"
#include "storage/cacher/cacher.h"

namespace cubelet::registry {
namespace {

using SchedulerKindsTest = RegistryFixture;

struct KindCase {
  std::string group;
  std::string resource;
  std::string namespace_;  // "" for cluster-scoped kinds
  std::string name;
  std::string object;      // as kube-controller-manager or a user would create it
  std::string status;      // a status to write through the subresource; "" = none
  std::string status_path; // a string field of that status, checked after the write
  std::string status_value;
  std::string storage_prefix;
};

const std::vector<KindCase>& Cases() {
  static const std::vector<KindCase> cases = {
      {"", "persistentvolumes", "", "pv-local",
       R"({"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv-local"},
          "spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy":"Retain","storageClassName":"local","volumeMode":"Filesystem",
            "local":{"path":"/mnt/disks/ssd1"},
            "claimRef":{"kind":"PersistentVolumeClaim","namespace":"default","name":"data","apiVersion":"v1"},
            "nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[
              {"key":"kubernetes.io/hostname","operator":"In","values":["node-1"]}]}]}}}})",
       R"({"phase":"Bound","lastPhaseTransitionTime":"2026-01-02T03:04:05Z"})", "phase", "Bound",
       "/registry/persistentvolumes/"},
      {"", "persistentvolumeclaims", "default", "data",
       R"({"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data"},
          "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"5Gi"}},
            "storageClassName":"local","volumeMode":"Filesystem","volumeName":"pv-local"}})",
       R"({"phase":"Bound","accessModes":["ReadWriteOnce"],"capacity":{"storage":"10Gi"},
          "conditions":[{"type":"Resizing","status":"False"}]})", "phase", "Bound",
       "/registry/persistentvolumeclaims/"},
      {"", "replicationcontrollers", "default", "nginx",
       R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"nginx"},
          "spec":{"replicas":2,"selector":{"app":"nginx"},"template":{"metadata":{"labels":{"app":"nginx"}},
            "spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80}]}]}}}})",
       R"({"replicas":2,"readyReplicas":2,"availableReplicas":2,"fullyLabeledReplicas":2,"observedGeneration":1})",
       "", "", "/registry/controllers/"},
      {"apps", "replicasets", "default", "web-5d9c",
       R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-5d9c","labels":{"app":"web"}},
          "spec":{"replicas":3,"minReadySeconds":5,"selector":{"matchLabels":{"app":"web","pod-template-hash":"5d9c"}},
            "template":{"metadata":{"labels":{"app":"web","pod-template-hash":"5d9c"}},
              "spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}})",
       R"({"replicas":3,"readyReplicas":3,"availableReplicas":3,"fullyLabeledReplicas":3,"observedGeneration":1,
          "conditions":[{"type":"ReplicaFailure","status":"False","reason":"Ok"}]})", "", "",
       "/registry/replicasets/"},
      {"apps", "statefulsets", "default", "db",
       R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},
          "spec":{"serviceName":"db","replicas":1,"podManagementPolicy":"Parallel",
            "selector":{"matchLabels":{"app":"db"}},
            "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}},
            "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Delete"},
            "ordinals":{"start":0},"revisionHistoryLimit":10,
            "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"postgres:17",
              "volumeMounts":[{"name":"data","mountPath":"/var/lib/postgresql/data"}]}]}},
            "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
              "resources":{"requests":{"storage":"1Gi"}}}}]}})",
       R"({"replicas":1,"readyReplicas":1,"currentReplicas":1,"updatedReplicas":1,"availableReplicas":1,
          "currentRevision":"db-7f8b","updateRevision":"db-7f8b","collisionCount":0,"observedGeneration":1})",
       "currentRevision", "db-7f8b", "/registry/statefulsets/"},
      {"policy", "poddisruptionbudgets", "default", "web-pdb",
       R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web-pdb"},
          "spec":{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}},
            "unhealthyPodEvictionPolicy":"AlwaysAllow"}})",
       R"({"observedGeneration":1,"disruptionsAllowed":1,"currentHealthy":3,"desiredHealthy":2,"expectedPods":3,
          "disruptedPods":{"web-1":"2026-01-02T03:04:05Z"},
          "conditions":[{"type":"DisruptionAllowed","status":"True","reason":"SufficientPods","message":"",
            "lastTransitionTime":"2026-01-02T03:04:05Z","observedGeneration":1}]})", "", "",
       "/registry/poddisruptionbudgets/"},
      {"storage.k8s.io", "storageclasses", "", "fast",
       R"({"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fast",
            "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
          "provisioner":"ebs.csi.aws.com","parameters":{"type":"gp3"},"reclaimPolicy":"Delete",
          "volumeBindingMode":"WaitForFirstConsumer","allowVolumeExpansion":true,"mountOptions":["noatime"],
          "allowedTopologies":[{"matchLabelExpressions":[
            {"key":"topology.kubernetes.io/zone","values":["us-east-1a"]}]}]})",
       "", "", "", "/registry/storageclasses/"},
      {"storage.k8s.io", "csistoragecapacities", "kube-system", "csisc-abcde",
       R"({"apiVersion":"storage.k8s.io/v1","kind":"CSIStorageCapacity","metadata":{"name":"csisc-abcde"},
          "storageClassName":"fast","capacity":"100Gi","maximumVolumeSize":"50Gi",
          "nodeTopology":{"matchLabels":{"topology.kubernetes.io/zone":"us-east-1a"}}})",
       "", "", "", "/registry/csistoragecapacities/"},
      {"storage.k8s.io", "volumeattachments", "", "csi-0123abcd",
       R"({"apiVersion":"storage.k8s.io/v1","kind":"VolumeAttachment","metadata":{"name":"csi-0123abcd"},
          "spec":{"attacher":"ebs.csi.aws.com","nodeName":"node-1","source":{"persistentVolumeName":"pv-local"}}})",
       R"({"attached":true,"attachmentMetadata":{"devicePath":"/dev/xvdba"},
          "detachError":{"time":"2026-01-02T03:04:05Z","message":"busy"}})", "", "",
       "/registry/volumeattachments/"},
  };
  return cases;
}

// Collects the names of ADDED and MODIFIED events of one watch.
class NameSink final : public storage::cacher::WatchSink {
 public:
  bool OnEvent(const storage::cacher::WatchEvent& e) override {
    if (e.type == storage::cacher::EventType::kBookmark) return true;
    absl::MutexLock lock(&mu_);
    seen_.push_back({e.type, e.object->name});
    return true;
  }
  // Waits (bounded, so a missing event fails rather than hangs) for an event of `type` on `name`.
  bool WaitFor(storage::cacher::EventType type, const std::string& name) {
    absl::MutexLock lock(&mu_);
    auto found = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const auto& [t, n] : seen_) {
        if (t == type && n == name) return true;
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&found), absl::Seconds(10));
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<storage::cacher::EventType, std::string>> seen_ ABSL_GUARDED_BY(mu_);
};

TEST_F(SchedulerKindsTest, EachKindIsCreatedListedAcrossNamespacesAndWatched) {
  for (const KindCase& c : Cases()) {
    SCOPED_TRACE(c.resource);
    ResourceStore& store = Store(c.group, c.resource);
    NameSink sink;
    auto watch = store.Watch("", {}, &sink);
    ASSERT_TRUE(watch.ok()) << watch.status();

    auto created = store.Create(c.namespace_, J(c.object), {});
    ASSERT_TRUE(created.ok()) << created.status();
    EXPECT_EQ((*created)->key, c.storage_prefix + (c.namespace_.empty() ? "" : c.namespace_ + "/") + c.name);
    EXPECT_EQ((*created)->object->GetString({"metadata", "namespace"}), c.namespace_);
    EXPECT_FALSE((*created)->object->GetString({"metadata", "uid"}).empty());

    auto listed = store.List("", {});
    ASSERT_TRUE(listed.ok()) << listed.status();
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->items[0]->name, c.name);
    EXPECT_TRUE(sink.WaitFor(storage::cacher::EventType::kAdded, c.name));

    // A watch started from the list's revision sees later changes only.
    NameSink later;
    ResourceStore::WatchOptions from_list;
    from_list.resource_version = std::to_string(listed->revision);
    auto watch_later = store.Watch("", from_list, &later);
    ASSERT_TRUE(watch_later.ok()) << watch_later.status();
    json::Value changed = *(*created)->object;
    changed["metadata"].Ensure({"labels"}).Set("touched", "yes");
    auto updated = store.Update(c.namespace_, c.name, changed, {});
    ASSERT_TRUE(updated.ok()) << updated.status();
    EXPECT_TRUE(later.WaitFor(storage::cacher::EventType::kModified, c.name));
    EXPECT_TRUE(sink.WaitFor(storage::cacher::EventType::kModified, c.name));
  }
}

TEST_F(SchedulerKindsTest, StatusIsASubresourceWhereUpstreamHasOne) {
  for (const KindCase& c : Cases()) {
    SCOPED_TRACE(c.resource);
    ResourceStore& store = Store(c.group, c.resource);
    EXPECT_EQ(store.info().FindSubresource("status") != nullptr, !c.status.empty());
    if (c.status.empty()) continue;
    auto created = store.Create(c.namespace_, J(c.object), {});
    ASSERT_TRUE(created.ok()) << created.status();
    json::Value with_status = *(*created)->object;
    with_status.Set("status", J(c.status));
    auto status = store.UpdateStatus(c.namespace_, c.name, with_status, {});
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(*(*status)->object->Find("status"), J(c.status));
    if (!c.status_path.empty()) {
      EXPECT_EQ((*status)->object->GetString({"status", c.status_path}), c.status_value);
    }
    // The main resource keeps the stored status whatever the client sends.
    json::Value main = *(*status)->object;
    main.Set("status", json::Value(json::Object{}));
    main["metadata"].Ensure({"labels"}).Set("x", "y");
    auto updated = store.Update(c.namespace_, c.name, main, {});
    ASSERT_TRUE(updated.ok()) << updated.status();
    EXPECT_EQ(*(*updated)->object->Find("status"), J(c.status));
  }
}

// Strict decoding (the API server's fieldValidation) knows every field of the realistic objects
// and names unknown ones, nested ones included.
TEST_F(SchedulerKindsTest, RealObjectsDecodeStrictlyAndUnknownFieldsAreNamed) {
  for (const KindCase& c : Cases()) {
    SCOPED_TRACE(c.resource);
    const std::string& type = Store(c.group, c.resource).info().schema_type;
    json::Value object = J(c.object);
    if (!c.status.empty()) object.Set("status", J(c.status));
    schema::DecodeReport clean = schema::Decode(schema::Schema::BuiltIn(), type, &object);
    EXPECT_TRUE(clean.type_errors.empty()) << clean.type_errors[0];
    EXPECT_TRUE(clean.unknown_fields.empty()) << clean.unknown_fields[0];

    object.Set("bogusField", "x");
    schema::DecodeReport bad = schema::Decode(schema::Schema::BuiltIn(), type, &object);
    EXPECT_EQ(bad.unknown_fields, std::vector<std::string>{"bogusField"});
  }
  json::Value sts = J(Cases()[4].object);
  sts["spec"]["volumeClaimTemplates"].AsArray()[0]["spec"].Set("sizeGi", 3);
  schema::DecodeReport bad = schema::Decode(schema::Schema::BuiltIn(), "io.k8s.api.apps.v1.StatefulSet", &sts);
  EXPECT_EQ(bad.unknown_fields, std::vector<std::string>{"spec.volumeClaimTemplates[0].spec.sizeGi"});
  // A wrong JSON type is a type error: replicas is an int32.
  json::Value rs = J(Cases()[3].object);
  rs["spec"].Set("replicas", "three");
  EXPECT_FALSE(schema::Decode(schema::Schema::BuiltIn(), "io.k8s.api.apps.v1.ReplicaSet", &rs).type_errors.empty());
}

}  // namespace
}  // namespace cubelet::registry
