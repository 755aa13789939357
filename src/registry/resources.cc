#include "registry/resources.h"

#include "common/strings.h"
#include "registry/config_data_strategy.h"
#include "registry/event_strategy.h"
#include "registry/node_strategy.h"
#include "registry/object_meta.h"
#include "registry/pod_strategy.h"
#include "registry/service_strategy.h"

namespace cubelet::registry {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
const std::vector<std::string> kStatusVerbs = {"get", "patch", "update"};
// Upstream's highest priority a user-defined PriorityClass may have.
constexpr int64_t kHighestUserDefinablePriority = 1000000000;

ResourceDefinition Define(std::string group, std::string resource, std::string singular, std::string kind,
                          bool namespaced, std::string schema_type, std::string storage_prefix,
                          std::shared_ptr<const Strategy> strategy) {
  ResourceInfo info;
  info.group = std::move(group);
  info.version = "v1";
  info.resource = std::move(resource);
  info.singular = std::move(singular);
  info.kind = std::move(kind);
  info.namespaced = namespaced;
  info.verbs = kAllVerbs;
  info.schema_type = std::move(schema_type);
  info.storage_prefix = std::move(storage_prefix);
  return {std::move(info), std::move(strategy)};
}

SubresourceInfo Status(const std::string& kind, const std::string& group = "") {
  return {"status", kind, group, "v1", kStatusVerbs};
}

}  // namespace

std::vector<ResourceDefinition> BuiltInResources(absl::Duration event_ttl) {
  auto plain = std::make_shared<PlainStrategy>();
  std::vector<ResourceDefinition> out;

  auto& namespaces = out.emplace_back(Define("", "namespaces", "namespace", "Namespace", false,
                                             "io.k8s.api.core.v1.Namespace", "/registry/namespaces/",
                                             std::make_shared<NamespaceStrategy>()));
  namespaces.info.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  namespaces.info.short_names = {"ns"};
  namespaces.info.has_status = true;
  namespaces.info.return_deleted_object = true;
  namespaces.info.subresources = {Status("Namespace"), {"finalize", "Namespace", "", "v1", {"update"}}};
  namespaces.info.selectable_fields = {"status.phase", "name"};

  auto& nodes = out.emplace_back(Define("", "nodes", "node", "Node", false, "io.k8s.api.core.v1.Node",
                                        "/registry/minions/", std::make_shared<NodeStrategy>()));
  nodes.info.short_names = {"no"};
  nodes.info.has_status = true;
  nodes.info.subresources = {Status("Node")};
  nodes.info.selectable_fields = {"spec.unschedulable"};

  auto& pods = out.emplace_back(Define("", "pods", "pod", "Pod", true, "io.k8s.api.core.v1.Pod", "/registry/pods/",
                                       std::make_shared<PodStrategy>()));
  pods.info.short_names = {"po"};
  pods.info.categories = {"all"};
  pods.info.has_status = true;
  pods.info.return_deleted_object = true;
  pods.info.subresources = {Status("Pod"),
                            {"binding", "Binding", "", "v1", {"create"}},
                            {"eviction", "Eviction", "policy", "v1", {"create"}},
                            {"log", "Pod", "", "v1", {"get"}}};
  pods.info.selectable_fields = kPodSelectableFields;
  pods.info.indexed_field = "spec.nodeName";

  auto& configmaps = out.emplace_back(Define("", "configmaps", "configmap", "ConfigMap", true,
                                             "io.k8s.api.core.v1.ConfigMap", "/registry/configmaps/",
                                             std::make_shared<ConfigMapStrategy>()));
  configmaps.info.short_names = {"cm"};

  auto& secrets = out.emplace_back(Define("", "secrets", "secret", "Secret", true, "io.k8s.api.core.v1.Secret",
                                          "/registry/secrets/", std::make_shared<SecretStrategy>()));
  secrets.info.selectable_fields = {"type"};

  auto& serviceaccounts = out.emplace_back(Define("", "serviceaccounts", "serviceaccount", "ServiceAccount", true,
                                                  "io.k8s.api.core.v1.ServiceAccount", "/registry/serviceaccounts/",
                                                  plain));
  serviceaccounts.info.short_names = {"sa"};
  serviceaccounts.info.return_deleted_object = true;

  auto& services = out.emplace_back(Define("", "services", "service", "Service", true, "io.k8s.api.core.v1.Service",
                                           "/registry/services/specs/", std::make_shared<ServiceStrategy>()));
  services.info.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
  services.info.short_names = {"svc"};
  services.info.categories = {"all"};
  services.info.has_status = true;
  services.info.return_deleted_object = true;
  services.info.subresources = {Status("Service")};

  auto& endpoints = out.emplace_back(Define("", "endpoints", "endpoints", "Endpoints", true,
                                            "io.k8s.api.core.v1.Endpoints", "/registry/services/endpoints/",
                                            std::make_shared<EndpointsStrategy>()));
  endpoints.info.short_names = {"ep"};

  auto& events = out.emplace_back(Define("", "events", "event", "Event", true, "io.k8s.api.core.v1.Event",
                                         "/registry/events/", std::make_shared<EventStrategy>()));
  events.info.short_names = {"ev"};
  events.info.selectable_fields = kEventSelectableFields;
  events.info.ttl = event_ttl;

  // Stored as is for the real kube-scheduler's informers (--disable-scheduler); no controller
  // binds claims, provisions volumes or manages replicas.
  auto& persistentvolumes = out.emplace_back(Define("", "persistentvolumes", "persistentvolume", "PersistentVolume",
                                                    false, "io.k8s.api.core.v1.PersistentVolume",
                                                    "/registry/persistentvolumes/", plain));
  persistentvolumes.info.short_names = {"pv"};
  persistentvolumes.info.has_status = true;
  persistentvolumes.info.subresources = {Status("PersistentVolume")};

  auto& persistentvolumeclaims = out.emplace_back(Define("", "persistentvolumeclaims", "persistentvolumeclaim",
                                                         "PersistentVolumeClaim", true,
                                                         "io.k8s.api.core.v1.PersistentVolumeClaim",
                                                         "/registry/persistentvolumeclaims/", plain));
  persistentvolumeclaims.info.short_names = {"pvc"};
  persistentvolumeclaims.info.has_status = true;
  persistentvolumeclaims.info.subresources = {Status("PersistentVolumeClaim")};

  auto& replicationcontrollers = out.emplace_back(Define("", "replicationcontrollers", "replicationcontroller",
                                                         "ReplicationController", true,
                                                         "io.k8s.api.core.v1.ReplicationController",
                                                         "/registry/controllers/", plain));
  replicationcontrollers.info.short_names = {"rc"};
  replicationcontrollers.info.categories = {"all"};
  replicationcontrollers.info.has_status = true;
  replicationcontrollers.info.subresources = {Status("ReplicationController")};

  auto& replicasets = out.emplace_back(Define("apps", "replicasets", "replicaset", "ReplicaSet", true,
                                              "io.k8s.api.apps.v1.ReplicaSet", "/registry/replicasets/", plain));
  replicasets.info.short_names = {"rs"};
  replicasets.info.categories = {"all"};
  replicasets.info.has_status = true;
  replicasets.info.subresources = {Status("ReplicaSet", "apps")};

  auto& statefulsets = out.emplace_back(Define("apps", "statefulsets", "statefulset", "StatefulSet", true,
                                               "io.k8s.api.apps.v1.StatefulSet", "/registry/statefulsets/", plain));
  statefulsets.info.short_names = {"sts"};
  statefulsets.info.categories = {"all"};
  statefulsets.info.has_status = true;
  statefulsets.info.subresources = {Status("StatefulSet", "apps")};

  auto& leases = out.emplace_back(Define("coordination.k8s.io", "leases", "lease", "Lease", true,
                                         "io.k8s.api.coordination.v1.Lease", "/registry/leases/",
                                         std::make_shared<LeaseStrategy>()));
  (void)leases;

  auto& events_v1 = out.emplace_back(Define("events.k8s.io", "events", "event", "Event", true,
                                            "io.k8s.api.events.v1.Event", "/registry/events/",
                                            std::make_shared<EventStrategy>()));
  events_v1.info.short_names = {"ev"};
  events_v1.info.storage_resource = "events";
  events_v1.info.selectable_fields = kEventSelectableFields;
  events_v1.info.ttl = event_ttl;

  auto& priorityclasses = out.emplace_back(Define("scheduling.k8s.io", "priorityclasses", "priorityclass",
                                                  "PriorityClass", false, "io.k8s.api.scheduling.v1.PriorityClass",
                                                  "/registry/priorityclasses/",
                                                  std::make_shared<PriorityClassStrategy>()));
  priorityclasses.info.short_names = {"pc"};

  auto& poddisruptionbudgets = out.emplace_back(Define("policy", "poddisruptionbudgets", "poddisruptionbudget",
                                                       "PodDisruptionBudget", true,
                                                       "io.k8s.api.policy.v1.PodDisruptionBudget",
                                                       "/registry/poddisruptionbudgets/", plain));
  poddisruptionbudgets.info.short_names = {"pdb"};
  poddisruptionbudgets.info.has_status = true;
  poddisruptionbudgets.info.subresources = {Status("PodDisruptionBudget", "policy")};

  out.push_back(Define("storage.k8s.io", "csinodes", "csinode", "CSINode", false, "io.k8s.api.storage.v1.CSINode",
                       "/registry/csinodes/", plain));
  out.push_back(Define("storage.k8s.io", "csidrivers", "csidriver", "CSIDriver", false,
                       "io.k8s.api.storage.v1.CSIDriver", "/registry/csidrivers/", plain));
  auto& storageclasses = out.emplace_back(Define("storage.k8s.io", "storageclasses", "storageclass", "StorageClass",
                                                 false, "io.k8s.api.storage.v1.StorageClass",
                                                 "/registry/storageclasses/", plain));
  storageclasses.info.short_names = {"sc"};
  auto& volumeattachments = out.emplace_back(Define("storage.k8s.io", "volumeattachments", "volumeattachment",
                                                    "VolumeAttachment", false, "io.k8s.api.storage.v1.VolumeAttachment",
                                                    "/registry/volumeattachments/", plain));
  volumeattachments.info.has_status = true;
  volumeattachments.info.subresources = {Status("VolumeAttachment", "storage.k8s.io")};
  out.push_back(Define("storage.k8s.io", "csistoragecapacities", "csistoragecapacity", "CSIStorageCapacity", true,
                       "io.k8s.api.storage.v1.CSIStorageCapacity", "/registry/csistoragecapacities/", plain));
  out.push_back(Define("node.k8s.io", "runtimeclasses", "runtimeclass", "RuntimeClass", false,
                       "io.k8s.api.node.v1.RuntimeClass", "/registry/runtimeclasses/",
                       std::make_shared<RuntimeClassStrategy>()));
  return out;
}

void PriorityClassStrategy::Default(json::Value* object) const {
  if (object->GetString({"preemptionPolicy"}).empty()) object->Set("preemptionPolicy", "PreemptLowerPriority");
}

FieldErrors PriorityClassStrategy::Validate(const json::Value& object) const {
  FieldErrors errors;
  const json::Value* value = object.Find("value");
  std::string name = object.GetString({"metadata", "name"});
  bool system = name.rfind("system-", 0) == 0;
  if (value == nullptr || !value->AsInt64()) {
    errors.push_back(apierrors::RequiredCause("value"));
  } else if (!system && *value->AsInt64() > kHighestUserDefinablePriority) {
    errors.push_back(apierrors::ForbiddenCause(
        "value", StrCat("maximum allowed value of a user defined priority is ", kHighestUserDefinablePriority)));
  }
  std::string policy = object.GetString({"preemptionPolicy"});
  if (policy != "PreemptLowerPriority" && policy != "Never") {
    errors.push_back(apierrors::NotSupportedCause("preemptionPolicy", json::Value(policy), {"Never", "PreemptLowerPriority"}));
  }
  return errors;
}

FieldErrors PriorityClassStrategy::ValidateUpdate(const json::Value& object, const json::Value& old) const {
  FieldErrors errors = Validate(object);
  const json::Value* a = object.Find("value");
  const json::Value* b = old.Find("value");
  if (a != nullptr && b != nullptr && !(*a == *b)) {
    errors.push_back(apierrors::ForbiddenCause("value", "may not be changed in an update."));
  }
  return errors;
}

FieldErrors RuntimeClassStrategy::Validate(const json::Value& object) const {
  FieldErrors errors;
  std::string handler = object.GetString({"handler"});
  if (handler.empty()) {
    errors.push_back(apierrors::RequiredCause("handler"));
  } else {
    for (const std::string& m : DnsLabelErrors(handler)) {
      errors.push_back(apierrors::InvalidCause("handler", json::Value(handler), m));
    }
  }
  return errors;
}

FieldErrors RuntimeClassStrategy::ValidateUpdate(const json::Value& object, const json::Value& old) const {
  FieldErrors errors = Validate(object);
  if (object.GetString({"handler"}) != old.GetString({"handler"})) {
    errors.push_back(apierrors::InvalidCause("handler", json::Value(object.GetString({"handler"})), "field is immutable"));
  }
  return errors;
}

}  // namespace cubelet::registry
