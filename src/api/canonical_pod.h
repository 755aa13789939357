// Owns: the frozen canonical form of a Pod, the bytes identity hashes cover (the static pod UID,
// upstream's config hash), so that identity does not change when the codec (json_codec.h) does
// and a new cubelet never restarts running static pods because its encoder changed.
// Does not own: the hashes themselves (static-pods/), or any JSON meant to be read back.
//
// The form is FROZEN: tests/api/canonical_pod_test.cc pins the bytes and two UIDs. Never
// reorder, rename or re-rule a member below. A field the model gains later (one cubelet used to
// keep as unknown) is written only when set, as its codec JSON canonicalized like an unknown
// value and merged among the unknown members by key: where it was while unknown, so pods keep
// their identity. List it below when you add it.
// (Version 1 reproduces what EncodePod wrote for a defaulted static pod until the codec became
// lossless, for manifests written in the listed order.)
//
// Rules, for every object:
//  - JSON without whitespace. Strings escaped as RapidJSON's Writer escapes them (", \ and
//    control characters; "/" and non-ASCII UTF-8 as is).
//  - Members in the order listed below. A member marked (always) is written even when empty;
//    any other only when set: a string non-empty, an integer non-zero, a bool true, a list or map
//    non-empty, an optional (a pointer upstream) present even when zero, an object present (as
//    {} when it has no members) - except spec.securityContext, written only when it has a member
//    (defaulting adds an empty one).
//  - Maps (labels, annotations, resource lists) in byte order of their keys; quantities in their
//    canonical text ("100Mi", "250m"); int-or-string as a JSON integer or string; times as RFC
//    3339 in UTC at whole seconds ("2026-11-25T10:11:12Z"); an unset (always) time as null.
//  - Then the object's unknown members (the fields the model does not know), sorted by key in
//    byte order, a key already written skipped; each value with object keys sorted the same way
//    at every level, integers in decimal and other numbers as RapidJSON writes doubles.
//  - Derived members (Volume::other_source, EnvVarSource::has_other_source) are not written.
//
// Pod: apiVersion (always), kind (always), metadata (always), spec (always), status (always)
// ObjectMeta: name, generateName, namespace, uid, resourceVersion, generation,
//   creationTimestamp (always), deletionTimestamp, deletionGracePeriodSeconds, labels, annotations
// PodSpec: hostNetwork, hostPID, hostIPC, shareProcessNamespace, priorityClassName, priority,
//   securityContext, initContainers, containers (always), volumes, restartPolicy,
//   terminationGracePeriodSeconds, activeDeadlineSeconds, dnsPolicy, dnsConfig, nodeName,
//   hostname, subdomain, hostAliases, schedulerName, enableServiceLinks, setHostnameAsFQDN,
//   runtimeClassName
// PodSecurityContext: runAsUser, runAsGroup, runAsNonRoot, supplementalGroups, fsGroup, sysctls,
//   seccompProfile
// Sysctl: name (always), value (always)
// SeccompProfile: type (always), localhostProfile
// Container: name (always), image, command, args, workingDir, env, ports, resources (always),
//   livenessProbe, readinessProbe, startupProbe, lifecycle, volumeMounts, terminationMessagePath,
//   terminationMessagePolicy, imagePullPolicy, securityContext, stdin, stdinOnce, tty,
//   restartPolicy, resizePolicy
// EnvVar: name (always), value, valueFrom
// EnvVarSource: fieldRef, resourceFieldRef
// ObjectFieldSelector: apiVersion, fieldPath (always)
// ResourceFieldSelector: containerName, resource (always), divisor
// ContainerPort: name, containerPort (always), protocol, hostPort, hostIP
// ResourceRequirements: limits, requests
// Probe: exec, httpGet, tcpSocket, grpc, initialDelaySeconds, failureThreshold (always),
//   timeoutSeconds (always), periodSeconds (always), successThreshold (always),
//   terminationGracePeriodSeconds
// ExecAction: command
// HTTPGetAction: path, port (always), host, scheme, httpHeaders
// HTTPHeader: name (always), value (always)
// TCPSocketAction: port (always), host
// GRPCAction: port (always), service
// Lifecycle: postStart, preStop
// LifecycleHandler: exec, httpGet, tcpSocket, sleep
// SleepAction: seconds (always)
// SecurityContext: capabilities, privileged, runAsUser, runAsGroup, runAsNonRoot,
//   readOnlyRootFilesystem, allowPrivilegeEscalation, procMount, seccompProfile
// Capabilities: add, drop
// VolumeMount: name (always), readOnly, mountPath (always), subPath, mountPropagation
// ContainerResizePolicy: resourceName (always), restartPolicy (always)
// Volume: name (always), emptyDir, hostPath
// EmptyDirVolumeSource: medium, sizeLimit
// HostPathVolumeSource: path (always), type (always)
// PodDNSConfig: nameservers, searches, options
// PodDNSConfigOption: name, value
// HostAlias: ip (always), hostnames
// PodStatus: phase, conditions, message, reason, hostIP, hostIPs, podIP, podIPs, startTime,
//   initContainerStatuses, containerStatuses, qosClass
// PodCondition: type (always), status (always), lastProbeTime (always), lastTransitionTime,
//   reason, message
// PodIP: ip (always)
// ContainerStatus: name (always), state (always), lastState (always), ready (always),
//   restartCount (always), image (always), imageID (always), containerID, started
// ContainerState: waiting, running, terminated
// ContainerStateWaiting: reason, message
// ContainerStateRunning: startedAt (always)
// ContainerStateTerminated: exitCode (always), signal, reason, message, startedAt (always),
//   finishedAt (always), containerID
#pragma once

#include <string>

#include "api/types.h"

namespace cubelet::api {

// The pod in the canonical form above. Deterministic: equal pods (==) give equal bytes.
std::string CanonicalPodJson(const Pod& pod);

}  // namespace cubelet::api
