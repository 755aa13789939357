// Owns: the Node authorizer (upstream plugin/pkg/auth/authorizer/node/node_authorizer.go, v1.32
// with AuthorizeNodeWithSelectors on, plus the system:node role's static rules): what a kubelet
// identity may do, decided from the request attributes and the pods bound to the node.
// Does not own: who is a node (NodeNameOf in authorizer.h), what written objects may contain
// (admission's NodeRestriction), the discovery rules every user has (authorizer.cc).
#pragma once

#include <string_view>

#include "authz/authorizer.h"

namespace cubelet::authz {

// Thread-safe (stateless apart from the graph, which is thread-safe).
class NodeAuthorizer {
 public:
  explicit NodeAuthorizer(const NodeGraph* graph) : graph_(graph) {}

  // kAllow, or kNoOpinion with upstream's reason (possibly empty). `node` is the node's name
  // (non-empty).
  AuthorizationResult Authorize(std::string_view node, const Attributes& a) const;

 private:
  enum class Target { kSecret, kConfigMap, kClaim, kServiceAccount, kPod, kUnserved };

  AuthorizationResult ReadNamespacedObject(std::string_view node, Target target, const Attributes& a) const;
  AuthorizationResult Get(std::string_view node, Target target, const Attributes& a) const;
  AuthorizationResult StatusUpdate(std::string_view node, Target target, const Attributes& a) const;
  AuthorizationResult CreateToken(std::string_view node, const Attributes& a) const;
  AuthorizationResult Lease(std::string_view node, const Attributes& a) const;
  AuthorizationResult CSINode(std::string_view node, const Attributes& a) const;
  AuthorizationResult Node(std::string_view node, const Attributes& a) const;
  AuthorizationResult Pod(std::string_view node, const Attributes& a) const;
  // Allowed when a pod bound to `node` refers to the named object (upstream's graph path).
  AuthorizationResult Related(std::string_view node, Target target, const Attributes& a) const;
  bool HasPath(std::string_view node, Target target, std::string_view namespace_, std::string_view name) const;

  const NodeGraph* graph_;
};

}  // namespace cubelet::authz
