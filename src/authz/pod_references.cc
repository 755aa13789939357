#include "authz/pod_references.h"

#include <initializer_list>
#include <string>

#include "common/strings.h"

namespace cubelet::authz {
namespace {

// Visits a string at `path` inside `object` when it is a non-empty string.
bool VisitString(const json::Value& object, std::initializer_list<std::string_view> path, const NameVisitor& visit) {
  const json::Value* v = object.FindPath(path);
  if (v == nullptr || !v->is_string() || v->AsString().empty()) return true;
  return visit(v->AsString());
}

const json::Array* ArrayAt(const json::Value& object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object.FindPath(path);
  return v != nullptr && v->is_array() ? &v->AsArray() : nullptr;
}

// Every container of every kind; stops when `fn` returns false.
bool ForEachContainer(const json::Value& pod, const std::function<bool(const json::Value&)>& fn) {
  for (std::string_view kind : {"initContainers", "containers", "ephemeralContainers"}) {
    const json::Array* containers = ArrayAt(pod, {"spec", kind});
    if (containers == nullptr) continue;
    for (const json::Value& c : *containers) {
      if (!fn(c)) return false;
    }
  }
  return true;
}

// env[].valueFrom.<key_ref>.name and envFrom[].<from_ref>.name of every container.
bool VisitContainerRefs(const json::Value& pod, std::string_view key_ref, std::string_view from_ref,
                        const NameVisitor& visit) {
  return ForEachContainer(pod, [&](const json::Value& c) {
    if (const json::Array* from = ArrayAt(c, {"envFrom"}); from != nullptr) {
      for (const json::Value& f : *from) {
        if (!VisitString(f, {from_ref, "name"}, visit)) return false;
      }
    }
    if (const json::Array* env = ArrayAt(c, {"env"}); env != nullptr) {
      for (const json::Value& e : *env) {
        if (!VisitString(e, {"valueFrom", key_ref, "name"}, visit)) return false;
      }
    }
    return true;
  });
}

bool Contains(const std::function<void(const NameVisitor&)>& walk, std::string_view name) {
  bool found = false;
  walk([&](std::string_view n) {
    if (n == name) found = true;
    return !found;
  });
  return found;
}

}  // namespace

void VisitPodSecretNames(const json::Value& pod, const NameVisitor& visit) {
  if (const json::Array* pulls = ArrayAt(pod, {"spec", "imagePullSecrets"}); pulls != nullptr) {
    for (const json::Value& p : *pulls) {
      if (!VisitString(p, {"name"}, visit)) return;
    }
  }
  if (!VisitContainerRefs(pod, "secretKeyRef", "secretRef", visit)) return;
  const json::Array* volumes = ArrayAt(pod, {"spec", "volumes"});
  if (volumes == nullptr) return;
  for (const json::Value& v : *volumes) {
    if (!VisitString(v, {"secret", "secretName"}, visit)) return;
    if (!VisitString(v, {"azureFile", "secretName"}, visit)) return;
    if (!VisitString(v, {"csi", "nodePublishSecretRef", "name"}, visit)) return;
    for (std::string_view source : {"cephfs", "cinder", "flexVolume", "iscsi", "rbd", "scaleIO", "storageos"}) {
      if (!VisitString(v, {source, "secretRef", "name"}, visit)) return;
    }
    if (const json::Array* sources = ArrayAt(v, {"projected", "sources"}); sources != nullptr) {
      for (const json::Value& s : *sources) {
        if (!VisitString(s, {"secret", "name"}, visit)) return;
      }
    }
  }
}

void VisitPodConfigMapNames(const json::Value& pod, const NameVisitor& visit) {
  if (!VisitContainerRefs(pod, "configMapKeyRef", "configMapRef", visit)) return;
  const json::Array* volumes = ArrayAt(pod, {"spec", "volumes"});
  if (volumes == nullptr) return;
  for (const json::Value& v : *volumes) {
    if (!VisitString(v, {"configMap", "name"}, visit)) return;
    if (const json::Array* sources = ArrayAt(v, {"projected", "sources"}); sources != nullptr) {
      for (const json::Value& s : *sources) {
        if (!VisitString(s, {"configMap", "name"}, visit)) return;
      }
    }
  }
}

void VisitPodClaimNames(const json::Value& pod, const NameVisitor& visit) {
  const json::Array* volumes = ArrayAt(pod, {"spec", "volumes"});
  if (volumes == nullptr) return;
  const std::string pod_name = pod.GetString({"metadata", "name"});
  for (const json::Value& v : *volumes) {
    if (!VisitString(v, {"persistentVolumeClaim", "claimName"}, visit)) return;
    // A generic ephemeral volume's claim is named after the pod and the volume.
    if (v.Find("ephemeral") != nullptr) {
      if (!visit(StrCat(pod_name, "-", v.GetString({"name"})))) return;
    }
  }
}

bool PodReferencesSecret(const json::Value& pod, std::string_view name) {
  return Contains([&](const NameVisitor& v) { VisitPodSecretNames(pod, v); }, name);
}

bool PodReferencesConfigMap(const json::Value& pod, std::string_view name) {
  return Contains([&](const NameVisitor& v) { VisitPodConfigMapNames(pod, v); }, name);
}

bool PodReferencesClaim(const json::Value& pod, std::string_view name) {
  return Contains([&](const NameVisitor& v) { VisitPodClaimNames(pod, v); }, name);
}

bool IsMirrorPod(const json::Value& pod) {
  const json::Value* annotations = pod.FindPath({"metadata", "annotations"});
  return annotations != nullptr && annotations->Find(kMirrorPodAnnotation) != nullptr;
}

}  // namespace cubelet::authz
