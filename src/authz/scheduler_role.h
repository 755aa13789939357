// Owns: what the user system:kube-scheduler may do, as upstream's bootstrap ClusterRoles
// system:kube-scheduler and system:volume-scheduler (and the extension-apiserver-authentication
// reader Role in kube-system) grant it, for users who run the real kube-scheduler against
// cubelet-server (--disable-scheduler) with a kubeconfig from `cubelet-server kubeconfig --user
// system:kube-scheduler`. This server has no RBAC objects; these rules are fixed.
// Does not own: the request attributes (authorizer.h).
#pragma once

#include <string_view>

#include "authz/authorizer.h"

namespace cubelet::authz {

inline constexpr std::string_view kSchedulerUser = "system:kube-scheduler";

bool SchedulerRoleAllows(const Attributes& a);

}  // namespace cubelet::authz
