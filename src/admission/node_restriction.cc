#include "admission/node_restriction.h"

#include <map>

#include "absl/strings/str_join.h"
#include "admission/request_util.h"
#include "apierrors/apierrors.h"
#include "authz/go_quote.h"
#include "authz/pod_references.h"
#include "common/strings.h"

namespace cubelet::admission {
namespace {

using authz::GoQuote;

constexpr std::string_view kNodeUserPrefix = "system:node:";
constexpr char kNodeLeaseNamespace[] = "kube-node-lease";

// Upstream's nodeidentifier: a node is system:node:<name> in group system:nodes.
bool NodeIdentity(const auth::UserInfo* user, std::string* name) {
  if (user == nullptr || user->name.rfind(kNodeUserPrefix, 0) != 0 || !user->InGroup("system:nodes")) return false;
  *name = user->name.substr(kNodeUserPrefix.size());
  return true;
}

std::string LabelNamespace(std::string_view key) {
  size_t slash = key.find('/');
  return slash == std::string_view::npos ? "" : std::string(key.substr(0, slash));
}

bool InDomain(std::string_view ns, std::string_view domain) {
  return ns == domain || (ns.size() > domain.size() && ns.substr(ns.size() - domain.size()) == domain &&
                          ns[ns.size() - domain.size() - 1] == '.');
}

bool IsKubernetesLabel(std::string_view key) {
  std::string ns = LabelNamespace(key);
  return InDomain(ns, "kubernetes.io") || InDomain(ns, "k8s.io");
}

// k8s.io/api/core/v1 KubeletLabels and KubeletLabelNamespaces.
bool IsKubeletLabel(std::string_view key) {
  static const std::set<std::string, std::less<>> kLabels = {
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
      "topology.kubernetes.io/region",
      "failure-domain.beta.kubernetes.io/zone",
      "failure-domain.beta.kubernetes.io/region",
      "beta.kubernetes.io/instance-type",
      "node.kubernetes.io/instance-type",
      "kubernetes.io/os",
      "kubernetes.io/arch",
      "beta.kubernetes.io/os",
      "beta.kubernetes.io/arch",
  };
  if (kLabels.find(key) != kLabels.end()) return true;
  std::string ns = LabelNamespace(key);
  return InDomain(ns, "kubelet.kubernetes.io") || InDomain(ns, "node.kubernetes.io");
}

std::map<std::string, std::string> Labels(const json::Value* object) {
  std::map<std::string, std::string> out;
  const json::Value* labels = object == nullptr ? nullptr : object->FindPath({"metadata", "labels"});
  if (labels == nullptr || !labels->is_object()) return out;
  for (const auto& [k, v] : labels->AsObject()) out[k] = v.is_string() ? v.AsString() : "";
  return out;
}

std::set<std::string> ModifiedLabels(const std::map<std::string, std::string>& a,
                                     const std::map<std::string, std::string>& b) {
  std::set<std::string> out;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || it->second != v) out.insert(k);
  }
  for (const auto& [k, v] : b) {
    auto it = a.find(k);
    if (it == a.end() || it->second != v) out.insert(k);
  }
  return out;
}

// Absent, null and empty lists compare equal, as Go's semantic equality has them.
json::Value ListOrEmpty(const json::Value* object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object == nullptr ? nullptr : object->FindPath(path);
  if (v == nullptr || v->is_null()) return json::Value::EmptyArray();
  return *v;
}

const json::Value* NonNull(const json::Value* object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object == nullptr ? nullptr : object->FindPath(path);
  return v == nullptr || v->is_null() ? nullptr : v;
}

}  // namespace

std::set<std::string> ForbiddenNodeLabels(const std::set<std::string>& modified) {
  std::set<std::string> out;
  for (const std::string& key : modified) {
    if (InDomain(LabelNamespace(key), "node-restriction.kubernetes.io")) out.insert(key);
    if (IsKubernetesLabel(key) && !IsKubeletLabel(key)) out.insert(key);
  }
  return out;
}

absl::Status NodeRestriction::Validate(const Request& request, const json::Value* object,
                                       const json::Value* old) const {
  std::string node;
  if (!NodeIdentity(request.user, &node)) return absl::OkStatus();
  if (node.empty()) {
    return ForbiddenFor(request, object, StrCat("could not determine node from user ", GoQuote(request.user->name)));
  }
  if (IsResource(request, "", "pods")) return Pod(node, request, object, old);
  if (IsResource(request, "", "nodes")) return Node(node, request, object, old);
  if (IsResource(request, "", "persistentvolumeclaims") && request.subresource != "status") {
    return ForbiddenFor(request, object, "may only update PVC status");
  }
  if (IsResource(request, "coordination.k8s.io", "leases")) return Lease(node, request, object);
  if (IsResource(request, "storage.k8s.io", "csinodes")) return CSINode(node, request, object);
  return absl::OkStatus();
}

absl::Status NodeRestriction::Pod(const std::string& node, const Request& request, const json::Value* object,
                                  const json::Value* old) const {
  if (request.subresource == "status") return PodStatus(node, request, object, old);
  if (request.subresource == "eviction") return PodEviction(node, request, object, old);
  if (!request.subresource.empty()) {
    return ForbiddenFor(request, object,
                        StrCat("unexpected pod subresource ", GoQuote(request.subresource),
                               ", only 'status' and 'eviction' are allowed"));
  }
  if (request.operation == Operation::kCreate && object != nullptr) return PodCreate(node, request, *object);
  if (request.operation == Operation::kDelete) {
    if (old == nullptr) return apierrors::NotFound({"", "pods"}, request.name);
    if (old->GetString({"spec", "nodeName"}) != node) {
      return ForbiddenFor(request, old,
                          StrCat("node ", GoQuote(node), " can only delete pods with spec.nodeName set to itself"));
    }
    return absl::OkStatus();
  }
  return ForbiddenFor(request, object,
                      StrCat("unexpected operation ", GoQuote(OperationName(request.operation)), ", node ",
                             GoQuote(node), " can only create and delete mirror pods"));
}

absl::Status NodeRestriction::PodCreate(const std::string& node, const Request& request, const json::Value& pod) const {
  const std::string q = GoQuote(node);
  if (!authz::IsMirrorPod(pod)) {
    return ForbiddenFor(request, &pod,
                        StrCat("pod does not have ", GoQuote(authz::kMirrorPodAnnotation), " annotation, node ", q,
                               " can only create mirror pods"));
  }
  if (pod.GetString({"spec", "nodeName"}) != node) {
    return ForbiddenFor(request, &pod, StrCat("node ", q, " can only create pods with spec.nodeName set to itself"));
  }
  const json::Value* owners = pod.FindPath({"metadata", "ownerReferences"});
  size_t count = owners != nullptr && owners->is_array() ? owners->AsArray().size() : 0;
  if (count > 1) {
    return ForbiddenFor(request, &pod,
                        StrCat("node ", q, " can only create pods with a single owner reference set to itself"));
  }
  if (count == 0) {
    return ForbiddenFor(request, &pod,
                        StrCat("node ", q, " can only create pods with an owner reference set to itself"));
  }
  const json::Value& owner = owners->AsArray()[0];
  if (owner.GetString({"apiVersion"}) != "v1" || owner.GetString({"kind"}) != "Node" ||
      owner.GetString({"name"}) != node) {
    return ForbiddenFor(request, &pod,
                        StrCat("node ", q, " can only create pods with an owner reference set to itself"));
  }
  const json::Value* controller = owner.Find("controller");
  if (controller == nullptr || !controller->is_bool() || !controller->AsBool()) {
    return ForbiddenFor(request, &pod,
                        StrCat("node ", q, " can only create pods with a controller owner reference set to itself"));
  }
  const json::Value* block = owner.Find("blockOwnerDeletion");
  if (block != nullptr && block->is_bool() && block->AsBool()) {
    return ForbiddenFor(request, &pod, StrCat("node ", q, " must not set blockOwnerDeletion on an owner reference"));
  }
  std::shared_ptr<const json::Value> node_object = lookup_->Get("", "nodes", "", node);
  if (node_object == nullptr) return apierrors::NotFound({"", "nodes"}, node);
  const std::string node_uid = node_object->GetString({"metadata", "uid"});
  const std::string owner_uid = owner.GetString({"uid"});
  if (owner_uid != node_uid) {
    // Upstream's argument order: "expected" is what the pod claims.
    return ForbiddenFor(request, &pod, StrCat("node ", node, " UID mismatch: expected ", owner_uid, " got ", node_uid));
  }

  if (!pod.GetString({"spec", "serviceAccountName"}).empty()) {
    return ForbiddenFor(request, &pod, StrCat("node ", q, " can not create pods that reference a service account"));
  }
  bool found = false;
  auto any = [&](std::string_view) {
    found = true;
    return false;
  };
  authz::VisitPodSecretNames(pod, any);
  if (found) return ForbiddenFor(request, &pod, StrCat("node ", q, " can not create pods that reference secrets"));
  authz::VisitPodConfigMapNames(pod, any);
  if (found) return ForbiddenFor(request, &pod, StrCat("node ", q, " can not create pods that reference configmaps"));
  const json::Value* volumes = pod.FindPath({"spec", "volumes"});
  if (volumes != nullptr && volumes->is_array()) {
    for (const json::Value& v : volumes->AsArray()) {
      const json::Value* sources = v.FindPath({"projected", "sources"});
      if (sources == nullptr || !sources->is_array()) continue;
      for (const json::Value& s : sources->AsArray()) {
        if (s.Find("clusterTrustBundle") != nullptr) {
          return ForbiddenFor(request, &pod,
                              StrCat("node ", q, " can not create pods that reference clustertrustbundles"));
        }
      }
    }
    for (const json::Value& v : volumes->AsArray()) {
      if (v.Find("persistentVolumeClaim") != nullptr) {
        return ForbiddenFor(request, &pod,
                            StrCat("node ", q, " can not create pods that reference persistentvolumeclaims"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status NodeRestriction::PodStatus(const std::string& node, const Request& request, const json::Value* object,
                                        const json::Value* old) const {
  if (request.operation != Operation::kUpdate || old == nullptr || object == nullptr) {
    return ForbiddenFor(request, object, StrCat("unexpected operation ", GoQuote(OperationName(request.operation))));
  }
  if (old->GetString({"spec", "nodeName"}) != node) {
    return ForbiddenFor(
        request, object,
        StrCat("node ", GoQuote(node), " can only update pod status for pods with spec.nodeName set to itself"));
  }
  if (Labels(old) != Labels(object)) {
    return ForbiddenFor(request, object, StrCat("node ", GoQuote(node), " cannot update labels through pod status"));
  }
  if (!(ListOrEmpty(old, {"status", "resourceClaimStatuses"}) ==
        ListOrEmpty(object, {"status", "resourceClaimStatuses"}))) {
    return ForbiddenFor(request, object, StrCat("node ", GoQuote(node), " cannot update resource claim statues"));
  }
  return absl::OkStatus();
}

absl::Status NodeRestriction::PodEviction(const std::string& node, const Request& request, const json::Value* object,
                                          const json::Value* old) const {
  // An eviction is a create of the pods/eviction subresource upstream; cubelet-server runs it
  // as a delete of the pod, so any operation is taken as that create. The pod is the stored one
  // when the API server passes it, else looked up by the request's name.
  std::shared_ptr<const json::Value> looked_up;
  const json::Value* pod = old;
  if (pod == nullptr) {
    std::string name = request.name;
    if (name.empty() && object != nullptr) name = object->GetString({"metadata", "name"});
    if (name.empty()) return ForbiddenFor(request, object, "could not determine pod from request data");
    looked_up = lookup_->Get("", "pods", request.namespace_, name);
    if (looked_up == nullptr) return apierrors::NotFound({"", "pods"}, name);
    pod = looked_up.get();
  }
  if (pod->GetString({"spec", "nodeName"}) != node) {
    return ForbiddenFor(request, object,
                        StrCat("node ", node, " can only evict pods with spec.nodeName set to itself"));
  }
  return absl::OkStatus();
}

absl::Status NodeRestriction::Node(const std::string& node, const Request& request, const json::Value* object,
                                   const json::Value* old) const {
  const std::string q = GoQuote(node);
  if (request.name != node) {
    return ForbiddenFor(request, object, StrCat("node ", q, " is not allowed to modify node ", GoQuote(request.name)));
  }
  if (request.operation == Operation::kCreate && object != nullptr) {
    if (NonNull(object, {"spec", "configSource"}) != nullptr) {
      return ForbiddenFor(request, object,
                          StrCat("node ", q, " is not allowed to create pods with a non-nil configSource"));
    }
    std::set<std::string> forbidden = ForbiddenNodeLabels(ModifiedLabels(Labels(object), {}));
    if (!forbidden.empty()) {
      return ForbiddenFor(
          request, object,
          StrCat("node ", q, " is not allowed to set the following labels: ", absl::StrJoin(forbidden, ", ")));
    }
  }
  if (request.operation == Operation::kUpdate && object != nullptr && old != nullptr) {
    const json::Value* source = NonNull(object, {"spec", "configSource"});
    const json::Value* old_source = NonNull(old, {"spec", "configSource"});
    if (source != nullptr && (old_source == nullptr || !(*source == *old_source))) {
      return ForbiddenFor(request, object,
                          StrCat("node ", q, " is not allowed to update configSource to a new non-nil configSource"));
    }
    if (!(ListOrEmpty(object, {"spec", "taints"}) == ListOrEmpty(old, {"spec", "taints"}))) {
      return ForbiddenFor(request, object, StrCat("node ", q, " is not allowed to modify taints"));
    }
    std::set<std::string> forbidden = ForbiddenNodeLabels(ModifiedLabels(Labels(object), Labels(old)));
    if (!forbidden.empty()) {
      // Upstream's message names no node here.
      return ForbiddenFor(request, object, StrCat("is not allowed to modify labels: ", absl::StrJoin(forbidden, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::Status NodeRestriction::Lease(const std::string& node, const Request& request, const json::Value* object) const {
  if (request.namespace_ != kNodeLeaseNamespace) {
    return ForbiddenFor(request, object,
                        StrCat("can only access leases in the ", GoQuote(kNodeLeaseNamespace), " system namespace"));
  }
  std::string name = request.operation == Operation::kCreate && object != nullptr
                         ? object->GetString({"metadata", "name"})
                         : request.name;
  if (name != node) {
    return ForbiddenFor(request, object, "can only access node lease with the same name as the requesting node");
  }
  return absl::OkStatus();
}

absl::Status NodeRestriction::CSINode(const std::string& node, const Request& request,
                                      const json::Value* object) const {
  std::string name = request.operation == Operation::kCreate && object != nullptr
                         ? object->GetString({"metadata", "name"})
                         : request.name;
  if (name != node) {
    return ForbiddenFor(request, object, "can only access CSINode with the same name as the requesting node");
  }
  return absl::OkStatus();
}

}  // namespace cubelet::admission
