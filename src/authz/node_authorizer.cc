#include "authz/node_authorizer.h"

#include "selectors/selectors.h"

#include <algorithm>
#include <initializer_list>
#include <string>

#include "authz/pod_references.h"
#include "common/strings.h"

namespace cubelet::authz {
namespace {

constexpr char kNodeLeaseNamespace[] = "kube-node-lease";

// One rule of the system:node ClusterRole for the resources the node authorizer does not
// subdivide. `resources` are "resource" or "resource/subresource".
struct StaticRule {
  std::initializer_list<std::string_view> verbs;
  std::initializer_list<std::string_view> groups;
  std::initializer_list<std::string_view> resources;
};

bool In(std::initializer_list<std::string_view> list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// Upstream's NodeRules() as of v1.32, minus the kinds handled above them (nodes, pods,
// secrets, configmaps, persistent volumes and claims, service account tokens, leases,
// csinodes, volume attachments). Two additions for cubelet-server: nodes read namespaces and
// list/watch endpoints (upstream: get only), and events may be written through events.k8s.io
// as well as the core group.
const StaticRule kNodeRules[] = {
    {{"create"}, {"authentication.k8s.io"}, {"tokenreviews"}},
    {{"create"}, {"authorization.k8s.io"}, {"subjectaccessreviews", "localsubjectaccessreviews"}},
    {{"get", "list", "watch"}, {""}, {"services", "endpoints", "namespaces"}},
    {{"create", "update", "patch"}, {"", "events.k8s.io"}, {"events"}},
    {{"create", "get", "list", "watch"}, {"certificates.k8s.io"}, {"certificatesigningrequests"}},
    {{"get", "list", "watch"}, {"storage.k8s.io"}, {"csidrivers"}},
    {{"get", "list", "watch"}, {"node.k8s.io"}, {"runtimeclasses"}},
};

bool StaticRulesAllow(const Attributes& a) {
  std::string resource = a.subresource.empty() ? a.resource : StrCat(a.resource, "/", a.subresource);
  for (const StaticRule& rule : kNodeRules) {
    if (In(rule.verbs, a.verb) && In(rule.groups, a.api_group) && In(rule.resources, resource)) return true;
  }
  return false;
}

AuthorizationResult Allow() { return {Decision::kAllow, ""}; }
AuthorizationResult NoOpinion(std::string reason) { return {Decision::kNoOpinion, std::move(reason)}; }

std::string NoRelationship(std::string_view node) {
  return StrCat("no relationship found between node '", node, "' and this object");
}

}  // namespace

AuthorizationResult NodeAuthorizer::Authorize(std::string_view node, const Attributes& a) const {
  if (a.resource_request) {
    const std::string& g = a.api_group;
    const std::string& r = a.resource;
    if (g.empty() && r == "secrets") return ReadNamespacedObject(node, Target::kSecret, a);
    if (g.empty() && r == "configmaps") return ReadNamespacedObject(node, Target::kConfigMap, a);
    if (g.empty() && r == "persistentvolumeclaims") {
      return a.subresource == "status" ? StatusUpdate(node, Target::kClaim, a) : Get(node, Target::kClaim, a);
    }
    // Kinds cubelet-server does not serve, whose graph edges can therefore never exist.
    if ((g.empty() && r == "persistentvolumes") || (g == "storage.k8s.io" && r == "volumeattachments") ||
        (g == "resource.k8s.io" && r == "resourceclaims")) {
      return Get(node, Target::kUnserved, a);
    }
    if (g.empty() && r == "serviceaccounts") {
      // Upstream lets nodes only request tokens; cubelet-server also lets a node read the
      // service accounts of its pods, as it does their secrets.
      return a.subresource == "token" ? CreateToken(node, a) : ReadNamespacedObject(node, Target::kServiceAccount, a);
    }
    if (g == "coordination.k8s.io" && r == "leases") return Lease(node, a);
    if (g == "storage.k8s.io" && r == "csinodes") return CSINode(node, a);
    if (g.empty() && r == "nodes") return Node(node, a);
    if (g.empty() && r == "pods") return Pod(node, a);
  }
  if (StaticRulesAllow(a)) return Allow();
  return NoOpinion("");
}

AuthorizationResult NodeAuthorizer::ReadNamespacedObject(std::string_view node, Target target,
                                                         const Attributes& a) const {
  if (a.verb != "get" && a.verb != "list" && a.verb != "watch") {
    return NoOpinion("can only read resources of this type");
  }
  if (!a.subresource.empty()) return NoOpinion("cannot read subresource");
  if (a.namespace_.empty()) return NoOpinion("can only read namespaced object of this type");
  return Related(node, target, a);
}

AuthorizationResult NodeAuthorizer::Get(std::string_view node, Target target, const Attributes& a) const {
  if (a.verb != "get") return NoOpinion("can only get individual resources of this type");
  if (!a.subresource.empty()) return NoOpinion("cannot get subresource");
  return Related(node, target, a);
}

AuthorizationResult NodeAuthorizer::StatusUpdate(std::string_view node, Target target, const Attributes& a) const {
  if (a.verb != "update" && a.verb != "patch") return NoOpinion("can only get/update/patch this type");
  if (a.subresource != "status") return NoOpinion("can only update status subresource");
  return Related(node, target, a);
}

AuthorizationResult NodeAuthorizer::CreateToken(std::string_view node, const Attributes& a) const {
  if (a.verb != "create" || a.name.empty()) return NoOpinion("can only create tokens for individual service accounts");
  if (a.subresource != "token") return NoOpinion("can only create token subresource of serviceaccount");
  if (!HasPath(node, Target::kServiceAccount, a.namespace_, a.name)) return NoOpinion(NoRelationship(node));
  return Allow();
}

AuthorizationResult NodeAuthorizer::Lease(std::string_view node, const Attributes& a) const {
  const std::string& verb = a.verb;
  if (verb != "get" && verb != "create" && verb != "update" && verb != "patch" && verb != "delete") {
    return NoOpinion("can only get, create, update, patch, or delete a node lease");
  }
  if (a.namespace_ != kNodeLeaseNamespace) {
    return NoOpinion(StrCat("can only access leases in the \"", kNodeLeaseNamespace, "\" system namespace"));
  }
  // A create names its lease only in the body; NodeRestriction checks it there.
  if (verb != "create" && a.name != node) {
    return NoOpinion("can only access node lease with the same name as the requesting node");
  }
  return Allow();
}

AuthorizationResult NodeAuthorizer::CSINode(std::string_view node, const Attributes& a) const {
  const std::string& verb = a.verb;
  if (verb != "get" && verb != "create" && verb != "update" && verb != "patch" && verb != "delete") {
    return NoOpinion("can only get, create, update, patch, or delete a CSINode");
  }
  if (!a.subresource.empty()) return NoOpinion("cannot authorize CSINode subresources");
  if (verb != "create" && a.name != node) {
    return NoOpinion("can only access CSINode with the same name as the requesting node");
  }
  return Allow();
}

AuthorizationResult NodeAuthorizer::Node(std::string_view node, const Attributes& a) const {
  if (a.subresource.empty()) {
    // Writes are narrowed to the node's own object by NodeRestriction.
    if (a.verb == "create" || a.verb == "update" || a.verb == "patch") return Allow();
    if (a.verb == "get" || a.verb == "list" || a.verb == "watch") {
      // By name rather than through pods, so a kubelet can read its Node before creating it.
      if (a.name == node) return Allow();
      if (a.name.empty()) return NoOpinion(StrCat("node '", node, "' cannot read all nodes, only its own Node object"));
      return NoOpinion(StrCat("node '", node, "' cannot read '", a.name, "', only its own Node object"));
    }
  } else if (a.subresource == "status" && (a.verb == "update" || a.verb == "patch")) {
    return Allow();
  }
  return NoOpinion("");
}

AuthorizationResult NodeAuthorizer::Pod(std::string_view node, const Attributes& a) const {
  if (a.subresource.empty()) {
    if (a.verb == "get") return Get(node, Target::kPod, a);
    if (a.verb == "list" || a.verb == "watch") {
      // As upstream 1.32 (AuthorizeNodeWithSelectors, on by default): only the node's own pods,
      // pinned by a spec.nodeName=<node> field selector, or one related pod by metadata.name.
      if (!a.name.empty()) return Related(node, Target::kPod, a);
      auto selector = selectors::FieldSelector::Parse(a.field_selector);
      if (selector.ok() && selector->RequiresExactMatch("spec.nodeName") == std::string(node)) return Allow();
      return NoOpinion(StrCat("can only list/watch pods with spec.nodeName field selector"));
    }
    // Mirror pod creation and deletion of bound pods are checked by NodeRestriction.
    if (a.verb == "create" || a.verb == "delete") return Allow();
  } else if (a.subresource == "status") {
    if (a.verb == "update" || a.verb == "patch") return Allow();
  } else if (a.subresource == "eviction") {
    if (a.verb == "create") return Allow();
  }
  return NoOpinion("");
}

AuthorizationResult NodeAuthorizer::Related(std::string_view node, Target target, const Attributes& a) const {
  if (a.name.empty()) return NoOpinion("No Object name found");
  if (!HasPath(node, target, a.namespace_, a.name)) return NoOpinion(NoRelationship(node));
  return Allow();
}

bool NodeAuthorizer::HasPath(std::string_view node, Target target, std::string_view namespace_,
                             std::string_view name) const {
  if (graph_ == nullptr || target == Target::kUnserved) return false;
  for (const auto& pod : graph_->PodsOnNode(node)) {
    if (pod == nullptr || pod->GetString({"metadata", "namespace"}) != namespace_) continue;
    if (target == Target::kPod) {
      if (pod->GetString({"metadata", "name"}) == name) return true;
      continue;
    }
    // A node creates its mirror pods itself, so they must never grant it anything.
    if (IsMirrorPod(*pod)) continue;
    switch (target) {
      case Target::kSecret:
        if (PodReferencesSecret(*pod, name)) return true;
        break;
      case Target::kConfigMap:
        if (PodReferencesConfigMap(*pod, name)) return true;
        break;
      case Target::kClaim:
        if (PodReferencesClaim(*pod, name)) return true;
        break;
      case Target::kServiceAccount:
        if (pod->GetString({"spec", "serviceAccountName"}) == name) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

}  // namespace cubelet::authz
