// The kinds the real kube-scheduler 1.32 lists and watches besides pods, nodes, namespaces,
// services, CSI nodes and drivers (cubelet-server --disable-scheduler): PersistentVolume,
// PersistentVolumeClaim, ReplicationController, ReplicaSet, StatefulSet, PodDisruptionBudget,
// StorageClass, CSIStorageCapacity, VolumeAttachment. Through kubectl 1.32 (dispatcher): create -f
// of realistic manifests, get -A, api-resources, and the informers' cluster-wide list then watch.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/write.h"

namespace cubelet::testing {
namespace {

struct Kind {
  std::string resource;      // as kubectl names it
  std::string api_version;   // as api-resources prints it
  std::string short_name;
  std::string kind;
  bool namespaced;
  std::string path;          // the cluster-wide collection an informer lists and watches
  std::string name;          // of the object the manifest creates
  std::string created_line;  // what kubectl create prints for it
};

const std::vector<Kind>& Kinds() {
  static const std::vector<Kind> kinds = {
      {"storageclasses", "storage.k8s.io/v1", "sc", "StorageClass", false, "/apis/storage.k8s.io/v1/storageclasses",
       "fast", "storageclass.storage.k8s.io/fast created"},
      {"persistentvolumes", "v1", "pv", "PersistentVolume", false, "/api/v1/persistentvolumes", "pv-local",
       "persistentvolume/pv-local created"},
      {"persistentvolumeclaims", "v1", "pvc", "PersistentVolumeClaim", true, "/api/v1/persistentvolumeclaims",
       "data", "persistentvolumeclaim/data created"},
      {"replicasets", "apps/v1", "rs", "ReplicaSet", true, "/apis/apps/v1/replicasets", "web-5d9c",
       "replicaset.apps/web-5d9c created"},
      {"statefulsets", "apps/v1", "sts", "StatefulSet", true, "/apis/apps/v1/statefulsets", "db",
       "statefulset.apps/db created"},
      {"replicationcontrollers", "v1", "rc", "ReplicationController", true, "/api/v1/replicationcontrollers",
       "nginx", "replicationcontroller/nginx created"},
      {"poddisruptionbudgets", "policy/v1", "pdb", "PodDisruptionBudget", true,
       "/apis/policy/v1/poddisruptionbudgets", "web-pdb", "poddisruptionbudget.policy/web-pdb created"},
      {"csistoragecapacities", "storage.k8s.io/v1", "", "CSIStorageCapacity", true,
       "/apis/storage.k8s.io/v1/csistoragecapacities", "csisc-abcde",
       "csistoragecapacity.storage.k8s.io/csisc-abcde created"},
      {"volumeattachments", "storage.k8s.io/v1", "", "VolumeAttachment", false,
       "/apis/storage.k8s.io/v1/volumeattachments", "csi-0123abcd",
       "volumeattachment.storage.k8s.io/csi-0123abcd created"},
  };
  return kinds;
}

// One manifest per kind, in Kinds() order, shaped like what provisioners, controllers and users
// write (every top-level part the kind has, defaults spelled out).
constexpr char kManifests[] = R"(apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: ebs.csi.aws.com
parameters:
  type: gp3
  fsType: ext4
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
mountOptions: [noatime]
allowedTopologies:
- matchLabelExpressions:
  - key: topology.kubernetes.io/zone
    values: [us-east-1a, us-east-1b]
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-local
  labels:
    type: local
spec:
  capacity:
    storage: 10Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: fast
  volumeMode: Filesystem
  local:
    path: /mnt/disks/ssd1
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: [node-1]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: default
spec:
  accessModes: [ReadWriteOnce]
  volumeMode: Filesystem
  storageClassName: fast
  resources:
    requests:
      storage: 5Gi
  selector:
    matchLabels:
      type: local
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d9c
  namespace: default
  labels:
    app: web
spec:
  replicas: 3
  minReadySeconds: 5
  selector:
    matchLabels:
      app: web
      pod-template-hash: 5d9c
  template:
    metadata:
      labels:
        app: web
        pod-template-hash: 5d9c
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: ScheduleAnyway
        labelSelector:
          matchLabels:
            app: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: default
spec:
  serviceName: db
  replicas: 2
  podManagementPolicy: OrderedReady
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: db
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      partition: 0
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: postgres
        image: postgres:17
        volumeMounts:
        - name: pgdata
          mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
  - apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: pgdata
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast
      resources:
        requests:
          storage: 1Gi
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: nginx
  namespace: default
spec:
  replicas: 2
  selector:
    app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
  namespace: default
spec:
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      app: web
---
apiVersion: storage.k8s.io/v1
kind: CSIStorageCapacity
metadata:
  name: csisc-abcde
  namespace: kube-system
storageClassName: fast
capacity: 100Gi
maximumVolumeSize: 50Gi
nodeTopology:
  matchLabels:
    topology.kubernetes.io/zone: us-east-1a
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata:
  name: csi-0123abcd
spec:
  attacher: ebs.csi.aws.com
  nodeName: node-1
  source:
    persistentVolumeName: pv-local
)";

class SchedulerKindsTest : public SharedServerTest<> {
 protected:
  // Every object of the manifests exists once the suite's first test ran (kubectl create is not
  // repeatable, and tests may run alone or in any order).
  static void CreateOnce() {
    static bool created = false;
    if (created) return;
    created = true;
    CommandResult r = Kubectl({"create", "-f", "-"}, kManifests);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    std::string expected;
    for (const Kind& k : Kinds()) expected += k.created_line + "\n";
    EXPECT_EQ(r.out, expected);
  }
  void SetUp() override {
    SharedServerTest<>::SetUp();
    CreateOnce();
  }
};

TEST_F(SchedulerKindsTest, CreatedObjectsAreListedAcrossNamespaces) {
  for (const Kind& k : Kinds()) {
    SCOPED_TRACE(k.resource);
    CommandResult r = Kubectl({"get", k.resource, "-A"});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    KubectlTable t = ParseKubectlTable(r.out);
    const auto* row = t.Find(k.name);
    ASSERT_NE(row, nullptr) << r.out;
    EXPECT_EQ(t.columns.front(), k.namespaced ? "NAMESPACE" : "NAME") << r.out;
    // The short name resolves too, and -o json round-trips the manifest's fields.
    if (!k.short_name.empty()) {
      CommandResult s = Kubectl({"get", k.short_name, "-A", "-o", "name"});
      EXPECT_EQ(s.exit_code, 0) << s.Describe();
      EXPECT_NE(s.out.find("/" + k.name + "\n"), std::string::npos) << s.out;
    }
  }
  const std::string ns = "default";
  json::Value sts = KubectlJson(*server_, {"get", "statefulset", "db", "-n", ns});
  const json::Value* templates = sts.FindPath({"spec", "volumeClaimTemplates"});
  ASSERT_NE(templates, nullptr) << json::Write(sts);
  ASSERT_EQ(templates->AsArray().size(), 1u);
  EXPECT_EQ(templates->AsArray()[0].GetString({"spec", "storageClassName"}), "fast");
  json::Value sc = KubectlJson(*server_, {"get", "storageclass", "fast"});
  EXPECT_EQ(sc.GetString({"volumeBindingMode"}), "WaitForFirstConsumer");
  json::Value pdb = KubectlJson(*server_, {"get", "pdb", "web-pdb", "-n", ns});
  EXPECT_EQ(pdb.GetString({"spec", "unhealthyPodEvictionPolicy"}), "AlwaysAllow");
  json::Value pv = KubectlJson(*server_, {"get", "pv", "pv-local"});
  EXPECT_EQ(pv.GetString({"spec", "local", "path"}), "/mnt/disks/ssd1");
}

TEST_F(SchedulerKindsTest, ApiResourcesListsThemWithShortNamesAndCategories) {
  CommandResult r = Kubectl({"api-resources", "-o", "wide"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  KubectlTable t = ParseKubectlTable(r.out);
  for (const Kind& k : Kinds()) {
    SCOPED_TRACE(k.resource);
    const std::map<std::string, std::string>* found = nullptr;
    for (const auto& row : t.rows) {
      if (row.at("NAME") == k.resource && row.at("APIVERSION") == k.api_version) found = &row;
    }
    ASSERT_NE(found, nullptr) << r.out;
    EXPECT_EQ(found->at("SHORTNAMES"), k.short_name);
    EXPECT_EQ(found->at("NAMESPACED"), k.namespaced ? "true" : "false");
    EXPECT_EQ(found->at("KIND"), k.kind);
    EXPECT_EQ(found->at("VERBS"), "create,delete,deletecollection,get,list,patch,update,watch");
    bool in_all = k.resource == "replicasets" || k.resource == "statefulsets" || k.resource == "replicationcontrollers";
    EXPECT_EQ(found->at("CATEGORIES"), in_all ? "all" : "");
  }
  // kubectl explain reads the kinds from the OpenAPI v3 documents.
  for (const char* field : {"statefulset.spec.volumeClaimTemplates.spec.storageClassName", "pdb.spec.minAvailable",
                            "pv.spec.nodeAffinity.required", "csistoragecapacity.maximumVolumeSize",
                            "volumeattachment.spec.source.persistentVolumeName"}) {
    CommandResult explain = Kubectl({"explain", field});
    EXPECT_EQ(explain.exit_code, 0) << field << ": " << explain.Describe();
    EXPECT_NE(explain.out.find("FIELD:"), std::string::npos) << explain.out;
  }
  // "kubectl get all" now reaches the workload kinds.
  CommandResult all = Kubectl({"get", "all", "-A", "-o", "name"});
  ASSERT_EQ(all.exit_code, 0) << all.Describe();
  for (const char* name : {"replicaset.apps/web-5d9c", "statefulset.apps/db", "replicationcontroller/nginx"}) {
    EXPECT_NE(all.out.find(name), std::string::npos) << all.out;
  }
}

// What a reflector does: a cluster-wide list (resourceVersion=0, limit=500), then a watch from the
// list's resourceVersion with bookmarks; and a plain watch, whose initial events hold the object.
TEST_F(SchedulerKindsTest, InformerListThenWatchSucceedsForEveryKind) {
  for (const Kind& k : Kinds()) {
    SCOPED_TRACE(k.resource);
    CommandResult list = Kubectl({"get", "--raw", k.path + "?limit=500&resourceVersion=0"});
    ASSERT_EQ(list.exit_code, 0) << list.Describe();
    json::Value l = ParseJsonOrFail(list.out);
    EXPECT_EQ(l.GetString({"kind"}), k.kind + "List");
    std::string rv = l.GetString({"metadata", "resourceVersion"});
    ASSERT_FALSE(rv.empty()) << list.out;
    const json::Value* items = l.Find("items");
    ASSERT_NE(items, nullptr) << list.out;
    ASSERT_EQ(items->AsArray().size(), 1u) << list.out;
    EXPECT_EQ(items->AsArray()[0].GetString({"metadata", "name"}), k.name);

    CommandResult from_rv = Kubectl(
        {"get", "--raw", StrCat(k.path, "?allowWatchBookmarks=true&resourceVersion=", rv,
                                "&timeoutSeconds=1&watch=true")});
    EXPECT_EQ(from_rv.exit_code, 0) << from_rv.Describe();
    for (const std::string& text : SplitJsonStream(from_rv.out)) {
      json::Value event = ParseJsonOrFail(text);
      EXPECT_EQ(event.GetString({"type"}), "BOOKMARK") << text;  // nothing changed after rv
    }

    CommandResult watch = Kubectl({"get", "--raw", k.path + "?watch=1&timeoutSeconds=1"});
    ASSERT_EQ(watch.exit_code, 0) << watch.Describe();
    std::vector<std::string> events = SplitJsonStream(watch.out);
    ASSERT_EQ(events.size(), 1u) << watch.out;
    json::Value event = ParseJsonOrFail(events[0]);
    EXPECT_EQ(event.GetString({"type"}), "ADDED");
    EXPECT_EQ(event.GetString({"object", "kind"}), k.kind);
    EXPECT_EQ(event.GetString({"object", "metadata", "name"}), k.name);
  }
}

// Controllers write status through the subresource; the main resource keeps it.
TEST_F(SchedulerKindsTest, StatusSubresourceIsWritableAndKeptByMainWrites) {
  CommandResult patched = Kubectl({"patch", "pvc", "data", "-n", "default", "--subresource=status", "--type=merge",
                                   "-p", R"({"status":{"phase":"Bound","capacity":{"storage":"10Gi"}}})"});
  ASSERT_EQ(patched.exit_code, 0) << patched.Describe();
  json::Value pvc = KubectlJson(*server_, {"get", "pvc", "data", "-n", "default"});
  EXPECT_EQ(pvc.GetString({"status", "phase"}), "Bound");
  EXPECT_EQ(pvc.GetString({"status", "capacity", "storage"}), "10Gi");
  MustKubectl({"label", "pvc", "data", "-n", "default", "bound=yes"});
  EXPECT_EQ(KubectlJson(*server_, {"get", "pvc", "data", "-n", "default"}).GetString({"status", "phase"}), "Bound");

  CommandResult rs = Kubectl({"patch", "rs", "web-5d9c", "-n", "default", "--subresource=status", "--type=merge",
                              "-p", R"({"status":{"replicas":3,"readyReplicas":2,"observedGeneration":1}})"});
  ASSERT_EQ(rs.exit_code, 0) << rs.Describe();
  KubectlTable t = ParseKubectlTable(MustKubectl({"get", "rs", "web-5d9c", "-n", "default"}));
  ASSERT_NE(t.Find("web-5d9c"), nullptr);
}

// kubectl's imperative create sends protobuf bodies: the PodDisruptionBudget message decodes
// with upstream's field numbers.
TEST_F(SchedulerKindsTest, ImperativeCreatePodDisruptionBudgetOverProtobuf) {
  CommandResult r = Kubectl({"create", "poddisruptionbudget", "imp-pdb", "--selector=app=imp", "--min-available=2"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "poddisruptionbudget.policy/imp-pdb created\n");
  json::Value pdb = KubectlJson(*server_, {"get", "pdb", "imp-pdb"});
  EXPECT_EQ(pdb.GetString({"spec", "selector", "matchLabels", "app"}), "imp") << json::Write(pdb);
  const json::Value* min = pdb.FindPath({"spec", "minAvailable"});
  ASSERT_NE(min, nullptr) << json::Write(pdb);
  EXPECT_EQ(min->AsInt64(), 2) << json::Write(pdb);
  MustKubectl({"delete", "pdb", "imp-pdb"});
}

}  // namespace
}  // namespace cubelet::testing
