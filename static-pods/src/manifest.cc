#include "static_pods/manifest.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_join.h"
#include "api/defaults.h"
#include "api/json_codec.h"
#include "api/validation.h"
#include "common/strings.h"

namespace cubelet::static_pods {
namespace {

absl::Status FileError(const std::string& path, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(path, ": ", what));
}

// Static pods run without an API server: references to API objects cannot be resolved.
std::vector<std::string> ApiReferences(const api::Pod& pod) {
  std::vector<std::string> out;
  for (size_t i = 0; i < pod.spec.volumes.size(); ++i) {
    const auto& v = pod.spec.volumes[i];
    if (!v.other_source.empty()) {
      out.push_back(StrCat("spec.volumes[", i, "].", v.other_source,
                           ": Forbidden: static pods may only use emptyDir and hostPath volumes"));
    }
  }
  auto check_env = [&](const std::vector<api::Container>& cs, const char* field) {
    for (size_t i = 0; i < cs.size(); ++i) {
      for (size_t j = 0; j < cs[i].env.size(); ++j) {
        const auto& from = cs[i].env[j].value_from;
        if (from && from->has_other_source) {
          out.push_back(StrCat("spec.", field, "[", i, "].env[", j,
                               "].valueFrom: Forbidden: static pods may not reference configmaps or secrets"));
        }
      }
    }
  };
  check_env(pod.spec.init_containers, "initContainers");
  check_env(pod.spec.containers, "containers");
  return out;
}

}  // namespace

std::string StaticPodUid(const std::string& canonical_pod_json, const std::string& node_name,
                         const std::string& path) {
  // FNV-1a, 128-bit: offset basis and prime from the FNV specification.
  unsigned __int128 hash = (static_cast<unsigned __int128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
  const unsigned __int128 prime = (static_cast<unsigned __int128>(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
  for (const std::string* part : {&canonical_pod_json}) {
    for (unsigned char c : *part) hash = (hash ^ c) * prime;
  }
  for (const std::string& part : {StrCat("host:", node_name), StrCat("file:", path)}) {
    for (unsigned char c : part) hash = (hash ^ c) * prime;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 31; i >= 0; --i) {
    out[i] = kHex[static_cast<int>(hash & 0xf)];
    hash >>= 4;
  }
  return out;
}

absl::StatusOr<api::Pod> ParseStaticPodManifest(const std::string& content, const std::string& path,
                                                const std::string& node_name) {
  auto decoded = api::DecodePod(content);
  if (!decoded.ok()) return FileError(path, ToStd(decoded.status().message()));
  api::Pod pod = std::move(*decoded);
  if (pod.kind != "Pod") {
    return FileError(path, pod.kind.empty() ? "kind: Required value: a static pod manifest must be a Pod"
                                            : StrCat("kind: Unsupported value: \"", pod.kind, "\": supported values: \"Pod\""));
  }
  if (pod.api_version != "v1") {
    return FileError(path, pod.api_version.empty()
                               ? "apiVersion: Required value: must be \"v1\""
                               : StrCat("apiVersion: Unsupported value: \"", pod.api_version, "\": supported values: \"v1\""));
  }
  if (pod.metadata.name.empty()) return FileError(path, "invalid pod: name is needed for the pod");
  api::SetPodDefaults(&pod);
  if (auto refs = ApiReferences(pod); !refs.empty()) return FileError(path, absl::StrJoin(refs, "; "));

  // Identity, as upstream's applyDefaults: the hash covers the defaulted pod as written.
  std::string node = node_name;
  std::transform(node.begin(), node.end(), node.begin(), [](unsigned char c) { return std::tolower(c); });
  if (pod.metadata.uid.empty()) pod.metadata.uid = StaticPodUid(api::EncodePod(pod), node_name, path);
  pod.metadata.name = StrCat(pod.metadata.name, "-", node);
  pod.spec.node_name = node_name;
  pod.metadata.annotations[kConfigHashAnnotation] = pod.metadata.uid;
  pod.metadata.annotations[kConfigSourceAnnotation] = "file";

  if (auto errors = api::ValidatePod(pod); !errors.empty()) return FileError(path, absl::StrJoin(errors, "; "));
  return pod;
}

}  // namespace cubelet::static_pods
