#include "authz/authorizer.h"

#include <array>

#include "authz/go_quote.h"
#include "authz/node_authorizer.h"
#include "authz/scheduler_role.h"
#include "common/strings.h"

namespace cubelet::authz {
namespace {

constexpr std::string_view kNodeUserPrefix = "system:node:";

// Whether `user` is a node (name system:node:<name>, group system:nodes), as upstream's
// nodeidentifier decides; `name` may then still be empty ("system:node:").
bool NodeIdentity(const auth::UserInfo& user, std::string* name) {
  if (user.name.rfind(kNodeUserPrefix, 0) != 0 || !user.InGroup("system:nodes")) return false;
  *name = user.name.substr(kNodeUserPrefix.size());
  return true;
}

// RBAC's non-resource URL match: "/api/*" is a prefix rule, anything else exact.
bool PathMatches(std::string_view rule, std::string_view path) {
  if (!rule.empty() && rule.back() == '*') return path.substr(0, rule.size() - 1) == rule.substr(0, rule.size() - 1);
  return rule == path;
}

// system:discovery and system:public-info-viewer (bound to every authenticated user), with
// the health endpoints' individual checks (/readyz/ping) readable too.
constexpr std::array<std::string_view, 14> kDiscoveryPaths = {
    "/api",       "/api/*", "/apis",    "/apis/*", "/version",  "/version/", "/healthz",
    "/healthz/*", "/livez", "/livez/*", "/readyz", "/readyz/*", "/openapi",  "/openapi/*"};

bool DiscoveryAllowed(const Attributes& a) {
  if (a.verb != "get") return false;
  for (std::string_view rule : kDiscoveryPaths) {
    if (PathMatches(rule, a.path)) return true;
  }
  return false;
}

// system:basic-user: everyone may ask what they themselves may do.
bool BasicUserAllowed(const Attributes& a) {
  if (a.verb != "create" || !a.subresource.empty()) return false;
  if (a.api_group == "authorization.k8s.io") {
    return a.resource == "selfsubjectaccessreviews" || a.resource == "selfsubjectrulesreviews";
  }
  return a.api_group == "authentication.k8s.io" && a.resource == "selfsubjectreviews";
}

class DefaultAuthorizer final : public Authorizer {
 public:
  explicit DefaultAuthorizer(const NodeGraph* graph) : nodes_(graph) {}

  AuthorizationResult Authorize(const Attributes& a) const override {
    if (a.user == nullptr) return {Decision::kDeny, ""};
    const auth::UserInfo& user = *a.user;
    if (user.InGroup("system:masters")) return {Decision::kAllow, ""};
    if (user.InGroup("system:authenticated")) {
      if (a.resource_request ? BasicUserAllowed(a) : DiscoveryAllowed(a)) return {Decision::kAllow, ""};
    }
    if (user.name == kSchedulerUser && SchedulerRoleAllows(a)) return {Decision::kAllow, ""};
    std::string node;
    if (NodeIdentity(user, &node)) {
      if (node.empty()) return {Decision::kDeny, StrCat("unknown node for user ", GoQuote(user.name))};
      AuthorizationResult r = nodes_.Authorize(node, a);
      if (r.decision == Decision::kAllow) return r;
      return {Decision::kDeny, std::move(r.reason)};
    }
    return {Decision::kDeny, ""};
  }

 private:
  NodeAuthorizer nodes_;
};

// Upstream's responsewriters sanitizer: the message may end up in an HTML-rendering client.
std::string Sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '&') {
      out.append("&amp;");
    } else if (c == '<') {
      out.append("&lt;");
    } else if (c == '>') {
      out.append("&gt;");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::unique_ptr<Authorizer> NewAuthorizer(const NodeGraph* graph) { return std::make_unique<DefaultAuthorizer>(graph); }

std::string ForbiddenMessage(const Attributes& a, std::string_view reason) {
  std::string user = a.user == nullptr ? "" : a.user->name;
  std::string message;
  if (!a.resource_request) {
    message = StrCat("User ", GoQuote(user), " cannot ", a.verb, " path ", GoQuote(a.path));
  } else {
    std::string resource = a.subresource.empty() ? a.resource : StrCat(a.resource, "/", a.subresource);
    message = StrCat("User ", GoQuote(user), " cannot ", a.verb, " resource ", GoQuote(resource), " in API group ",
                     GoQuote(a.api_group));
    if (!a.namespace_.empty()) {
      StrAppend(&message, " in the namespace ", GoQuote(a.namespace_));
    } else {
      StrAppend(&message, " at the cluster scope");
    }
  }
  message = Sanitize(message);
  if (!reason.empty()) StrAppend(&message, ": ", reason);
  return message;
}

std::string NodeNameOf(const auth::UserInfo& user) {
  std::string name;
  return NodeIdentity(user, &name) ? name : "";
}

}  // namespace cubelet::authz
