// Owns: the column descriptions of the built-in printers. Upstream takes them from the API
// types' generated documentation (SwaggerDoc); the texts here follow the published OpenAPI
// descriptions of those fields.
// Does not own: which columns a kind has (each kind's printer file).
#pragma once

#include <string_view>

namespace cubelet::printers::descriptions {

// metav1.ObjectMeta
inline constexpr std::string_view kName =
    "Name must be unique within a namespace. Is required when creating resources, although some resources may "
    "allow a client to request the generation of an appropriate name automatically. Name is primarily intended "
    "for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
inline constexpr std::string_view kCreationTimestamp =
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It "
    "is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More "
    "info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

// Pods (the first three are printers.go's own texts).
inline constexpr std::string_view kPodReady = "The aggregate readiness state of this pod for accepting traffic.";
inline constexpr std::string_view kPodStatus = "The aggregate status of the containers in this pod.";
inline constexpr std::string_view kPodRestarts =
    "The number of times the containers in this pod have been restarted and when the last container in this pod "
    "has restarted.";
inline constexpr std::string_view kPodIP =
    "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.";
inline constexpr std::string_view kPodNodeName =
    "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by "
    "the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes "
    "responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to "
    "be scheduled on a specific node. "
    "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename";
inline constexpr std::string_view kPodNominatedNodeName =
    "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right "
    "away as preemption victims receive their graceful termination periods. This field does not guarantee that the "
    "pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become "
    "available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that "
    "is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is "
    "scheduled.";
inline constexpr std::string_view kPodReadinessGates =
    "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers "
    "are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: "
    "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates";

// Nodes
inline constexpr std::string_view kNodeStatus = "The status of the node";
inline constexpr std::string_view kNodeRoles = "The roles of the node";
inline constexpr std::string_view kKubeletVersion = "Kubelet Version reported by the node.";
inline constexpr std::string_view kNodeAddresses =
    "List of addresses reachable to the node. Queried from cloud provider, if available. More info: "
    "https://kubernetes.io/docs/concepts/nodes/node/#addresses Note: This field is declared as mergeable, but the "
    "merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should "
    "instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume "
    "that addresses can change during the lifetime of a Node. However, there are some exceptions where this may "
    "not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward "
    "API (status.hostIP).";
inline constexpr std::string_view kOSImage =
    "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).";
inline constexpr std::string_view kKernelVersion =
    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).";
inline constexpr std::string_view kContainerRuntimeVersion =
    "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).";

// core/v1 Event
inline constexpr std::string_view kEventLastTimestamp =
    "The time at which the most recent occurrence of this event was recorded.";
inline constexpr std::string_view kEventType = "Type of this event (Normal, Warning), new types could be added in the future";
inline constexpr std::string_view kEventReason =
    "This should be a short, machine understandable string that gives the reason for the transition into the "
    "object's current status.";
inline constexpr std::string_view kEventInvolvedObject = "The object that this event is about.";
inline constexpr std::string_view kEventFieldPath =
    "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go "
    "field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is "
    "to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers "
    "to the name of the container that triggered the event) or if no container name is specified "
    "\"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some "
    "well-defined way of referencing a part of an object.";
inline constexpr std::string_view kEventSource =
    "The component reporting this event. Should be a short machine understandable string.";
inline constexpr std::string_view kEventMessage = "A human-readable description of the status of this operation.";
inline constexpr std::string_view kEventFirstTimestamp =
    "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)";
inline constexpr std::string_view kEventCount = "The number of times this event has occurred.";

// Namespaces, Services, Endpoints, ConfigMaps, Secrets, ServiceAccounts
inline constexpr std::string_view kNamespaceStatus = "The status of the namespace";
inline constexpr std::string_view kServiceType =
    "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, "
    "NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to "
    "endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of "
    "an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the "
    "endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and "
    "allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds "
    "on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the "
    "same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. "
    "Several other fields do not apply to ExternalName services. More info: "
    "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types";
inline constexpr std::string_view kServiceClusterIP =
    "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified "
    "manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; "
    "otherwise creation of the service will fail. This field may not be changed through updates unless the type "
    "field is also being changed to ExternalName (which requires this field to be blank) or the type field is "
    "being changed from ExternalName (in which case this field may optionally be specified, as describe above).  "
    "Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a "
    "\"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and "
    "proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is "
    "specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when "
    "updating a Service to type ExternalName. More info: "
    "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies";
inline constexpr std::string_view kServiceExternalIPs =
    "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this "
    "service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives "
    "at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes "
    "system.";
inline constexpr std::string_view kServicePorts =
    "The list of ports that are exposed by this service. More info: "
    "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies";
inline constexpr std::string_view kServiceSelector =
    "Route service traffic to pods with label keys and values matching this selector. If empty or not present, "
    "the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. "
    "Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: "
    "https://kubernetes.io/docs/concepts/services-networking/service/";
inline constexpr std::string_view kEndpointsSubsets =
    "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs "
    "they share. A single address with multiple ports, some of which are ready and some of which are not (because "
    "they come from different containers) will result in the address being displayed in different subsets for the "
    "different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of "
    "addresses and ports that comprise a service.";
inline constexpr std::string_view kConfigMapData =
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. "
    "Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap "
    "with the keys in the BinaryData field, this is enforced during validation process.";
inline constexpr std::string_view kSecretType = "Used to facilitate programmatic handling of secret data. More info: "
                                                "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types";
inline constexpr std::string_view kSecretData =
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The "
    "serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly "
    "non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4";
inline constexpr std::string_view kServiceAccountSecrets =
    "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are "
    "allowed to use. Pods are only limited to this list if this service account has a "
    "\"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The "
    "\"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces "
    "to isolate access to mounted secrets. This field should not be used to find auto-generated service account "
    "token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, "
    "or service account token secrets can be manually created. More info: "
    "https://kubernetes.io/docs/concepts/configuration/secret";

// Cluster-scoped kinds
inline constexpr std::string_view kLeaseHolderIdentity =
    "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is "
    "used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.";
inline constexpr std::string_view kPriorityClassValue =
    "value represents the integer value of this priority class. This is the actual priority that pods receive "
    "when they have the name of this class in their pod spec.";
inline constexpr std::string_view kPriorityClassGlobalDefault =
    "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that "
    "do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more "
    "than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such "
    "global default PriorityClasses will be used as the default priority.";
inline constexpr std::string_view kPriorityClassPreemptionPolicy =
    "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. "
    "Defaults to PreemptLowerPriority if unset.";
inline constexpr std::string_view kCSINodeDrivers = "Drivers indicates the number of CSI drivers registered on the node";
inline constexpr std::string_view kCSIDriverAttachRequired =
    "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI "
    "ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach "
    "volume interface which checks the volumeattachment status and waits until the volume is attached before "
    "proceeding to mounting. The CSI external-attacher coordinates with CSI volume driver and updates the "
    "volumeattachment status when the attach operation is complete. If the value is specified to false, the attach "
    "operation will be skipped. Otherwise the attach operation will be called.\n\nThis field is immutable.";
inline constexpr std::string_view kCSIDriverPodInfoOnMount =
    "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, "
    "etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. "
    "Default is false.";
inline constexpr std::string_view kCSIDriverStorageCapacity =
    "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity "
    "that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if "
    "set to true.";
inline constexpr std::string_view kCSIDriverTokenRequests =
    "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do "
    "necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls.";
inline constexpr std::string_view kCSIDriverRequiresRepublish =
    "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any "
    "possible change in the mounted volume. This field defaults to false.";
inline constexpr std::string_view kCSIDriverModes =
    "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list is "
    "empty is \"Persistent\", which is the usage defined by the CSI specification and implemented in Kubernetes via "
    "the usual PV/PVC mechanism.";
// printers.go reads ObjectMeta's documentation for "handler", which has none.
inline constexpr std::string_view kRuntimeClassHandler = "";

}  // namespace cubelet::printers::descriptions
