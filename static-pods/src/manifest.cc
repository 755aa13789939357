#include "static_pods/manifest.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_join.h"
#include "api/canonical_pod.h"
#include "api/defaults.h"
#include "api/json_codec.h"
#include "api/validation.h"
#include "common/strings.h"
#include "json/parse.h"
#include "json/write.h"

namespace cubelet::static_pods {
namespace {

absl::Status LocationError(const std::string& location, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(location, ": ", what));
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

std::string_view SourceName(ManifestSource::Kind kind) { return kind == ManifestSource::Kind::kFile ? "file" : "http"; }

// One pod object; the error says what is wrong without the location (callers add it).
absl::StatusOr<api::Pod> ParsePod(const std::string& content, const ManifestSource& source,
                                  const std::string& node_name) {
  auto decoded = api::DecodePod(content);
  if (!decoded.ok()) return absl::InvalidArgumentError(decoded.status().message());
  api::Pod pod = std::move(*decoded);
  if (pod.kind != "Pod") {
    return absl::InvalidArgumentError(
        pod.kind.empty() ? "kind: Required value: a static pod manifest must be a Pod"
                         : StrCat("kind: Unsupported value: \"", pod.kind, "\": supported values: \"Pod\""));
  }
  if (pod.api_version != "v1") {
    return absl::InvalidArgumentError(
        pod.api_version.empty()
            ? "apiVersion: Required value: must be \"v1\""
            : StrCat("apiVersion: Unsupported value: \"", pod.api_version, "\": supported values: \"v1\""));
  }
  if (pod.metadata.name.empty()) return absl::InvalidArgumentError("invalid pod: name is needed for the pod");
  api::SetPodDefaults(&pod);
  if (auto refs = ApiReferences(pod); !refs.empty()) return absl::InvalidArgumentError(absl::StrJoin(refs, "; "));

  // Identity, as upstream's applyDefaults: the hash covers the defaulted pod as written.
  std::string node = node_name;
  std::transform(node.begin(), node.end(), node.begin(), [](unsigned char c) { return std::tolower(c); });
  if (pod.metadata.uid.empty()) pod.metadata.uid = StaticPodUid(api::CanonicalPodJson(pod), node_name, source);
  pod.metadata.name = StrCat(pod.metadata.name, "-", node);
  pod.spec.node_name = node_name;
  pod.metadata.annotations[kConfigHashAnnotation] = pod.metadata.uid;
  pod.metadata.annotations[kConfigSourceAnnotation] = std::string(SourceName(source.kind));

  if (auto errors = api::ValidatePod(pod); !errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  return pod;
}

void Hash(std::string_view part, unsigned __int128* hash) {
  const unsigned __int128 prime = (static_cast<unsigned __int128>(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
  for (unsigned char c : part) *hash = (*hash ^ c) * prime;
}

}  // namespace

std::string StaticPodUid(const std::string& canonical_pod_json, const std::string& node_name,
                         const ManifestSource& source) {
  // FNV-1a, 128-bit: offset basis and prime from the FNV specification.
  unsigned __int128 hash = (static_cast<unsigned __int128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
  Hash(canonical_pod_json, &hash);
  if (source.kind == ManifestSource::Kind::kFile) {
    Hash(StrCat("host:", node_name), &hash);
    Hash(StrCat("file:", source.location), &hash);
  } else {
    Hash(StrCat("url:", source.location), &hash);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 31; i >= 0; --i) {
    out[i] = kHex[static_cast<int>(hash & 0xf)];
    hash >>= 4;
  }
  return out;
}

std::string StaticPodUid(const std::string& canonical_pod_json, const std::string& node_name,
                         const std::string& path) {
  return StaticPodUid(canonical_pod_json, node_name, ManifestSource{ManifestSource::Kind::kFile, path});
}

absl::StatusOr<api::Pod> ParseStaticPodManifest(const std::string& content, const ManifestSource& source,
                                                const std::string& node_name) {
  auto pod = ParsePod(content, source, node_name);
  if (!pod.ok()) return LocationError(source.location, ToStd(pod.status().message()));
  return pod;
}

absl::StatusOr<api::Pod> ParseStaticPodManifest(const std::string& content, const std::string& path,
                                                const std::string& node_name) {
  return ParseStaticPodManifest(content, ManifestSource{ManifestSource::Kind::kFile, path}, node_name);
}

absl::StatusOr<std::vector<absl::StatusOr<api::Pod>>> ParseStaticPodManifestList(const std::string& content,
                                                                                 const ManifestSource& source,
                                                                                 const std::string& node_name) {
  const std::string& where = source.location;
  auto json_text = api::YamlToJson(content);
  if (!json_text.ok()) return LocationError(where, ToStd(json_text.status().message()));
  auto doc = json::Parse(*json_text);
  if (!doc.ok()) return LocationError(where, ToStd(doc.status().message()));
  if (!doc->is_object()) {
    return LocationError(where, StrCat("expected a Pod or a PodList object, got ", json::TypeName(doc->type())));
  }
  const std::string kind = doc->GetString({"kind"});
  if (kind == "Pod") {
    // A single pod that is invalid leaves nothing usable: the whole body is refused.
    auto pod = ParseStaticPodManifest(content, source, node_name);
    if (!pod.ok()) return pod.status();
    std::vector<absl::StatusOr<api::Pod>> one;
    one.push_back(std::move(pod));
    return one;
  }
  if (kind != "PodList") {
    return LocationError(where, kind.empty() ? "kind: Required value: must be \"Pod\" or \"PodList\""
                                             : StrCat("kind: Unsupported value: \"", kind,
                                                      "\": supported values: \"Pod\", \"PodList\""));
  }
  if (const std::string version = doc->GetString({"apiVersion"}); version != "v1") {
    return LocationError(where, version.empty() ? "apiVersion: Required value: must be \"v1\""
                                                : StrCat("apiVersion: Unsupported value: \"", version,
                                                         "\": supported values: \"v1\""));
  }
  std::vector<absl::StatusOr<api::Pod>> out;
  const json::Value* items = doc->Find("items");
  if (items == nullptr || items->is_null()) return out;
  if (!items->is_array()) return LocationError(where, StrCat("items: expected a list, got ", json::TypeName(items->type())));
  for (size_t i = 0; i < items->AsArray().size(); ++i) {
    const json::Value& item = items->AsArray()[i];
    const std::string name = item.GetString({"metadata", "name"});
    const std::string item_where = StrCat(where, ": items[", i, "]", name.empty() ? "" : StrCat(" (pod \"", name, "\")"));
    if (!item.is_object()) {
      out.push_back(LocationError(item_where, StrCat("expected a Pod object, got ", json::TypeName(item.type()))));
      continue;
    }
    // Items of a v1 PodList are v1 Pods whether or not they say so, as Go's typed decoder reads
    // them. apiVersion and kind go first, where a pod written alone has them, so that the
    // encoding the UID hashes is the same for the pod alone and as an item.
    json::Value pod_json = json::Value::EmptyObject();
    pod_json.Set("apiVersion", item.Find("apiVersion") ? *item.Find("apiVersion") : json::Value("v1"));
    pod_json.Set("kind", item.Find("kind") ? *item.Find("kind") : json::Value("Pod"));
    for (const auto& [key, value] : item.AsObject()) {
      if (key != "apiVersion" && key != "kind") pod_json.Set(key, value);
    }
    auto pod = ParsePod(json::Write(pod_json), source, node_name);
    out.push_back(pod.ok() ? std::move(pod) : LocationError(item_where, ToStd(pod.status().message())));
  }
  return out;
}

}  // namespace cubelet::static_pods
