// Owns: who may do what (upstream apiserver/pkg/authorization): request attributes, the
// Authorizer interface, system:masters' unconditional access, discovery for every
// authenticated user, and the Node authorizer (upstream plugin/pkg/auth/authorizer/node plus
// the system:node role): a node reads nodes, pods, services, endpoints, namespaces, csidrivers
// and runtimeclasses, reads only the configmaps, secrets, serviceaccounts and
// persistentvolumeclaims that pods bound to it reference, and writes its own Node, Lease and
// CSINode, events, and the status and deletion of its pods; system:kube-scheduler gets upstream's
// scheduler roles (scheduler_role.h). Everything else is denied with upstream's message.
// Does not own: what a permitted write may contain (admission/'s NodeRestriction checks the
// objects), identities (authenticator.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "json/value.h"

namespace cubelet::authz {

// What is asked (upstream authorizer.AttributesRecord).
struct Attributes {
  const auth::UserInfo* user = nullptr;
  std::string verb;  // get, list, watch, create, update, patch, delete, deletecollection; or the
                     // lower-case HTTP method for non-resource requests
  bool resource_request = false;
  std::string path;  // non-resource requests: "/api", "/version", "/openapi/v3/api/v1"
  std::string api_group;
  std::string api_version;
  std::string resource;
  std::string subresource;
  std::string namespace_;
  std::string name;  // for list/watch, the name a metadata.name field selector pins
  // For list, watch and deletecollection: the request's fieldSelector as sent (upstream 1.32
  // authorizes with selectors: a node lists and watches only pods with spec.nodeName=<itself>).
  std::string field_selector;
};

enum class Decision { kAllow, kDeny, kNoOpinion };

struct AuthorizationResult {
  Decision decision = Decision::kNoOpinion;
  std::string reason;  // appended to the Forbidden message ("no relationship found between ...")
};

// Thread-safe.
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual AuthorizationResult Authorize(const Attributes& attributes) const = 0;
};

// What the node authorizer needs to know about the cluster: the pods bound to a node.
class NodeGraph {
 public:
  virtual ~NodeGraph() = default;
  // The pods whose spec.nodeName is `node` (current state, any namespace).
  virtual std::vector<std::shared_ptr<const json::Value>> PodsOnNode(std::string_view node) const = 0;
};

// system:masters may do anything; authenticated users may read discovery, version, health
// and OpenAPI; nodes as described above; everyone else is denied.
std::unique_ptr<Authorizer> NewAuthorizer(const NodeGraph* graph);

// The 403 message upstream writes: 'User "system:node:n1" cannot get resource "secrets" in API
// group "" in the namespace "default"' followed by ": <reason>" when there is one.
std::string ForbiddenMessage(const Attributes& attributes, std::string_view reason);

// The node name of a node's user ("system:node:n1" in group system:nodes), or "".
std::string NodeNameOf(const auth::UserInfo& user);

}  // namespace cubelet::authz
