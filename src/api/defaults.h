// Owns: the defaults the API server applies to a Pod before anyone else sees it
// (SetDefaults_Pod and friends in upstream's pkg/apis/core/v1/defaults.go).
// Does not own: kubelet-specific identity of static pods (static-pods/ does that).
#pragma once

#include <string>

#include "api/types.h"

namespace cubelet::api {

void SetPodDefaults(Pod* pod);

// "Always" for an image whose tag is "latest" or absent (and that has no digest), else "IfNotPresent".
std::string DefaultImagePullPolicy(const std::string& image);

}  // namespace cubelet::api
