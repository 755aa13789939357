// Owns: which API objects a pod refers to, read from its JSON (upstream pkg/api/v1/pod
// VisitPodSecretNames / VisitPodConfigmapNames and the node graph's pod edges): secrets,
// configmaps, persistent volume claims and the service account, across containers, init
// containers and ephemeral containers. Shared by the node authorizer (what a node may read) and
// admission (what a mirror pod may not reference).
// Does not own: deciding anything from the references (node_authorizer.h, admission/).
#pragma once

#include <functional>
#include <string_view>

#include "json/value.h"

namespace cubelet::authz {

// Called with each referenced name (duplicates possible); returning false stops the visit.
using NameVisitor = std::function<bool(std::string_view name)>;

// imagePullSecrets, env valueFrom.secretKeyRef, envFrom secretRef, and the secret volumes
// (secret, projected secret sources, csi nodePublishSecretRef, azureFile secretName, and the
// secretRef of cephfs, cinder, flexVolume, iscsi, rbd, scaleIO and storageos).
void VisitPodSecretNames(const json::Value& pod, const NameVisitor& visit);
// env valueFrom.configMapKeyRef, envFrom configMapRef, configMap volumes and projected
// configMap sources.
void VisitPodConfigMapNames(const json::Value& pod, const NameVisitor& visit);
// persistentVolumeClaim volumes, and the claims of ephemeral volumes ("<pod>-<volume>").
void VisitPodClaimNames(const json::Value& pod, const NameVisitor& visit);

bool PodReferencesSecret(const json::Value& pod, std::string_view name);
bool PodReferencesConfigMap(const json::Value& pod, std::string_view name);
bool PodReferencesClaim(const json::Value& pod, std::string_view name);

// metadata.annotations has "kubernetes.io/config.mirror".
bool IsMirrorPod(const json::Value& pod);
inline constexpr char kMirrorPodAnnotation[] = "kubernetes.io/config.mirror";

}  // namespace cubelet::authz
