// system:kube-scheduler's fixed roles: upstream's system:kube-scheduler and
// system:volume-scheduler ClusterRoles and the extension-apiserver-authentication reader.
#include "authz/scheduler_role.h"

#include <gtest/gtest.h>

namespace cubelet::authz {
namespace {

Attributes Request(std::string verb, std::string group, std::string resource, std::string subresource = "",
                   std::string namespace_ = "", std::string name = "") {
  Attributes a;
  a.verb = std::move(verb);
  a.resource_request = true;
  a.api_group = std::move(group);
  a.resource = std::move(resource);
  a.subresource = std::move(subresource);
  a.namespace_ = std::move(namespace_);
  a.name = std::move(name);
  return a;
}

TEST(SchedulerRoleTest, AllowsWhatKubeSchedulerReadsAndWrites) {
  for (const Attributes& a : {Request("watch", "", "pods"), Request("list", "", "nodes"),
                              Request("create", "", "pods", "binding", "default", "web"),
                              Request("patch", "", "pods", "status", "default", "web"),
                              Request("delete", "", "pods", "", "default", "victim"),
                              Request("list", "apps", "replicasets"), Request("watch", "policy", "poddisruptionbudgets"),
                              Request("update", "", "persistentvolumeclaims", "", "default", "claim"),
                              Request("list", "storage.k8s.io", "csistoragecapacities"),
                              Request("create", "events.k8s.io", "events", "", "default"),
                              Request("create", "coordination.k8s.io", "leases", "", "kube-system"),
                              Request("update", "coordination.k8s.io", "leases", "", "kube-system", "kube-scheduler"),
                              Request("get", "", "configmaps", "", "kube-system", "extension-apiserver-authentication")}) {
    EXPECT_TRUE(SchedulerRoleAllows(a)) << a.verb << " " << a.api_group << "/" << a.resource << "/" << a.subresource;
  }
}

TEST(SchedulerRoleTest, RefusesEverythingElse) {
  for (const Attributes& a : {Request("list", "", "secrets"), Request("delete", "", "nodes", "", "", "n1"),
                              Request("update", "", "pods", "", "default", "web"),
                              Request("create", "", "pods", "", "default"),
                              Request("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "n1"),
                              Request("get", "", "configmaps", "", "default", "app-config"),
                              Request("update", "", "nodes", "status", "", "n1")}) {
    EXPECT_FALSE(SchedulerRoleAllows(a)) << a.verb << " " << a.api_group << "/" << a.resource << "/" << a.subresource;
  }
}

}  // namespace
}  // namespace cubelet::authz
