// A small schema shaped like core/v1's Pod, for decode and OpenAPI tests.
#pragma once

#include "gtest/gtest.h"
#include "schema/schema.h"

namespace cubelet::schema::testing {

inline constexpr char kTestMeta[] = R"(package io.k8s.apimachinery.pkg.apis.meta.v1
type ObjectMeta "Standard metadata."
  name  string  "Name."
  generation  int64  "Generation."
  creationTimestamp  date-time  "Created."
  labels  map[string]string  "Labels."
  ownerReferences  []OwnerReference  merge(uid)  map(uid)  "Owners."
  finalizers  []string  merge  set  "Finalizers."
  managedFields  []ManagedFieldsEntry  atomic  "Managers."
type OwnerReference atomic "Owner."
  uid  string  required  "UID."
  controller  boolean  "Controller."
type ManagedFieldsEntry "Entry."
  manager  string  "Manager."
  fieldsV1  any  "Fields."
)";

inline constexpr char kTestCore[] = R"(package io.k8s.api.core.v1
type Pod gvk(,v1,Pod) "Pod is a collection of containers."
  metadata  io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta  "Standard object's metadata."
  spec  PodSpec  "Specification of the pod."
type PodSpec "PodSpec describes a pod."
  containers  []Container  merge(name)  map(name)  required  "Containers."
  nodeSelector  map[string]string  atomic  "Node selector."
  overhead  map[string]quantity  "Overhead."
  templates  map[string]Container  "Named containers (a map of structs, for tests)."
  restartPolicy  string  enum(Always,OnFailure,Never)  "Restart policy."
  priority  int32  "Priority."
  activeDeadlineSeconds  int64  "Deadline."
  hostNetwork  boolean  "Host network."
  weight  float64  "Weight."
  extra  object  "Free-form."
  raw  any  "Anything."
type Container "A container."
  name  string  required  "Name."
  args  []string  atomic  "Arguments."
  ports  []ContainerPort  merge(containerPort)  map(containerPort,protocol)  "Ports."
  livenessProbe  Probe  "Probe."
type ContainerPort "A port."
  containerPort  int32  required  "Port."
  protocol  string  "Protocol."
type Probe "A probe."
  port  int-or-string  "Port."
type Secret gvk(,v1,Secret) "Secret."
  data  map[string]byte  "Data."
  key  byte  "One key."
type Lease gvk(coordination.k8s.io,v1,Lease) "Lease."
  renewTime  micro-time  "Renewed."
type Node "A recursive type."
  child  Node  "Child."
  name  string  "Name."
)";

inline const Schema& TestSchema() {
  static const Schema* schema = [] {
    auto parsed = Schema::Parse({{"core.schema", kTestCore}, {"meta.schema", kTestMeta}});
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return new Schema(parsed.ok() ? std::move(*parsed) : Schema());
  }();
  return *schema;
}

}  // namespace cubelet::schema::testing
