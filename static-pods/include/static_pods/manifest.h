// Owns: turning a static pod manifest into the Pods the kubelet runs, as upstream's file and http
// sources do (pkg/kubelet/config/common.go): decode (YAML or JSON), API defaults, static-pod
// restrictions, validation, and identity (applyDefaults: UID hashed from content and where the
// manifest came from; name suffixed with the node name; kubernetes.io/config.* annotations).
// Does not own: watching a directory (file_source.h) or fetching a URL (src/config/http_source.h).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/types.h"

namespace cubelet::static_pods {

inline constexpr const char* kConfigSourceAnnotation = api::kConfigSourceAnnotation;
inline constexpr char kConfigHashAnnotation[] = "kubernetes.io/config.hash";
inline constexpr char kConfigSeenAnnotation[] = "kubernetes.io/config.seen";
inline constexpr char kConfigMirrorAnnotation[] = "kubernetes.io/config.mirror";

// Where a manifest came from. Upstream's applyDefaults folds it into the UID ("host:<node>" and
// "file:<path>" for a file, "url:<url>" for the http source) and the source names the
// kubernetes.io/config.source annotation ("file" or "http").
struct ManifestSource {
  enum class Kind { kFile, kHttp };
  Kind kind = Kind::kFile;
  std::string location;  // the file's path, or the URL
};

// Errors name the location and say what is wrong, e.g.
// `/etc/kubernetes/manifests/web.yaml: spec.containers[0].image: Required value`.
absl::StatusOr<api::Pod> ParseStaticPodManifest(const std::string& content, const ManifestSource& source,
                                                const std::string& node_name);
// A manifest file (ManifestSource::Kind::kFile at `path`).
absl::StatusOr<api::Pod> ParseStaticPodManifest(const std::string& content, const std::string& path,
                                                const std::string& node_name);

// A body holding one Pod or a v1 PodList (JSON or YAML), as the http source reads it. The outer
// error is for a body that is neither (it names the location); each item is parsed on its own,
// so one bad pod of a list is an error in its slot naming the location, the item and the pod
// (`http://m/pods: items[1] (pod "web"): spec.containers[0].image: Required value`) while the
// others are still usable. A single Pod is a list of one.
absl::StatusOr<std::vector<absl::StatusOr<api::Pod>>> ParseStaticPodManifestList(const std::string& content,
                                                                                 const ManifestSource& source,
                                                                                 const std::string& node_name);

// 32 hex digits of FNV-1a 128 over the pod's canonical JSON, then "host:<node>" and
// "file:<path>" for a file, or "url:<url>" for the http source.
std::string StaticPodUid(const std::string& canonical_pod_json, const std::string& node_name,
                         const ManifestSource& source);
// A manifest file at `path`.
std::string StaticPodUid(const std::string& canonical_pod_json, const std::string& node_name,
                         const std::string& path);

}  // namespace cubelet::static_pods
