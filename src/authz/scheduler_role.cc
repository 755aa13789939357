#include "authz/scheduler_role.h"

#include <algorithm>
#include <string>
#include <vector>

namespace cubelet::authz {
namespace {

constexpr std::string_view kLeaseName = "kube-scheduler";  // its leader-election lock

using Names = std::vector<std::string_view>;

struct Rule {
  std::string_view group;
  Names resources;  // "pods/binding" names a subresource
  Names verbs;
};

const Names kRead = {"get", "list", "watch"};

// Upstream 1.32's bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), without
// the rules limited to resource names, which Allows handles.
const std::vector<Rule> kRules = {
    {"", {"events"}, {"create", "patch", "update"}},
    {"events.k8s.io", {"events"}, {"create", "patch", "update"}},
    {"", {"nodes"}, kRead},
    {"", {"pods"}, {"delete", "get", "list", "watch"}},
    {"", {"bindings", "pods/binding"}, {"create"}},
    {"", {"pods/status"}, {"patch", "update"}},
    {"", {"replicationcontrollers", "services"}, kRead},
    {"apps", {"replicasets", "statefulsets"}, kRead},
    {"policy", {"poddisruptionbudgets"}, kRead},
    {"", {"persistentvolumeclaims", "persistentvolumes"}, {"get", "list", "watch", "patch", "update"}},
    {"authentication.k8s.io", {"tokenreviews"}, {"create"}},
    {"authorization.k8s.io", {"subjectaccessreviews"}, {"create"}},
    {"storage.k8s.io", {"csinodes", "csidrivers", "csistoragecapacities", "storageclasses", "volumeattachments"},
     kRead},
    {"", {"namespaces"}, kRead},
    {"coordination.k8s.io", {"leases"}, {"create"}},
    {"", {"endpoints"}, {"create"}},
};

bool Contains(const Names& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

bool SchedulerRoleAllows(const Attributes& a) {
  if (!a.resource_request) return false;
  const std::string resource = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  for (const Rule& rule : kRules) {
    if (rule.group == a.api_group && Contains(rule.resources, resource) && Contains(rule.verbs, a.verb)) return true;
  }
  // Its own leader-election lock (and the legacy Endpoints lock) by name.
  if ((a.api_group == "coordination.k8s.io" && a.resource == "leases") ||
      (a.api_group.empty() && a.resource == "endpoints")) {
    if (a.subresource.empty() && a.name == kLeaseName && (a.verb == "get" || a.verb == "update")) return true;
  }
  // extension-apiserver-authentication-reader: the client CA configmap in kube-system.
  return a.api_group.empty() && a.resource == "configmaps" && a.subresource.empty() &&
         a.namespace_ == "kube-system" && Contains(kRead, a.verb);
}

}  // namespace cubelet::authz
