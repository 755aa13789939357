// Owns: turning one static pod manifest file into the Pod the kubelet runs, as upstream's file
// source does: decode (YAML or JSON), API defaults, static-pod restrictions, validation, and
// identity (UID hashed from content, node and path; name suffixed with the node name;
// kubernetes.io/config.* annotations).
// Does not own: watching the directory (file_source.h).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "api/types.h"

namespace cubelet::static_pods {

inline constexpr char kConfigSourceAnnotation[] = "kubernetes.io/config.source";
inline constexpr char kConfigHashAnnotation[] = "kubernetes.io/config.hash";
inline constexpr char kConfigSeenAnnotation[] = "kubernetes.io/config.seen";
inline constexpr char kConfigMirrorAnnotation[] = "kubernetes.io/config.mirror";

// Errors name the file and say what is wrong, e.g.
// `/etc/kubernetes/manifests/web.yaml: spec.containers[0].image: Required value`.
absl::StatusOr<api::Pod> ParseStaticPodManifest(const std::string& content, const std::string& path,
                                                const std::string& node_name);

// 32 hex digits of FNV-1a 128 over the pod's canonical JSON, "host:<node>" and "file:<path>".
std::string StaticPodUid(const std::string& canonical_pod_json, const std::string& node_name,
                         const std::string& path);

}  // namespace cubelet::static_pods
