#include "api/validation.h"

#include <limits>
#include <set>

#include "absl/strings/str_join.h"
#include "common/host_path.h"
#include "common/strings.h"

namespace cubelet::api {
namespace {

constexpr char kLabelMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
constexpr char kSubdomainMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

constexpr char kHttpHeaderNameMsg[] =
    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for "
    "validation is '[-A-Za-z0-9]+')";
constexpr char kPortRangeMsg[] = "must be between 1 and 65535, inclusive";

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// upstream's IsValidPortName (IANA_SVC_NAME): one message per rule broken.
std::vector<std::string> PortNameErrors(const std::string& port) {
  std::vector<std::string> out;
  if (port.size() > 15) out.push_back("must be no more than 15 characters");
  if (port.empty() || port.find_first_not_of("-abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
    out.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (port.find_first_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) {
    out.push_back("must contain at least one letter (a-z)");
  }
  if (port.find("--") != std::string::npos) out.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) out.push_back("must not begin or end with a hyphen");
  return out;
}

bool IsHttpHeaderName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsAlnum(c) && !(c >= 'A' && c <= 'Z') && c != '-') return false;
  }
  return true;
}

class Errors {
 public:
  void Required(const std::string& path, std::string_view detail = {}) {
    out_.push_back(StrCat(path, ": Required value", detail.empty() ? "" : ": ", detail));
  }
  void Invalid(const std::string& path, const std::string& value, const std::string& why) {
    out_.push_back(StrCat(path, ": Invalid value: \"", value, "\": ", why));
  }
  void InvalidInt(const std::string& path, int64_t value, const std::string& why) {
    out_.push_back(StrCat(path, ": Invalid value: ", value, ": ", why));
  }
  void InvalidEach(const std::string& path, const std::string& value, const std::vector<std::string>& whys) {
    for (const auto& why : whys) Invalid(path, value, why);
  }
  void Duplicate(const std::string& path, const std::string& value) {
    out_.push_back(StrCat(path, ": Duplicate value: \"", value, "\""));
  }
  void NotFound(const std::string& path, const std::string& value) {
    out_.push_back(StrCat(path, ": Not found: \"", value, "\""));
  }
  void Unsupported(const std::string& path, const std::string& value, const std::vector<std::string>& ok) {
    std::vector<std::string> quoted;
    for (const auto& o : ok) quoted.push_back(StrCat("\"", o, "\""));
    out_.push_back(StrCat(path, ": Unsupported value: \"", value, "\": supported values: ", absl::StrJoin(quoted, ", ")));
  }
  void Forbidden(const std::string& path, const std::string& why) { out_.push_back(StrCat(path, ": Forbidden: ", why)); }
  std::vector<std::string> Take() { return std::move(out_); }

 private:
  std::vector<std::string> out_;
};

// upstream's ValidatePortNumOrName: a number in range, or an IANA service name, which needs a
// letter, so an all-digit string ("99999999999") never reaches a number parser.
void ValidatePortNumOrName(const IntOrString& port, const std::string& path, Errors& e) {
  if (!port.is_string) {
    if (port.int_value < 1 || port.int_value > 65535) e.InvalidInt(path, port.int_value, kPortRangeMsg);
    return;
  }
  e.InvalidEach(path, port.str_value, PortNameErrors(port.str_value));
}

void ValidateHttpGet(const HttpGetAction& h, const std::string& path, Errors& e) {
  ValidatePortNumOrName(h.port, StrCat(path, ".port"), e);
  if (h.scheme != "HTTP" && h.scheme != "HTTPS") e.Unsupported(StrCat(path, ".scheme"), h.scheme, {"HTTP", "HTTPS"});
  for (const auto& header : h.http_headers) {
    if (!IsHttpHeaderName(header.name)) e.Invalid(StrCat(path, ".httpHeaders"), header.name, kHttpHeaderNameMsg);
  }
}

// upstream's validateHandler over the handler kinds a probe or a lifecycle hook may carry.
struct HandlerRefs {
  const std::optional<ExecAction>* exec;
  const std::optional<HttpGetAction>* http_get;
  const std::optional<TcpSocketAction>* tcp_socket;
  const std::optional<GrpcAction>* grpc;    // probes only
  const std::optional<SleepAction>* sleep;  // lifecycle hooks only
};

void ValidateHandler(const HandlerRefs& h, std::optional<int64_t> grace_period, const std::string& path, Errors& e) {
  int handlers = 0;
  auto one_more = [&](const char* field) {
    if (handlers++ == 0) return true;
    e.Forbidden(StrCat(path, ".", field), "may not specify more than 1 handler type");
    return false;
  };
  if (*h.exec && one_more("exec") && (*h.exec)->command.empty()) e.Required(StrCat(path, ".exec.command"));
  if (*h.http_get && one_more("httpGet")) ValidateHttpGet(**h.http_get, StrCat(path, ".httpGet"), e);
  if (*h.tcp_socket && one_more("tcpSocket")) ValidatePortNumOrName((*h.tcp_socket)->port, StrCat(path, ".tcpSocket.port"), e);
  if (h.grpc && *h.grpc && one_more("grpc")) {
    const int32_t port = (*h.grpc)->port;
    if (port < 1 || port > 65535) e.InvalidInt(StrCat(path, ".grpc.port"), port, kPortRangeMsg);
  }
  if (h.sleep && *h.sleep && one_more("sleep") && grace_period) {
    const int64_t seconds = (*h.sleep)->seconds;
    if (seconds <= 0 || seconds > *grace_period) {
      e.InvalidInt(StrCat(path, ".sleep.seconds"), seconds,
                   StrCat("must be greater than 0 and less than terminationGracePeriodSeconds (", *grace_period, ")"));
    }
  }
  if (handlers == 0) e.Required(path, "must specify a handler type");
}

void ValidateProbe(const std::optional<Probe>& p, const std::string& path, bool success_must_be_one, Errors& e) {
  if (!p) return;
  const ProbeHandler& h = p->handler;
  ValidateHandler({&h.exec, &h.http_get, &h.tcp_socket, &h.grpc, nullptr}, std::nullopt, path, e);
  if (p->initial_delay_seconds < 0) e.InvalidInt(StrCat(path, ".initialDelaySeconds"), p->initial_delay_seconds, "must be greater than or equal to 0");
  for (auto [field, v] : {std::pair{"timeoutSeconds", p->timeout_seconds}, std::pair{"periodSeconds", p->period_seconds},
                          std::pair{"successThreshold", p->success_threshold},
                          std::pair{"failureThreshold", p->failure_threshold}}) {
    if (v < 1) e.InvalidInt(StrCat(path, ".", field), v, "must be greater than or equal to 1");
  }
  if (success_must_be_one && p->success_threshold != 1) {
    e.InvalidInt(StrCat(path, ".successThreshold"), p->success_threshold, "must be 1");
  }
  if (p->termination_grace_period_seconds && *p->termination_grace_period_seconds < 1) {
    e.InvalidInt(StrCat(path, ".terminationGracePeriodSeconds"), *p->termination_grace_period_seconds,
                 "must be greater than 0");
  }
}

void ValidateLifecycle(const std::optional<Lifecycle>& l, std::optional<int64_t> grace_period, const std::string& path,
                       Errors& e) {
  if (!l) return;
  for (auto [field, hook] : {std::pair{"postStart", &l->post_start}, std::pair{"preStop", &l->pre_stop}}) {
    if (!*hook) continue;
    const LifecycleHandler& h = **hook;
    ValidateHandler({&h.exec, &h.http_get, &h.tcp_socket, nullptr, &h.sleep}, grace_period, StrCat(path, ".", field), e);
  }
}

void ValidateResources(const ResourceRequirements& r, const std::string& path, Errors& e) {
  for (const auto* list : {&r.limits, &r.requests}) {
    const std::string field = list == &r.limits ? "limits" : "requests";
    for (const auto& [name, q] : *list) {
      const std::string qp = StrCat(path, ".", field, "[", name, "]");
      if (q.Compare(Quantity()) < 0) {
        e.Invalid(qp, q.ToString(), "must be greater than or equal to 0");
        continue;
      }
      // The node takes cpu in thousandths and everything else in whole units, as int64 (shares,
      // quota, byte limits): a value that does not fit is refused here, never wrapped later.
      constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
      const bool cpu = name == "cpu";
      if (cpu ? !q.CheckedMilliValue() : !q.CheckedValue()) {
        const Quantity max = cpu ? Quantity::FromMilli(kMaxInt64) : Quantity::FromInt(kMaxInt64);
        e.Invalid(qp, q.ToString(), StrCat("must be less than or equal to ", max.ToString()));
      }
    }
  }
  for (const auto& [name, req] : r.requests) {
    auto lim = r.limits.find(name);
    if (lim != r.limits.end() && req.Compare(lim->second) > 0) {
      e.Invalid(StrCat(path, ".requests"), req.ToString(),
                StrCat("must be less than or equal to ", name, " limit of ", lim->second.ToString()));
    }
  }
}

void ValidateContainer(const Container& c, const std::string& path, const std::set<std::string>& volumes,
                       bool is_init, std::optional<int64_t> grace_period, Errors& e) {
  if (c.name.empty()) {
    e.Required(StrCat(path, ".name"));
  } else {
    e.InvalidEach(StrCat(path, ".name"), c.name, DnsLabelErrors(c.name));
  }
  if (c.image.empty() || c.image.find_first_not_of(" \t") == std::string::npos) e.Required(StrCat(path, ".image"));
  if (c.image_pull_policy != "Always" && c.image_pull_policy != "IfNotPresent" && c.image_pull_policy != "Never") {
    e.Unsupported(StrCat(path, ".imagePullPolicy"), c.image_pull_policy, {"Always", "IfNotPresent", "Never"});
  }
  if (c.termination_message_policy != "File" && c.termination_message_policy != "FallbackToLogsOnError") {
    e.Unsupported(StrCat(path, ".terminationMessagePolicy"), c.termination_message_policy,
                  {"File", "FallbackToLogsOnError"});
  }
  std::set<std::string> port_names;
  for (size_t i = 0; i < c.ports.size(); ++i) {
    const auto& p = c.ports[i];
    const std::string pp = StrCat(path, ".ports[", i, "]");
    if (p.container_port == 0) {
      e.Required(StrCat(pp, ".containerPort"));
    } else if (p.container_port < 1 || p.container_port > 65535) {
      e.InvalidInt(StrCat(pp, ".containerPort"), p.container_port, kPortRangeMsg);
    }
    if (p.host_port != 0 && (p.host_port < 1 || p.host_port > 65535)) {
      e.InvalidInt(StrCat(pp, ".hostPort"), p.host_port, kPortRangeMsg);
    }
    if (p.protocol != "TCP" && p.protocol != "UDP" && p.protocol != "SCTP") {
      e.Unsupported(StrCat(pp, ".protocol"), p.protocol, {"SCTP", "TCP", "UDP"});
    }
    if (!p.name.empty()) {
      if (auto whys = PortNameErrors(p.name); !whys.empty()) {
        e.InvalidEach(StrCat(pp, ".name"), p.name, whys);
      } else if (!port_names.insert(p.name).second) {
        e.Duplicate(StrCat(pp, ".name"), p.name);
      }
    }
  }
  std::set<std::string> env_names;
  for (size_t i = 0; i < c.env.size(); ++i) {
    const auto& ev = c.env[i];
    const std::string ep = StrCat(path, ".env[", i, "]");
    if (ev.name.empty()) e.Required(StrCat(ep, ".name"));
    else if (ev.name.find('=') != std::string::npos) {
      e.Invalid(StrCat(ep, ".name"), ev.name, "a valid environment variable name must consist only of printable ASCII characters other than '='");
    }
    if (ev.value_from && !ev.value.empty()) {
      e.Invalid(StrCat(ep, ".valueFrom"), "", "may not be specified when `value` is not empty");
    }
  }
  ValidateResources(c.resources, StrCat(path, ".resources"), e);
  std::set<std::string> mount_paths;
  for (size_t i = 0; i < c.volume_mounts.size(); ++i) {
    const auto& m = c.volume_mounts[i];
    const std::string mp = StrCat(path, ".volumeMounts[", i, "]");
    if (m.name.empty()) e.Required(StrCat(mp, ".name"));
    else if (!volumes.contains(m.name)) e.NotFound(StrCat(mp, ".name"), m.name);
    if (m.mount_path.empty()) e.Required(StrCat(mp, ".mountPath"));
    else if (!mount_paths.insert(m.mount_path).second) e.Invalid(StrCat(mp, ".mountPath"), m.mount_path, "must be unique");
    if (!m.sub_path.empty()) {
      if (m.sub_path[0] == '/') e.Invalid(StrCat(mp, ".subPath"), m.sub_path, "must be a relative path");
      for (size_t s = 0; s <= m.sub_path.size();) {
        size_t slash = m.sub_path.find('/', s);
        if (slash == std::string::npos) slash = m.sub_path.size();
        if (m.sub_path.substr(s, slash - s) == "..") {
          e.Invalid(StrCat(mp, ".subPath"), m.sub_path, "must not contain '..'");
          break;
        }
        s = slash + 1;
      }
    }
    if (!m.mount_propagation.empty() && m.mount_propagation != "None" && m.mount_propagation != "HostToContainer" &&
        m.mount_propagation != "Bidirectional") {
      e.Unsupported(StrCat(mp, ".mountPropagation"), m.mount_propagation, {"Bidirectional", "HostToContainer", "None"});
    }
  }
  if (is_init && c.restart_policy.empty()) {
    if (c.liveness_probe) e.Forbidden(StrCat(path, ".livenessProbe"), "may not be set for init containers without restartPolicy=Always");
    if (c.readiness_probe) e.Forbidden(StrCat(path, ".readinessProbe"), "may not be set for init containers without restartPolicy=Always");
    if (c.startup_probe) e.Forbidden(StrCat(path, ".startupProbe"), "may not be set for init containers without restartPolicy=Always");
    if (c.lifecycle) e.Forbidden(StrCat(path, ".lifecycle"), "may not be set for init containers without restartPolicy=Always");
  } else if (!c.restart_policy.empty() && (!is_init || c.restart_policy != "Always")) {
    e.Unsupported(StrCat(path, ".restartPolicy"), c.restart_policy, {"Always"});
  }
  for (size_t i = 0; i < c.resize_policy.size(); ++i) {
    const std::string rp = StrCat(path, ".resizePolicy[", i, "]");
    const auto& r = c.resize_policy[i];
    if (r.resource_name != "cpu" && r.resource_name != "memory") {
      e.Unsupported(StrCat(rp, ".resourceName"), r.resource_name, {"cpu", "memory"});
    }
    if (r.restart_policy != "NotRequired" && r.restart_policy != "RestartContainer") {
      e.Unsupported(StrCat(rp, ".restartPolicy"), r.restart_policy, {"NotRequired", "RestartContainer"});
    }
  }
  ValidateProbe(c.liveness_probe, StrCat(path, ".livenessProbe"), true, e);
  ValidateProbe(c.readiness_probe, StrCat(path, ".readinessProbe"), false, e);
  ValidateProbe(c.startup_probe, StrCat(path, ".startupProbe"), true, e);
  if (!is_init || !c.restart_policy.empty()) ValidateLifecycle(c.lifecycle, grace_period, StrCat(path, ".lifecycle"), e);
}

}  // namespace

bool IsDnsLabel(const std::string& s) { return DnsLabelErrors(s).empty(); }
bool IsDnsSubdomain(const std::string& s) { return DnsSubdomainErrors(s).empty(); }

std::vector<std::string> DnsLabelErrors(const std::string& s) {
  std::vector<std::string> out;
  if (s.size() > 63) out.push_back("must be no more than 63 characters");
  bool ok = !s.empty() && IsAlnum(s.front()) && IsAlnum(s.back());
  for (size_t i = 0; ok && i < s.size(); ++i) ok = IsAlnum(s[i]) || s[i] == '-';
  if (!ok) out.push_back(kLabelMsg);
  return out;
}

// upstream's regex limits only the whole name (253), not each dot-separated part.
std::vector<std::string> DnsSubdomainErrors(const std::string& s) {
  std::vector<std::string> out;
  if (s.size() > 253) out.push_back("must be no more than 253 characters");
  bool ok = !s.empty();
  for (size_t start = 0; ok;) {
    const size_t dot = std::min(s.find('.', start), s.size());
    const std::string_view part = std::string_view(s).substr(start, dot - start);
    ok = !part.empty() && IsAlnum(part.front()) && IsAlnum(part.back());
    for (size_t i = 0; ok && i < part.size(); ++i) ok = IsAlnum(part[i]) || part[i] == '-';
    if (dot == s.size()) break;
    start = dot + 1;
  }
  if (!ok) out.push_back(kSubdomainMsg);
  return out;
}

std::vector<std::string> UidErrors(const std::string& uid) {
  // Upstream leaves a uid's form free, but cubelet builds host paths from it as root (pod dir,
  // logs, cgroups): it must be one plain path element, as CheckPathComponent defines, without
  // control characters either.
  std::vector<std::string> out;
  if (absl::Status s = CheckPathComponent({"metadata.uid", uid}); !s.ok()) {
    std::string_view why = ToStd(s.message());
    const std::string prefix = StrCat("metadata.uid \"", uid, "\" ");
    if (why.starts_with(prefix)) why.remove_prefix(prefix.size());
    out.emplace_back(why);
  }
  for (unsigned char c : uid) {
    if (c != '\0' && (c < 0x20 || c == 0x7f)) {
      out.push_back("must not contain control characters");
      break;
    }
  }
  return out;
}

std::vector<std::string> ValidatePod(const Pod& pod) {
  Errors e;
  const auto& m = pod.metadata;
  if (m.name.empty()) e.Required("metadata.name");
  else e.InvalidEach("metadata.name", m.name, DnsSubdomainErrors(m.name));
  if (m.namespace_.empty()) e.Required("metadata.namespace");
  else e.InvalidEach("metadata.namespace", m.namespace_, DnsLabelErrors(m.namespace_));
  // Unset is allowed (the API server or the static pod source assigns one before use).
  if (!m.uid.empty()) e.InvalidEach("metadata.uid", m.uid, UidErrors(m.uid));

  const auto& s = pod.spec;
  std::set<std::string> volumes;
  for (size_t i = 0; i < s.volumes.size(); ++i) {
    const auto& v = s.volumes[i];
    const std::string vp = StrCat("spec.volumes[", i, "]");
    if (v.name.empty()) e.Required(StrCat(vp, ".name"));
    else if (auto whys = DnsLabelErrors(v.name); !whys.empty()) e.InvalidEach(StrCat(vp, ".name"), v.name, whys);
    else if (!volumes.insert(v.name).second) e.Duplicate(StrCat(vp, ".name"), v.name);
    if (v.empty_dir && v.host_path) e.Forbidden(vp, "may not specify more than 1 volume type");
    if (v.empty_dir && !v.empty_dir->medium.empty() && v.empty_dir->medium != "Memory") {
      e.Unsupported(StrCat(vp, ".emptyDir.medium"), v.empty_dir->medium, {"", "Memory"});
    }
    if (v.host_path) {
      if (v.host_path->path.empty()) e.Required(StrCat(vp, ".hostPath.path"));
      static const std::vector<std::string> kTypes = {"", "DirectoryOrCreate", "Directory", "FileOrCreate",
                                                      "File", "Socket", "CharDevice", "BlockDevice"};
      if (std::find(kTypes.begin(), kTypes.end(), v.host_path->type) == kTypes.end()) {
        e.Unsupported(StrCat(vp, ".hostPath.type"), v.host_path->type, {"BlockDevice", "CharDevice", "Directory",
                      "DirectoryOrCreate", "File", "FileOrCreate", "Socket"});
      }
    }
  }
  if (s.containers.empty()) e.Required("spec.containers");
  std::set<std::string> names;
  for (size_t i = 0; i < s.init_containers.size(); ++i) {
    const std::string p = StrCat("spec.initContainers[", i, "]");
    ValidateContainer(s.init_containers[i], p, volumes, true, s.termination_grace_period_seconds, e);
    if (!s.init_containers[i].name.empty() && !names.insert(s.init_containers[i].name).second) {
      e.Duplicate(StrCat(p, ".name"), s.init_containers[i].name);
    }
  }
  for (size_t i = 0; i < s.containers.size(); ++i) {
    const std::string p = StrCat("spec.containers[", i, "]");
    ValidateContainer(s.containers[i], p, volumes, false, s.termination_grace_period_seconds, e);
    if (!s.containers[i].name.empty() && !names.insert(s.containers[i].name).second) {
      e.Duplicate(StrCat(p, ".name"), s.containers[i].name);
    }
  }
  if (s.restart_policy != "Always" && s.restart_policy != "OnFailure" && s.restart_policy != "Never") {
    e.Unsupported("spec.restartPolicy", s.restart_policy, {"Always", "OnFailure", "Never"});
  }
  if (s.termination_grace_period_seconds && *s.termination_grace_period_seconds < 0) {
    e.InvalidInt("spec.terminationGracePeriodSeconds", *s.termination_grace_period_seconds,
                 "must be greater than or equal to 0");
  }
  if (s.active_deadline_seconds && *s.active_deadline_seconds < 1) {
    e.InvalidInt("spec.activeDeadlineSeconds", *s.active_deadline_seconds, "must be between 1 and 2147483647, inclusive");
  }
  static const std::vector<std::string> kDns = {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"};
  if (std::find(kDns.begin(), kDns.end(), s.dns_policy) == kDns.end()) e.Unsupported("spec.dnsPolicy", s.dns_policy, kDns);
  if (s.dns_policy == "None" && (!s.dns_config || s.dns_config->nameservers.empty())) {
    e.Required("spec.dnsConfig", "must provide at least one DNS nameserver when DNS policy is None");
  }
  if (!s.hostname.empty() && !IsDnsLabel(s.hostname)) e.Invalid("spec.hostname", s.hostname, kLabelMsg);
  if (!s.subdomain.empty() && !IsDnsLabel(s.subdomain)) e.Invalid("spec.subdomain", s.subdomain, kLabelMsg);
  for (size_t i = 0; i < s.host_aliases.size(); ++i) {
    if (s.host_aliases[i].ip.empty()) e.Required(StrCat("spec.hostAliases[", i, "].ip"));
  }
  return e.Take();
}

absl::Status ValidatePodStatus(const Pod& pod) {
  auto errors = ValidatePod(pod);
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
}

}  // namespace cubelet::api
