// The frozen canonical form (canonical_pod.h). Written by hand, member by member, on purpose: it
// must not follow the field tables of the codec when they change.
#include "api/canonical_pod.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/json_codec.h"

namespace cubelet::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Writes one object: members in call order, then its unknown members.
class Object {
 public:
  explicit Object(Writer& w) : w_(w) { w_.StartObject(); }

  void End(const UnknownFields& unknown) {
    std::vector<const std::pair<std::string, std::string>*> sorted;
    for (const auto& m : unknown.members) sorted.push_back(&m);
    std::stable_sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    for (const auto* m : sorted) {
      if (std::find(written_.begin(), written_.end(), m->first) != written_.end()) continue;
      rapidjson::Document doc;
      doc.Parse<rapidjson::kParseIterativeFlag>(m->second.c_str(), m->second.size());
      if (doc.HasParseError()) continue;  // never produced by the decoder
      Key(m->first);
      Sorted(doc);
    }
    w_.EndObject();
  }

  void Str(std::string_view k, const std::string& v, bool always = false) {
    if (v.empty() && !always) return;
    Key(k);
    String(v);
  }
  void Int(std::string_view k, int64_t v, bool always = false) {
    if (v == 0 && !always) return;
    Key(k);
    w_.Int64(v);
  }
  void Bool(std::string_view k, bool v, bool always = false) {
    if (!v && !always) return;
    Key(k);
    w_.Bool(v);
  }
  template <typename X>
  void Opt(std::string_view k, const std::optional<X>& v) {
    if (!v) return;
    if constexpr (std::is_same_v<X, bool>) {
      Bool(k, *v, true);
    } else if constexpr (std::is_same_v<X, std::string>) {
      Str(k, *v, true);
    } else {
      Int(k, *v, true);
    }
  }
  void Strings(std::string_view k, const std::vector<std::string>& v) {
    if (v.empty()) return;
    Key(k);
    w_.StartArray();
    for (const auto& s : v) String(s);
    w_.EndArray();
  }
  void Ints(std::string_view k, const std::vector<int64_t>& v) {
    if (v.empty()) return;
    Key(k);
    w_.StartArray();
    for (int64_t i : v) w_.Int64(i);
    w_.EndArray();
  }
  void Map(std::string_view k, const StringMap& m) {
    if (m.empty()) return;
    Key(k);
    w_.StartObject();
    for (const auto& [key, value] : m) {
      String(key, /*as_key=*/true);
      String(value);
    }
    w_.EndObject();
  }
  void Resources(std::string_view k, const ResourceList& r) {
    if (r.empty()) return;
    Key(k);
    w_.StartObject();
    for (const auto& [key, q] : r) {
      String(key, /*as_key=*/true);
      String(q.ToString());
    }
    w_.EndObject();
  }
  void Quantity(std::string_view k, const std::optional<api::Quantity>& q) {
    if (!q) return;
    Key(k);
    String(q->ToString());
  }
  void Port(std::string_view k, const IntOrString& p) {
    Key(k);
    if (p.is_string) {
      String(p.str_value);
    } else {
      w_.Int(p.int_value);
    }
  }
  void Time(std::string_view k, const std::optional<absl::Time>& t, bool always = false) {
    if (!t && !always) return;
    Key(k);
    if (t) {
      String(FormatRfc3339(*t));
    } else {
      w_.Null();
    }
  }
  // A nested object written by `write` (which starts and ends it).
  template <typename X>
  void Obj(std::string_view k, const std::optional<X>& v, void (*write)(Writer&, const X&)) {
    if (!v) return;
    Key(k);
    write(w_, *v);
  }
  template <typename X>
  void Obj(std::string_view k, const X& v, void (*write)(Writer&, const X&)) {
    Key(k);
    write(w_, v);
  }
  template <typename X>
  void List(std::string_view k, const std::vector<X>& v, void (*write)(Writer&, const X&), bool always = false) {
    if (v.empty() && !always) return;
    Key(k);
    w_.StartArray();
    for (const X& x : v) write(w_, x);
    w_.EndArray();
  }

 private:
  void Key(std::string_view k) {
    written_.emplace_back(k);
    w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
  }
  void String(const std::string& s, bool as_key = false) {
    if (as_key) {
      w_.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    } else {
      w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    }
  }
  // A JSON value with object keys sorted at every level.
  void Sorted(const rapidjson::Value& v) {
    if (v.IsObject()) {
      std::vector<const rapidjson::Value::Member*> members;
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) members.push_back(&*it);
      std::stable_sort(members.begin(), members.end(), [](auto* a, auto* b) {
        return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
               std::string_view(b->name.GetString(), b->name.GetStringLength());
      });
      w_.StartObject();
      for (const auto* m : members) {
        w_.Key(m->name.GetString(), m->name.GetStringLength());
        Sorted(m->value);
      }
      w_.EndObject();
    } else if (v.IsArray()) {
      w_.StartArray();
      for (const auto& item : v.GetArray()) Sorted(item);
      w_.EndArray();
    } else {
      v.Accept(w_);
    }
  }

  Writer& w_;
  std::vector<std::string> written_;
};

void WriteExec(Writer& w, const ExecAction& e) {
  Object o(w);
  o.Strings("command", e.command);
  o.End(e.unknown);
}

void WriteHeader(Writer& w, const HttpHeader& h) {
  Object o(w);
  o.Str("name", h.name, true);
  o.Str("value", h.value, true);
  o.End(h.unknown);
}

void WriteHttpGet(Writer& w, const HttpGetAction& h) {
  Object o(w);
  o.Str("path", h.path);
  o.Port("port", h.port);
  o.Str("host", h.host);
  o.Str("scheme", h.scheme);
  o.List("httpHeaders", h.http_headers, WriteHeader);
  o.End(h.unknown);
}

void WriteTcp(Writer& w, const TcpSocketAction& t) {
  Object o(w);
  o.Port("port", t.port);
  o.Str("host", t.host);
  o.End(t.unknown);
}

void WriteGrpc(Writer& w, const GrpcAction& g) {
  Object o(w);
  o.Int("port", g.port, true);
  o.Opt("service", g.service);
  o.End(g.unknown);
}

void WriteSleep(Writer& w, const SleepAction& s) {
  Object o(w);
  o.Int("seconds", s.seconds, true);
  o.End(s.unknown);
}

void WriteProbe(Writer& w, const Probe& p) {
  Object o(w);
  o.Obj("exec", p.handler.exec, WriteExec);
  o.Obj("httpGet", p.handler.http_get, WriteHttpGet);
  o.Obj("tcpSocket", p.handler.tcp_socket, WriteTcp);
  o.Obj("grpc", p.handler.grpc, WriteGrpc);
  o.Int("initialDelaySeconds", p.initial_delay_seconds);
  o.Int("failureThreshold", p.failure_threshold, true);
  o.Int("timeoutSeconds", p.timeout_seconds, true);
  o.Int("periodSeconds", p.period_seconds, true);
  o.Int("successThreshold", p.success_threshold, true);
  o.Opt("terminationGracePeriodSeconds", p.termination_grace_period_seconds);
  o.End(p.unknown);
}

void WriteLifecycleHandler(Writer& w, const LifecycleHandler& h) {
  Object o(w);
  o.Obj("exec", h.exec, WriteExec);
  o.Obj("httpGet", h.http_get, WriteHttpGet);
  o.Obj("tcpSocket", h.tcp_socket, WriteTcp);
  o.Obj("sleep", h.sleep, WriteSleep);
  o.End(h.unknown);
}

void WriteLifecycle(Writer& w, const Lifecycle& l) {
  Object o(w);
  o.Obj("postStart", l.post_start, WriteLifecycleHandler);
  o.Obj("preStop", l.pre_stop, WriteLifecycleHandler);
  o.End(l.unknown);
}

void WriteCapabilities(Writer& w, const Capabilities& c) {
  Object o(w);
  o.Strings("add", c.add);
  o.Strings("drop", c.drop);
  o.End(c.unknown);
}

void WriteSeccomp(Writer& w, const SeccompProfile& s) {
  Object o(w);
  o.Str("type", s.type, true);
  o.Str("localhostProfile", s.localhost_profile);
  o.End(s.unknown);
}

void WriteSecurityContext(Writer& w, const SecurityContext& s) {
  Object o(w);
  o.Obj("capabilities", s.capabilities, WriteCapabilities);
  o.Opt("privileged", s.privileged);
  o.Opt("runAsUser", s.run_as_user);
  o.Opt("runAsGroup", s.run_as_group);
  o.Opt("runAsNonRoot", s.run_as_non_root);
  o.Opt("readOnlyRootFilesystem", s.read_only_root_filesystem);
  o.Opt("allowPrivilegeEscalation", s.allow_privilege_escalation);
  o.Str("procMount", s.proc_mount);
  o.Obj("seccompProfile", s.seccomp_profile, WriteSeccomp);
  o.End(s.unknown);
}

void WriteFieldRef(Writer& w, const ObjectFieldSelector& f) {
  Object o(w);
  o.Str("apiVersion", f.api_version);
  o.Str("fieldPath", f.field_path, true);
  o.End(f.unknown);
}

void WriteResourceFieldRef(Writer& w, const ResourceFieldSelector& r) {
  Object o(w);
  o.Str("containerName", r.container_name);
  o.Str("resource", r.resource, true);
  o.Quantity("divisor", r.divisor);
  o.End(r.unknown);
}

void WriteEnvVarSource(Writer& w, const EnvVarSource& s) {
  Object o(w);
  o.Obj("fieldRef", s.field_ref, WriteFieldRef);
  o.Obj("resourceFieldRef", s.resource_field_ref, WriteResourceFieldRef);
  o.End(s.unknown);
}

void WriteEnv(Writer& w, const EnvVar& e) {
  Object o(w);
  o.Str("name", e.name, true);
  o.Str("value", e.value);
  o.Obj("valueFrom", e.value_from, WriteEnvVarSource);
  o.End(e.unknown);
}

void WritePort(Writer& w, const ContainerPort& p) {
  Object o(w);
  o.Str("name", p.name);
  o.Int("containerPort", p.container_port, true);
  o.Str("protocol", p.protocol);
  o.Int("hostPort", p.host_port);
  o.Str("hostIP", p.host_ip);
  o.End(p.unknown);
}

void WriteResources(Writer& w, const ResourceRequirements& r) {
  Object o(w);
  o.Resources("limits", r.limits);
  o.Resources("requests", r.requests);
  o.End(r.unknown);
}

void WriteMount(Writer& w, const VolumeMount& m) {
  Object o(w);
  o.Str("name", m.name, true);
  o.Bool("readOnly", m.read_only);
  o.Str("mountPath", m.mount_path, true);
  o.Str("subPath", m.sub_path);
  o.Str("mountPropagation", m.mount_propagation);
  o.End(m.unknown);
}

void WriteResizePolicy(Writer& w, const ContainerResizePolicy& r) {
  Object o(w);
  o.Str("resourceName", r.resource_name, true);
  o.Str("restartPolicy", r.restart_policy, true);
  o.End(r.unknown);
}

void WriteContainer(Writer& w, const Container& c) {
  Object o(w);
  o.Str("name", c.name, true);
  o.Str("image", c.image);
  o.Strings("command", c.command);
  o.Strings("args", c.args);
  o.Str("workingDir", c.working_dir);
  o.List("env", c.env, WriteEnv);
  o.List("ports", c.ports, WritePort);
  o.Obj("resources", c.resources, WriteResources);
  o.Obj("livenessProbe", c.liveness_probe, WriteProbe);
  o.Obj("readinessProbe", c.readiness_probe, WriteProbe);
  o.Obj("startupProbe", c.startup_probe, WriteProbe);
  o.Obj("lifecycle", c.lifecycle, WriteLifecycle);
  o.List("volumeMounts", c.volume_mounts, WriteMount);
  o.Str("terminationMessagePath", c.termination_message_path);
  o.Str("terminationMessagePolicy", c.termination_message_policy);
  o.Str("imagePullPolicy", c.image_pull_policy);
  o.Obj("securityContext", c.security_context, WriteSecurityContext);
  o.Bool("stdin", c.stdin);
  o.Bool("stdinOnce", c.stdin_once);
  o.Bool("tty", c.tty);
  o.Str("restartPolicy", c.restart_policy);
  o.List("resizePolicy", c.resize_policy, WriteResizePolicy);
  o.End(c.unknown);
}

void WriteEmptyDir(Writer& w, const EmptyDirVolumeSource& e) {
  Object o(w);
  o.Str("medium", e.medium);
  o.Quantity("sizeLimit", e.size_limit);
  o.End(e.unknown);
}

void WriteHostPath(Writer& w, const HostPathVolumeSource& h) {
  Object o(w);
  o.Str("path", h.path, true);
  o.Str("type", h.type, true);
  o.End(h.unknown);
}

void WriteVolume(Writer& w, const Volume& v) {
  Object o(w);
  o.Str("name", v.name, true);
  o.Obj("emptyDir", v.empty_dir, WriteEmptyDir);
  o.Obj("hostPath", v.host_path, WriteHostPath);
  o.End(v.unknown);
}

void WriteSysctl(Writer& w, const Sysctl& s) {
  Object o(w);
  o.Str("name", s.name, true);
  o.Str("value", s.value, true);
  o.End(s.unknown);
}

void WritePodSecurityContext(Writer& w, const PodSecurityContext& s) {
  Object o(w);
  o.Opt("runAsUser", s.run_as_user);
  o.Opt("runAsGroup", s.run_as_group);
  o.Opt("runAsNonRoot", s.run_as_non_root);
  o.Ints("supplementalGroups", s.supplemental_groups);
  o.Opt("fsGroup", s.fs_group);
  o.List("sysctls", s.sysctls, WriteSysctl);
  o.Obj("seccompProfile", s.seccomp_profile, WriteSeccomp);
  o.End(s.unknown);
}

void WriteDnsOption(Writer& w, const PodDnsConfigOption& d) {
  Object o(w);
  o.Str("name", d.name);
  o.Opt("value", d.value);
  o.End(d.unknown);
}

void WriteDnsConfig(Writer& w, const PodDnsConfig& d) {
  Object o(w);
  o.Strings("nameservers", d.nameservers);
  o.Strings("searches", d.searches);
  o.List("options", d.options, WriteDnsOption);
  o.End(d.unknown);
}

void WriteHostAlias(Writer& w, const HostAlias& h) {
  Object o(w);
  o.Str("ip", h.ip, true);
  o.Strings("hostnames", h.hostnames);
  o.End(h.unknown);
}

void WriteSpec(Writer& w, const PodSpec& s) {
  Object o(w);
  o.Bool("hostNetwork", s.host_network);
  o.Bool("hostPID", s.host_pid);
  o.Bool("hostIPC", s.host_ipc);
  o.Opt("shareProcessNamespace", s.share_process_namespace);
  o.Str("priorityClassName", s.priority_class_name);
  o.Opt("priority", s.priority);
  if (s.security_context && !(*s.security_context == PodSecurityContext{})) {
    o.Obj("securityContext", s.security_context, WritePodSecurityContext);
  }
  o.List("initContainers", s.init_containers, WriteContainer);
  o.List("containers", s.containers, WriteContainer, true);
  o.List("volumes", s.volumes, WriteVolume);
  o.Str("restartPolicy", s.restart_policy);
  o.Opt("terminationGracePeriodSeconds", s.termination_grace_period_seconds);
  o.Opt("activeDeadlineSeconds", s.active_deadline_seconds);
  o.Str("dnsPolicy", s.dns_policy);
  o.Obj("dnsConfig", s.dns_config, WriteDnsConfig);
  o.Str("nodeName", s.node_name);
  o.Str("hostname", s.hostname);
  o.Str("subdomain", s.subdomain);
  o.List("hostAliases", s.host_aliases, WriteHostAlias);
  o.Str("schedulerName", s.scheduler_name);
  o.Opt("enableServiceLinks", s.enable_service_links);
  o.Opt("setHostnameAsFQDN", s.set_hostname_as_fqdn);
  o.Str("runtimeClassName", s.runtime_class_name);
  o.End(s.unknown);
}

void WriteMeta(Writer& w, const ObjectMeta& m) {
  Object o(w);
  o.Str("name", m.name);
  o.Str("generateName", m.generate_name);
  o.Str("namespace", m.namespace_);
  o.Str("uid", m.uid);
  o.Str("resourceVersion", m.resource_version);
  o.Int("generation", m.generation);
  o.Time("creationTimestamp", m.creation_timestamp, true);
  o.Time("deletionTimestamp", m.deletion_timestamp);
  o.Opt("deletionGracePeriodSeconds", m.deletion_grace_period_seconds);
  o.Map("labels", m.labels);
  o.Map("annotations", m.annotations);
  o.End(m.unknown);
}

void WriteWaiting(Writer& w, const ContainerStateWaiting& s) {
  Object o(w);
  o.Str("reason", s.reason);
  o.Str("message", s.message);
  o.End(s.unknown);
}

void WriteRunning(Writer& w, const ContainerStateRunning& s) {
  Object o(w);
  o.Time("startedAt", s.started_at, true);
  o.End(s.unknown);
}

void WriteTerminated(Writer& w, const ContainerStateTerminated& s) {
  Object o(w);
  o.Int("exitCode", s.exit_code, true);
  o.Int("signal", s.signal);
  o.Str("reason", s.reason);
  o.Str("message", s.message);
  o.Time("startedAt", s.started_at, true);
  o.Time("finishedAt", s.finished_at, true);
  o.Str("containerID", s.container_id);
  o.End(s.unknown);
}

void WriteState(Writer& w, const ContainerState& s) {
  Object o(w);
  o.Obj("waiting", s.waiting, WriteWaiting);
  o.Obj("running", s.running, WriteRunning);
  o.Obj("terminated", s.terminated, WriteTerminated);
  o.End(s.unknown);
}

void WriteContainerStatus(Writer& w, const ContainerStatus& s) {
  Object o(w);
  o.Str("name", s.name, true);
  o.Obj("state", s.state, WriteState);
  o.Obj("lastState", s.last_state, WriteState);
  o.Bool("ready", s.ready, true);
  o.Int("restartCount", s.restart_count, true);
  o.Str("image", s.image, true);
  o.Str("imageID", s.image_id, true);
  o.Str("containerID", s.container_id);
  o.Opt("started", s.started);
  o.End(s.unknown);
}

void WriteCondition(Writer& w, const PodCondition& c) {
  Object o(w);
  o.Str("type", c.type, true);
  o.Str("status", c.status, true);
  o.Time("lastProbeTime", c.last_probe_time, true);
  o.Time("lastTransitionTime", c.last_transition_time);
  o.Str("reason", c.reason);
  o.Str("message", c.message);
  o.End(c.unknown);
}

void WritePodIp(Writer& w, const PodIP& ip) {
  Object o(w);
  o.Str("ip", ip.ip, true);
  o.End(ip.unknown);
}

void WriteStatus(Writer& w, const PodStatus& s) {
  Object o(w);
  o.Str("phase", s.phase);
  o.List("conditions", s.conditions, WriteCondition);
  o.Str("message", s.message);
  o.Str("reason", s.reason);
  o.Str("hostIP", s.host_ip);
  o.List("hostIPs", s.host_ips, WritePodIp);
  o.Str("podIP", s.pod_ip);
  o.List("podIPs", s.pod_ips, WritePodIp);
  o.Time("startTime", s.start_time);
  o.List("initContainerStatuses", s.init_container_statuses, WriteContainerStatus);
  o.List("containerStatuses", s.container_statuses, WriteContainerStatus);
  o.Str("qosClass", s.qos_class);
  o.End(s.unknown);
}

}  // namespace

std::string CanonicalPodJson(const Pod& pod) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  Object o(w);
  o.Str("apiVersion", pod.api_version, true);
  o.Str("kind", pod.kind, true);
  o.Obj("metadata", pod.metadata, WriteMeta);
  o.Obj("spec", pod.spec, WriteSpec);
  o.Obj("status", pod.status, WriteStatus);
  o.End(pod.unknown);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace cubelet::api
