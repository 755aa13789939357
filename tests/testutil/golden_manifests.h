// The static pod manifests whose identity (UID, canonical bytes) tests pin: a minimal one and a
// control-plane-like one touching many fields. Shared by the api, static-pods and config tests,
// so that a pinned value and the manifest it was computed from cannot drift apart.
#pragma once

namespace cubelet::testing {

inline constexpr char kGoldenWebManifest[] = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: httpd
    image: localhost/cubelet/testimage:1.0
)";

inline constexpr char kGoldenEtcdManifest[] = R"(apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
  labels: {component: etcd, tier: control-plane}
  annotations: {example.com/note: pinned}
spec:
  hostNetwork: true
  priorityClassName: system-node-critical
  securityContext: {seccompProfile: {type: RuntimeDefault}}
  initContainers:
  - name: init
    image: localhost/cubelet/testimage:1.0
    command: [sh, -c, "true"]
  containers:
  - name: etcd
    image: localhost/cubelet/testimage:1.0
    command: [etcd, --data-dir=/var/lib/etcd]
    env:
    - {name: ETCD_UNSUPPORTED_ARCH, value: arm64}
    ports:
    - {name: client, containerPort: 2379, protocol: TCP}
    resources:
      requests: {cpu: 100m, memory: 100Mi}
    livenessProbe:
      httpGet: {path: /health, port: 2381, host: 127.0.0.1}
      initialDelaySeconds: 10
      failureThreshold: 8
    volumeMounts:
    - {name: data, mountPath: /var/lib/etcd}
  volumes:
  - name: data
    hostPath: {path: /var/lib/etcd, type: DirectoryOrCreate}
)";

}  // namespace cubelet::testing
