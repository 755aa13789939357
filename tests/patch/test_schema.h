// A small schema for the patch tests: the parts of Pod, Node, ConfigMap and ObjectMeta whose
// merge semantics matter, written as upstream declares them (patch strategies, merge keys, list
// types). Tests against the full built-in tables live in builtin_patch_test.cc.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/value.h"
#include "json/write.h"
#include "schema/schema.h"

namespace cubelet::json {
// Lets gtest print values in failure messages.
inline void PrintTo(const Value& v, std::ostream* os) { *os << Write(v); }
}  // namespace cubelet::json

namespace cubelet::patch::testing {

inline constexpr char kPodType[] = "io.k8s.api.core.v1.Pod";
inline constexpr char kNodeType[] = "io.k8s.api.core.v1.Node";
inline constexpr char kConfigMapType[] = "io.k8s.api.core.v1.ConfigMap";

inline constexpr char kMetaSchema[] = R"(package io.k8s.apimachinery.pkg.apis.meta.v1
type ObjectMeta "Metadata."
  name  string  "Name."
  namespace  string  "Namespace."
  uid  string  "UID."
  resourceVersion  string  "Resource version."
  generation  int64  "Generation."
  creationTimestamp  date-time  "Creation time."
  deletionTimestamp  date-time  "Deletion time."
  labels  map[string]string  "Labels."
  annotations  map[string]string  "Annotations."
  finalizers  []string  merge  set  "Finalizers."
  ownerReferences  []OwnerReference  merge(uid)  map(uid)  "Owners."
  managedFields  []ManagedFieldsEntry  atomic  "Managed fields."

type OwnerReference "An owner."
  apiVersion  string  "API version."
  kind  string  "Kind."
  name  string  "Name."
  uid  string  required  "UID."

type ManagedFieldsEntry "A managed fields entry."
  manager  string  "Manager."
  operation  string  "Operation."
  apiVersion  string  "API version."
  time  date-time  "Time."
  fieldsType  string  "Fields type."
  fieldsV1  object  "Fields."
  subresource  string  "Subresource."
)";

inline constexpr char kCoreSchema[] = R"(package io.k8s.api.core.v1
type Pod gvk(,v1,Pod) "Pod."
  apiVersion  string  "API version."
  kind  string  "Kind."
  metadata  io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta  "Metadata."
  spec  PodSpec  "Spec."
  status  PodStatus  "Status."

type PodSpec "Pod spec."
  containers  []Container  merge(name)  map(name)  "Containers."
  volumes  []Volume  merge(name)  retainKeys  map(name)  "Volumes."
  tolerations  []Toleration  atomic  "Tolerations."
  nodeSelector  map[string]string  atomic  "Node selector."
  nodeName  string  "Node name."
  restartPolicy  string  "Restart policy."
  securityContext  PodSecurityContext  "Security context."

type Container "Container."
  name  string  required  "Name."
  image  string  "Image."
  args  []string  atomic  "Arguments."
  env  []EnvVar  merge(name)  map(name)  "Environment."
  ports  []ContainerPort  merge(containerPort)  map(containerPort,protocol)  "Ports."
  resources  ResourceRequirements  "Resources."

type EnvVar "Environment variable."
  name  string  required  "Name."
  value  string  "Value."
  valueFrom  EnvVarSource  "Source."

type EnvVarSource "Source."
  fieldRef  ObjectFieldSelector  "Field."

type ObjectFieldSelector atomic "Selector."
  apiVersion  string  "API version."
  fieldPath  string  "Path."

type ContainerPort "Port."
  name  string  "Name."
  containerPort  int32  required  "Port."
  protocol  string  "Protocol."
  hostPort  int32  "Host port."

type ResourceRequirements "Resources."
  limits  map[string]quantity  "Limits."
  requests  map[string]quantity  "Requests."

type Volume "Volume."
  name  string  required  "Name."
  emptyDir  EmptyDirVolumeSource  "Empty dir."
  hostPath  HostPathVolumeSource  "Host path."

type EmptyDirVolumeSource "Empty dir."
  medium  string  "Medium."

type HostPathVolumeSource "Host path."
  path  string  "Path."
  type  string  "Type."

type Toleration "Toleration."
  key  string  "Key."
  operator  string  "Operator."
  effect  string  "Effect."

type PodSecurityContext "Security context."
  runAsUser  int64  "User."
  runAsGroup  int64  "Group."

type PodStatus "Pod status."
  phase  string  "Phase."
  conditions  []PodCondition  merge(type)  map(type)  "Conditions."
  podIP  string  "Pod IP."
  podIPs  []PodIP  merge(ip)  map(ip)  "Pod IPs."
  containerStatuses  []ContainerStatus  atomic  "Container statuses."

type PodCondition "Condition."
  type  string  required  "Type."
  status  string  "Status."
  lastProbeTime  date-time  "Probe time."
  lastTransitionTime  date-time  "Transition time."
  reason  string  "Reason."

type PodIP "Pod IP."
  ip  string  required  "IP."

type ContainerStatus "Container status."
  name  string  "Name."
  ready  boolean  "Ready."
  restartCount  int32  "Restarts."
  image  string  "Image."

type Node gvk(,v1,Node) "Node."
  apiVersion  string  "API version."
  kind  string  "Kind."
  metadata  io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta  "Metadata."
  spec  NodeSpec  "Spec."
  status  NodeStatus  "Status."

type NodeSpec "Node spec."
  unschedulable  boolean  "Unschedulable."
  podCIDR  string  "Pod CIDR."

type NodeStatus "Node status."
  capacity  map[string]quantity  "Capacity."
  conditions  []NodeCondition  merge(type)  map(type)  "Conditions."
  addresses  []NodeAddress  merge(type)  map(type)  "Addresses."
  images  []ContainerImage  atomic  "Images."

type NodeCondition "Condition."
  type  string  required  "Type."
  status  string  "Status."
  lastHeartbeatTime  date-time  "Heartbeat."
  lastTransitionTime  date-time  "Transition."
  reason  string  "Reason."

type NodeAddress "Address."
  type  string  required  "Type."
  address  string  required  "Address."

type ContainerImage "Image."
  names  []string  atomic  "Names."
  sizeBytes  int64  "Size."

type ConfigMap gvk(,v1,ConfigMap) "Config map."
  apiVersion  string  "API version."
  kind  string  "Kind."
  metadata  io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta  "Metadata."
  data  map[string]string  "Data."
  extra  any  "A free-form value (for tests)."
  settings  object  "A free-form object (for tests)."
)";

inline const schema::Schema& TestSchema() {
  static const schema::Schema* const schema = [] {
    auto parsed = schema::Schema::Parse({{"meta_v1.schema", kMetaSchema}, {"core_v1.schema", kCoreSchema}});
    if (!parsed.ok()) {
      ADD_FAILURE() << parsed.status();
      return new schema::Schema();
    }
    return new schema::Schema(*std::move(parsed));
  }();
  return *schema;
}

// Parses JSON written in a test; a typo fails the test.
inline json::Value J(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << " in " << text;
  return v.ok() ? *std::move(v) : json::Value();
}

}  // namespace cubelet::patch::testing
