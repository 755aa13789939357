#include "api/json_codec.h"

#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::api {
namespace {

using rapidjson::Value;

// ---------------------------------------------------------------- YAML -> JSON

// Plain (unquoted) scalars resolve as sigs.k8s.io/yaml resolves them (go-yaml v2, YAML 1.1),
// since that is what kubectl and the kubelet read manifests with.
std::optional<bool> YamlBool(const std::string& s) {
  static const std::set<std::string, std::less<>> kTrue = {"y", "Y", "yes", "Yes", "YES", "on",  "On",
                                                           "ON", "true", "True", "TRUE"};
  static const std::set<std::string, std::less<>> kFalse = {"n", "N", "no", "No", "NO", "off", "Off",
                                                            "OFF", "false", "False", "FALSE"};
  if (kTrue.contains(s)) return true;
  if (kFalse.contains(s)) return false;
  return std::nullopt;
}

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                               : (c >= '0' && c < static_cast<char>('0' + base));
    if (!ok) return false;
  }
  return true;
}

// An integer as Go's strconv.ParseInt(s, 0, 64) (or ParseUint) reads it, underscores removed
// first as go-yaml does: decimal, 0x hex, 0b binary, 0o or a leading 0 octal. The JSON
// (decimal) text, or nullopt.
std::optional<std::string> YamlInt(std::string s) {
  std::erase(s, '_');
  bool negative = false;
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    i = 1;
  }
  std::string_view digits = std::string_view(s).substr(i);
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'b' || digits[1] == 'B')) {
    base = 2;
    digits.remove_prefix(2);
  } else if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O')) {
    base = 8;
    digits.remove_prefix(2);
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;
    digits.remove_prefix(1);
  }
  if (!AllDigits(digits, base)) return std::nullopt;
  unsigned __int128 value = 0;
  for (char c : digits) {
    const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
    value = value * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (value > static_cast<unsigned __int128>(UINT64_MAX)) return std::nullopt;  // a float then
  }
  if (negative && value > static_cast<unsigned __int128>(INT64_MAX) + 1) return std::nullopt;
  const uint64_t magnitude = static_cast<uint64_t>(value);
  return negative && magnitude != 0 ? "-" + std::to_string(magnitude) : std::to_string(magnitude);
}

// A float as go-yaml's float pattern admits it ([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
// underscores removed), written as a valid JSON number with the same digits (".5" -> "0.5",
// "1." -> "1.0", "+007.5" -> "7.5"), or nullopt.
std::optional<std::string> YamlFloat(std::string s) {
  std::erase(s, '_');
  std::string sign;
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') sign = "-";
    i = 1;
  }
  size_t int_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  std::string integer = s.substr(int_start, i - int_start);
  std::string fraction;
  bool point = false;
  if (i < s.size() && s[i] == '.') {
    point = true;
    size_t f = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    fraction = s.substr(f, i - f);
  }
  if (integer.empty() && fraction.empty()) return std::nullopt;
  if (integer.empty() && !point) return std::nullopt;
  std::string exponent;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t e = ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t digits = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == digits) return std::nullopt;
    exponent = "e" + s.substr(e, i - e);
  }
  if (i != s.size()) return std::nullopt;
  integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size() - 1));
  if (integer.empty()) integer = "0";
  if (point && fraction.empty()) fraction = "0";
  return sign + integer + (point ? "." + fraction : "") + exponent;
}

void WriteJsonString(std::string* out, const std::string& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  out->append(buf.GetString(), buf.GetSize());
}

// Bounds on what one YAML document may expand to: aliases make a small text describe an
// exponentially large tree ("billion laughs"), so emission counts nodes and bytes and stops.
struct EmitBudget {
  size_t nodes_left = 2'000'000;
  size_t max_bytes = 64 << 20;
  bool exceeded = false;
};

void EmitJson(const YAML::Node& n, std::string* out, EmitBudget& budget) {
  if (budget.exceeded) return;
  if (budget.nodes_left == 0 || out->size() > budget.max_bytes) {
    budget.exceeded = true;
    return;
  }
  --budget.nodes_left;
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out->append("null");
      return;
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") {  // quoted: always a string
        WriteJsonString(out, s);
      } else if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
        out->append("null");
      } else if (std::optional<bool> b = YamlBool(s)) {
        out->append(*b ? "true" : "false");
      } else if (std::optional<std::string> i = YamlInt(s)) {
        out->append(*i);
      } else if (std::optional<std::string> f = YamlFloat(s)) {
        out->append(*f);
      } else {
        WriteJsonString(out, s);
      }
      return;
    }
    case YAML::NodeType::Sequence: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : n) {
        if (!first) out->push_back(',');
        first = false;
        EmitJson(item, out, budget);
      }
      out->push_back(']');
      return;
    }
    case YAML::NodeType::Map: {
      out->push_back('{');
      bool first = true;
      for (const auto& kv : n) {
        if (!first) out->push_back(',');
        first = false;
        WriteJsonString(out, kv.first.Scalar());
        out->push_back(':');
        EmitJson(kv.second, out, budget);
      }
      out->push_back('}');
      return;
    }
  }
}

// ---------------------------------------------------------------- decoding

const char* TypeName(const Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "a list";
  return "an object";
}

absl::Status TypeError(const std::string& path, const char* want, const Value& got) {
  return absl::InvalidArgumentError(StrCat(path, ": expected ", want, ", got ", TypeName(got)));
}

std::string Join(const std::string& path, const char* field) { return path.empty() ? field : StrCat(path, ".", field); }
std::string Index(const std::string& path, size_t i) { return StrCat(path, "[", i, "]"); }

// Looks up `field` in object `obj`; nullptr when absent or null (null means "unset" in the API).
const Value* Get(const Value& obj, const char* field) {
  auto it = obj.FindMember(field);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

absl::Status Str(const Value& obj, const char* f, const std::string& path, std::string* out) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsString()) return TypeError(Join(path, f), "a string", *v);
  out->assign(v->GetString(), v->GetStringLength());
  return absl::OkStatus();
}

template <typename Int>
absl::Status IntField(const Value& obj, const char* f, const std::string& path, Int* out) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsInt64()) return TypeError(Join(path, f), "an integer", *v);
  const int64_t x = v->GetInt64();
  if (x < std::numeric_limits<Int>::min() || x > std::numeric_limits<Int>::max()) {
    return absl::InvalidArgumentError(StrCat(Join(path, f), ": ", x, " is out of range"));
  }
  *out = static_cast<Int>(x);
  return absl::OkStatus();
}

template <typename Int>
absl::Status OptInt(const Value& obj, const char* f, const std::string& path, std::optional<Int>* out) {
  if (Get(obj, f) == nullptr) return absl::OkStatus();
  Int x{};
  RETURN_IF_ERROR(IntField(obj, f, path, &x));
  *out = x;
  return absl::OkStatus();
}

absl::Status Bool(const Value& obj, const char* f, const std::string& path, bool* out) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsBool()) return TypeError(Join(path, f), "a boolean", *v);
  *out = v->GetBool();
  return absl::OkStatus();
}

absl::Status OptBool(const Value& obj, const char* f, const std::string& path, std::optional<bool>* out) {
  if (Get(obj, f) == nullptr) return absl::OkStatus();
  bool b = false;
  RETURN_IF_ERROR(Bool(obj, f, path, &b));
  *out = b;
  return absl::OkStatus();
}

absl::Status StrList(const Value& obj, const char* f, const std::string& path, std::vector<std::string>* out) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsArray()) return TypeError(Join(path, f), "a list of strings", *v);
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    if (!(*v)[i].IsString()) return TypeError(Index(Join(path, f), i), "a string", (*v)[i]);
    out->emplace_back((*v)[i].GetString(), (*v)[i].GetStringLength());
  }
  return absl::OkStatus();
}

absl::Status StrMap(const Value& obj, const char* f, const std::string& path, StringMap* out) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsObject()) return TypeError(Join(path, f), "a map of strings", *v);
  for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
    const std::string key(it->name.GetString(), it->name.GetStringLength());
    if (!it->value.IsString()) return TypeError(StrCat(Join(path, f), "[", key, "]"), "a string", it->value);
    (*out)[key] = std::string(it->value.GetString(), it->value.GetStringLength());
  }
  return absl::OkStatus();
}

// An object field: calls `decode` when present.
absl::Status Obj(const Value& obj, const char* f, const std::string& path,
                 const std::function<absl::Status(const Value&, const std::string&)>& decode) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsObject()) return TypeError(Join(path, f), "an object", *v);
  return decode(*v, Join(path, f));
}

// A list of objects: calls `decode` for each element.
absl::Status List(const Value& obj, const char* f, const std::string& path,
                  const std::function<absl::Status(const Value&, const std::string&)>& decode) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsArray()) return TypeError(Join(path, f), "a list", *v);
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    const std::string p = Index(Join(path, f), i);
    if (!(*v)[i].IsObject()) return TypeError(p, "an object", (*v)[i]);
    RETURN_IF_ERROR(decode((*v)[i], p));
  }
  return absl::OkStatus();
}

absl::StatusOr<Quantity> QuantityValue(const Value& v, const std::string& path) {
  std::string text;
  if (v.IsString()) {
    text.assign(v.GetString(), v.GetStringLength());
  } else if (v.IsInt64()) {
    text = std::to_string(v.GetInt64());
  } else if (v.IsNumber()) {
    text = StrCat(v.GetDouble());
  } else {
    return TypeError(path, "a quantity", v);
  }
  auto q = Quantity::Parse(text);
  if (!q.ok()) return absl::InvalidArgumentError(StrCat(path, ": Invalid value: \"", text, "\": ", q.status().message()));
  return q;
}

absl::Status Resources(const Value& obj, const char* f, const std::string& path, ResourceList* out) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsObject()) return TypeError(Join(path, f), "a map of resource quantities", *v);
  for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
    const std::string key(it->name.GetString(), it->name.GetStringLength());
    ASSIGN_OR_RETURN((*out)[key], QuantityValue(it->value, StrCat(Join(path, f), "[", key, "]")));
  }
  return absl::OkStatus();
}

absl::Status IntOrStr(const Value& obj, const char* f, const std::string& path, IntOrString* out) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  if (v->IsInt()) {
    out->int_value = v->GetInt();
  } else if (v->IsString()) {
    out->is_string = true;
    out->str_value.assign(v->GetString(), v->GetStringLength());
  } else {
    return TypeError(Join(path, f), "an integer or a string", *v);
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ParseTime(const Value& v, const std::string& path) {
  if (!v.IsString()) return TypeError(path, "an RFC 3339 time", v);
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, v.GetString(), &t, &err)) {
    return absl::InvalidArgumentError(StrCat(path, ": invalid time \"", v.GetString(), "\": ", err));
  }
  return t;
}

absl::Status OptTime(const Value& obj, const char* f, const std::string& path, std::optional<absl::Time>* out) {
  const Value* v = Get(obj, f);
  if (v == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(*out, ParseTime(*v, Join(path, f)));
  return absl::OkStatus();
}

absl::Status DecodeExec(const Value& v, const std::string& p, std::optional<ExecAction>* out) {
  return Obj(v, "exec", p, [&](const Value& o, const std::string& q) {
    ExecAction a;
    RETURN_IF_ERROR(StrList(o, "command", q, &a.command));
    *out = std::move(a);
    return absl::OkStatus();
  });
}

absl::Status DecodeHttpGet(const Value& v, const std::string& p, std::optional<HttpGetAction>* out) {
  return Obj(v, "httpGet", p, [&](const Value& o, const std::string& q) {
    HttpGetAction a;
    RETURN_IF_ERROR(Str(o, "path", q, &a.path));
    RETURN_IF_ERROR(IntOrStr(o, "port", q, &a.port));
    RETURN_IF_ERROR(Str(o, "host", q, &a.host));
    RETURN_IF_ERROR(Str(o, "scheme", q, &a.scheme));
    RETURN_IF_ERROR(List(o, "httpHeaders", q, [&](const Value& h, const std::string& r) {
      HttpHeader hh;
      RETURN_IF_ERROR(Str(h, "name", r, &hh.name));
      RETURN_IF_ERROR(Str(h, "value", r, &hh.value));
      a.http_headers.push_back(std::move(hh));
      return absl::OkStatus();
    }));
    *out = std::move(a);
    return absl::OkStatus();
  });
}

absl::Status DecodeTcp(const Value& v, const std::string& p, std::optional<TcpSocketAction>* out) {
  return Obj(v, "tcpSocket", p, [&](const Value& o, const std::string& q) {
    TcpSocketAction a;
    RETURN_IF_ERROR(IntOrStr(o, "port", q, &a.port));
    RETURN_IF_ERROR(Str(o, "host", q, &a.host));
    *out = std::move(a);
    return absl::OkStatus();
  });
}

absl::Status DecodeProbe(const Value& c, const char* f, const std::string& path, std::optional<Probe>* out) {
  return Obj(c, f, path, [&](const Value& o, const std::string& p) {
    Probe probe;
    RETURN_IF_ERROR(DecodeExec(o, p, &probe.handler.exec));
    RETURN_IF_ERROR(DecodeHttpGet(o, p, &probe.handler.http_get));
    RETURN_IF_ERROR(DecodeTcp(o, p, &probe.handler.tcp_socket));
    RETURN_IF_ERROR(Obj(o, "grpc", p, [&](const Value& g, const std::string& q) {
      GrpcAction a;
      RETURN_IF_ERROR(IntField(g, "port", q, &a.port));
      if (Get(g, "service") != nullptr) {
        std::string s;
        RETURN_IF_ERROR(Str(g, "service", q, &s));
        a.service = s;
      }
      probe.handler.grpc = a;
      return absl::OkStatus();
    }));
    RETURN_IF_ERROR(IntField(o, "initialDelaySeconds", p, &probe.initial_delay_seconds));
    RETURN_IF_ERROR(IntField(o, "timeoutSeconds", p, &probe.timeout_seconds));
    RETURN_IF_ERROR(IntField(o, "periodSeconds", p, &probe.period_seconds));
    RETURN_IF_ERROR(IntField(o, "successThreshold", p, &probe.success_threshold));
    RETURN_IF_ERROR(IntField(o, "failureThreshold", p, &probe.failure_threshold));
    RETURN_IF_ERROR(OptInt(o, "terminationGracePeriodSeconds", p, &probe.termination_grace_period_seconds));
    *out = std::move(probe);
    return absl::OkStatus();
  });
}

absl::Status DecodeLifecycleHandler(const Value& l, const char* f, const std::string& path,
                                    std::optional<LifecycleHandler>* out) {
  return Obj(l, f, path, [&](const Value& o, const std::string& p) {
    LifecycleHandler h;
    RETURN_IF_ERROR(DecodeExec(o, p, &h.exec));
    RETURN_IF_ERROR(DecodeHttpGet(o, p, &h.http_get));
    RETURN_IF_ERROR(DecodeTcp(o, p, &h.tcp_socket));
    RETURN_IF_ERROR(Obj(o, "sleep", p, [&](const Value& s, const std::string& q) {
      SleepAction a;
      RETURN_IF_ERROR(IntField(s, "seconds", q, &a.seconds));
      h.sleep = a;
      return absl::OkStatus();
    }));
    *out = std::move(h);
    return absl::OkStatus();
  });
}

absl::Status DecodeSeccomp(const Value& o, const std::string& p, std::optional<SeccompProfile>* out) {
  return Obj(o, "seccompProfile", p, [&](const Value& s, const std::string& q) {
    SeccompProfile sp;
    RETURN_IF_ERROR(Str(s, "type", q, &sp.type));
    RETURN_IF_ERROR(Str(s, "localhostProfile", q, &sp.localhost_profile));
    *out = sp;
    return absl::OkStatus();
  });
}

absl::Status DecodeContainer(const Value& o, const std::string& p, Container* c) {
  RETURN_IF_ERROR(Str(o, "name", p, &c->name));
  RETURN_IF_ERROR(Str(o, "image", p, &c->image));
  RETURN_IF_ERROR(StrList(o, "command", p, &c->command));
  RETURN_IF_ERROR(StrList(o, "args", p, &c->args));
  RETURN_IF_ERROR(Str(o, "workingDir", p, &c->working_dir));
  RETURN_IF_ERROR(List(o, "ports", p, [&](const Value& v, const std::string& q) {
    ContainerPort port;
    RETURN_IF_ERROR(Str(v, "name", q, &port.name));
    RETURN_IF_ERROR(IntField(v, "hostPort", q, &port.host_port));
    RETURN_IF_ERROR(IntField(v, "containerPort", q, &port.container_port));
    RETURN_IF_ERROR(Str(v, "protocol", q, &port.protocol));
    RETURN_IF_ERROR(Str(v, "hostIP", q, &port.host_ip));
    c->ports.push_back(std::move(port));
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(List(o, "env", p, [&](const Value& v, const std::string& q) {
    EnvVar e;
    RETURN_IF_ERROR(Str(v, "name", q, &e.name));
    RETURN_IF_ERROR(Str(v, "value", q, &e.value));
    RETURN_IF_ERROR(Obj(v, "valueFrom", q, [&](const Value& vf, const std::string& r) {
      EnvVarSource src;
      RETURN_IF_ERROR(Obj(vf, "fieldRef", r, [&](const Value& fr, const std::string& s) {
        ObjectFieldSelector sel;
        RETURN_IF_ERROR(Str(fr, "apiVersion", s, &sel.api_version));
        RETURN_IF_ERROR(Str(fr, "fieldPath", s, &sel.field_path));
        src.field_ref = sel;
        return absl::OkStatus();
      }));
      RETURN_IF_ERROR(Obj(vf, "resourceFieldRef", r, [&](const Value& rf, const std::string& s) {
        ResourceFieldSelector sel;
        RETURN_IF_ERROR(Str(rf, "containerName", s, &sel.container_name));
        RETURN_IF_ERROR(Str(rf, "resource", s, &sel.resource));
        if (const Value* d = Get(rf, "divisor")) {
          ASSIGN_OR_RETURN(sel.divisor, QuantityValue(*d, Join(s, "divisor")));
        }
        src.resource_field_ref = sel;
        return absl::OkStatus();
      }));
      src.has_other_source = Get(vf, "configMapKeyRef") != nullptr || Get(vf, "secretKeyRef") != nullptr;
      e.value_from = src;
      return absl::OkStatus();
    }));
    c->env.push_back(std::move(e));
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(Obj(o, "resources", p, [&](const Value& v, const std::string& q) {
    RETURN_IF_ERROR(Resources(v, "limits", q, &c->resources.limits));
    return Resources(v, "requests", q, &c->resources.requests);
  }));
  RETURN_IF_ERROR(List(o, "volumeMounts", p, [&](const Value& v, const std::string& q) {
    VolumeMount m;
    RETURN_IF_ERROR(Str(v, "name", q, &m.name));
    RETURN_IF_ERROR(Bool(v, "readOnly", q, &m.read_only));
    RETURN_IF_ERROR(Str(v, "mountPath", q, &m.mount_path));
    RETURN_IF_ERROR(Str(v, "subPath", q, &m.sub_path));
    RETURN_IF_ERROR(Str(v, "mountPropagation", q, &m.mount_propagation));
    c->volume_mounts.push_back(std::move(m));
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(DecodeProbe(o, "livenessProbe", p, &c->liveness_probe));
  RETURN_IF_ERROR(DecodeProbe(o, "readinessProbe", p, &c->readiness_probe));
  RETURN_IF_ERROR(DecodeProbe(o, "startupProbe", p, &c->startup_probe));
  RETURN_IF_ERROR(Obj(o, "lifecycle", p, [&](const Value& v, const std::string& q) {
    Lifecycle l;
    RETURN_IF_ERROR(DecodeLifecycleHandler(v, "postStart", q, &l.post_start));
    RETURN_IF_ERROR(DecodeLifecycleHandler(v, "preStop", q, &l.pre_stop));
    c->lifecycle = std::move(l);
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(Str(o, "terminationMessagePath", p, &c->termination_message_path));
  RETURN_IF_ERROR(Str(o, "terminationMessagePolicy", p, &c->termination_message_policy));
  RETURN_IF_ERROR(Str(o, "imagePullPolicy", p, &c->image_pull_policy));
  RETURN_IF_ERROR(Obj(o, "securityContext", p, [&](const Value& v, const std::string& q) {
    SecurityContext sc;
    RETURN_IF_ERROR(Obj(v, "capabilities", q, [&](const Value& cv, const std::string& r) {
      Capabilities caps;
      RETURN_IF_ERROR(StrList(cv, "add", r, &caps.add));
      RETURN_IF_ERROR(StrList(cv, "drop", r, &caps.drop));
      sc.capabilities = caps;
      return absl::OkStatus();
    }));
    RETURN_IF_ERROR(OptBool(v, "privileged", q, &sc.privileged));
    RETURN_IF_ERROR(OptInt(v, "runAsUser", q, &sc.run_as_user));
    RETURN_IF_ERROR(OptInt(v, "runAsGroup", q, &sc.run_as_group));
    RETURN_IF_ERROR(OptBool(v, "runAsNonRoot", q, &sc.run_as_non_root));
    RETURN_IF_ERROR(OptBool(v, "readOnlyRootFilesystem", q, &sc.read_only_root_filesystem));
    RETURN_IF_ERROR(OptBool(v, "allowPrivilegeEscalation", q, &sc.allow_privilege_escalation));
    RETURN_IF_ERROR(Str(v, "procMount", q, &sc.proc_mount));
    RETURN_IF_ERROR(DecodeSeccomp(v, q, &sc.seccomp_profile));
    c->security_context = std::move(sc);
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(Bool(o, "stdin", p, &c->stdin));
  RETURN_IF_ERROR(Bool(o, "stdinOnce", p, &c->stdin_once));
  RETURN_IF_ERROR(Bool(o, "tty", p, &c->tty));
  RETURN_IF_ERROR(Str(o, "restartPolicy", p, &c->restart_policy));
  RETURN_IF_ERROR(List(o, "resizePolicy", p, [&](const Value& v, const std::string& q) {
    ContainerResizePolicy rp;
    RETURN_IF_ERROR(Str(v, "resourceName", q, &rp.resource_name));
    RETURN_IF_ERROR(Str(v, "restartPolicy", q, &rp.restart_policy));
    c->resize_policy.push_back(std::move(rp));
    return absl::OkStatus();
  }));
  return absl::OkStatus();
}

absl::Status DecodeSpec(const Value& o, const std::string& p, PodSpec* s) {
  RETURN_IF_ERROR(List(o, "volumes", p, [&](const Value& v, const std::string& q) {
    Volume vol;
    RETURN_IF_ERROR(Str(v, "name", q, &vol.name));
    RETURN_IF_ERROR(Obj(v, "emptyDir", q, [&](const Value& e, const std::string& r) {
      EmptyDirVolumeSource ed;
      RETURN_IF_ERROR(Str(e, "medium", r, &ed.medium));
      if (const Value* sl = Get(e, "sizeLimit")) {
        ASSIGN_OR_RETURN(ed.size_limit, QuantityValue(*sl, Join(r, "sizeLimit")));
      }
      vol.empty_dir = ed;
      return absl::OkStatus();
    }));
    RETURN_IF_ERROR(Obj(v, "hostPath", q, [&](const Value& h, const std::string& r) {
      HostPathVolumeSource hp;
      RETURN_IF_ERROR(Str(h, "path", r, &hp.path));
      RETURN_IF_ERROR(Str(h, "type", r, &hp.type));
      vol.host_path = hp;
      return absl::OkStatus();
    }));
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string key = it->name.GetString();
      if (key != "name" && key != "emptyDir" && key != "hostPath" && !it->value.IsNull()) vol.other_source = key;
    }
    s->volumes.push_back(std::move(vol));
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(List(o, "initContainers", p, [&](const Value& v, const std::string& q) {
    s->init_containers.emplace_back();
    return DecodeContainer(v, q, &s->init_containers.back());
  }));
  RETURN_IF_ERROR(List(o, "containers", p, [&](const Value& v, const std::string& q) {
    s->containers.emplace_back();
    return DecodeContainer(v, q, &s->containers.back());
  }));
  RETURN_IF_ERROR(Str(o, "restartPolicy", p, &s->restart_policy));
  RETURN_IF_ERROR(OptInt(o, "terminationGracePeriodSeconds", p, &s->termination_grace_period_seconds));
  RETURN_IF_ERROR(OptInt(o, "activeDeadlineSeconds", p, &s->active_deadline_seconds));
  RETURN_IF_ERROR(Str(o, "dnsPolicy", p, &s->dns_policy));
  RETURN_IF_ERROR(Str(o, "nodeName", p, &s->node_name));
  RETURN_IF_ERROR(Bool(o, "hostNetwork", p, &s->host_network));
  RETURN_IF_ERROR(Bool(o, "hostPID", p, &s->host_pid));
  RETURN_IF_ERROR(Bool(o, "hostIPC", p, &s->host_ipc));
  RETURN_IF_ERROR(OptBool(o, "shareProcessNamespace", p, &s->share_process_namespace));
  RETURN_IF_ERROR(Obj(o, "securityContext", p, [&](const Value& v, const std::string& q) {
    PodSecurityContext sc;
    RETURN_IF_ERROR(OptInt(v, "runAsUser", q, &sc.run_as_user));
    RETURN_IF_ERROR(OptInt(v, "runAsGroup", q, &sc.run_as_group));
    RETURN_IF_ERROR(OptBool(v, "runAsNonRoot", q, &sc.run_as_non_root));
    if (const Value* g = Get(v, "supplementalGroups")) {
      if (!g->IsArray()) return TypeError(Join(q, "supplementalGroups"), "a list of integers", *g);
      for (const auto& x : g->GetArray()) {
        if (!x.IsInt64()) return TypeError(Join(q, "supplementalGroups"), "a list of integers", x);
        sc.supplemental_groups.push_back(x.GetInt64());
      }
    }
    RETURN_IF_ERROR(OptInt(v, "fsGroup", q, &sc.fs_group));
    RETURN_IF_ERROR(List(v, "sysctls", q, [&](const Value& sv, const std::string& r) {
      Sysctl sy;
      RETURN_IF_ERROR(Str(sv, "name", r, &sy.name));
      RETURN_IF_ERROR(Str(sv, "value", r, &sy.value));
      sc.sysctls.push_back(sy);
      return absl::OkStatus();
    }));
    RETURN_IF_ERROR(DecodeSeccomp(v, q, &sc.seccomp_profile));
    s->security_context = std::move(sc);
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(Str(o, "hostname", p, &s->hostname));
  RETURN_IF_ERROR(Str(o, "subdomain", p, &s->subdomain));
  RETURN_IF_ERROR(List(o, "hostAliases", p, [&](const Value& v, const std::string& q) {
    HostAlias a;
    RETURN_IF_ERROR(Str(v, "ip", q, &a.ip));
    RETURN_IF_ERROR(StrList(v, "hostnames", q, &a.hostnames));
    s->host_aliases.push_back(std::move(a));
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(Obj(o, "dnsConfig", p, [&](const Value& v, const std::string& q) {
    PodDnsConfig d;
    RETURN_IF_ERROR(StrList(v, "nameservers", q, &d.nameservers));
    RETURN_IF_ERROR(StrList(v, "searches", q, &d.searches));
    RETURN_IF_ERROR(List(v, "options", q, [&](const Value& ov, const std::string& r) {
      PodDnsConfigOption opt;
      RETURN_IF_ERROR(Str(ov, "name", r, &opt.name));
      if (Get(ov, "value") != nullptr) {
        std::string val;
        RETURN_IF_ERROR(Str(ov, "value", r, &val));
        opt.value = val;
      }
      d.options.push_back(std::move(opt));
      return absl::OkStatus();
    }));
    s->dns_config = std::move(d);
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(Str(o, "schedulerName", p, &s->scheduler_name));
  RETURN_IF_ERROR(Str(o, "priorityClassName", p, &s->priority_class_name));
  RETURN_IF_ERROR(OptInt(o, "priority", p, &s->priority));
  RETURN_IF_ERROR(OptBool(o, "enableServiceLinks", p, &s->enable_service_links));
  RETURN_IF_ERROR(OptBool(o, "setHostnameAsFQDN", p, &s->set_hostname_as_fqdn));
  RETURN_IF_ERROR(Str(o, "runtimeClassName", p, &s->runtime_class_name));
  return absl::OkStatus();
}

absl::Status DecodeMeta(const Value& o, const std::string& p, ObjectMeta* m) {
  RETURN_IF_ERROR(Str(o, "name", p, &m->name));
  RETURN_IF_ERROR(Str(o, "generateName", p, &m->generate_name));
  RETURN_IF_ERROR(Str(o, "namespace", p, &m->namespace_));
  RETURN_IF_ERROR(Str(o, "uid", p, &m->uid));
  RETURN_IF_ERROR(Str(o, "resourceVersion", p, &m->resource_version));
  RETURN_IF_ERROR(IntField(o, "generation", p, &m->generation));
  RETURN_IF_ERROR(StrMap(o, "labels", p, &m->labels));
  RETURN_IF_ERROR(StrMap(o, "annotations", p, &m->annotations));
  RETURN_IF_ERROR(OptTime(o, "creationTimestamp", p, &m->creation_timestamp));
  RETURN_IF_ERROR(OptTime(o, "deletionTimestamp", p, &m->deletion_timestamp));
  RETURN_IF_ERROR(OptInt(o, "deletionGracePeriodSeconds", p, &m->deletion_grace_period_seconds));
  return absl::OkStatus();
}

absl::Status DecodeState(const Value& o, const char* f, const std::string& path, ContainerState* out) {
  return Obj(o, f, path, [&](const Value& v, const std::string& p) {
    RETURN_IF_ERROR(Obj(v, "waiting", p, [&](const Value& w, const std::string& q) {
      ContainerStateWaiting x;
      RETURN_IF_ERROR(Str(w, "reason", q, &x.reason));
      RETURN_IF_ERROR(Str(w, "message", q, &x.message));
      out->waiting = x;
      return absl::OkStatus();
    }));
    RETURN_IF_ERROR(Obj(v, "running", p, [&](const Value& r, const std::string& q) {
      std::optional<absl::Time> t;
      RETURN_IF_ERROR(OptTime(r, "startedAt", q, &t));
      out->running = ContainerStateRunning{t.value_or(absl::UnixEpoch())};
      return absl::OkStatus();
    }));
    return Obj(v, "terminated", p, [&](const Value& t, const std::string& q) {
      ContainerStateTerminated x;
      RETURN_IF_ERROR(IntField(t, "exitCode", q, &x.exit_code));
      RETURN_IF_ERROR(IntField(t, "signal", q, &x.signal));
      RETURN_IF_ERROR(Str(t, "reason", q, &x.reason));
      RETURN_IF_ERROR(Str(t, "message", q, &x.message));
      RETURN_IF_ERROR(OptTime(t, "startedAt", q, &x.started_at));
      RETURN_IF_ERROR(OptTime(t, "finishedAt", q, &x.finished_at));
      RETURN_IF_ERROR(Str(t, "containerID", q, &x.container_id));
      out->terminated = x;
      return absl::OkStatus();
    });
  });
}

absl::Status DecodeContainerStatuses(const Value& o, const char* f, const std::string& path,
                                     std::vector<ContainerStatus>* out) {
  return List(o, f, path, [&](const Value& v, const std::string& p) {
    ContainerStatus c;
    RETURN_IF_ERROR(Str(v, "name", p, &c.name));
    RETURN_IF_ERROR(DecodeState(v, "state", p, &c.state));
    RETURN_IF_ERROR(DecodeState(v, "lastState", p, &c.last_state));
    RETURN_IF_ERROR(Bool(v, "ready", p, &c.ready));
    RETURN_IF_ERROR(IntField(v, "restartCount", p, &c.restart_count));
    RETURN_IF_ERROR(Str(v, "image", p, &c.image));
    RETURN_IF_ERROR(Str(v, "imageID", p, &c.image_id));
    RETURN_IF_ERROR(Str(v, "containerID", p, &c.container_id));
    RETURN_IF_ERROR(OptBool(v, "started", p, &c.started));
    out->push_back(std::move(c));
    return absl::OkStatus();
  });
}

absl::Status DecodeStatus(const Value& o, const std::string& p, PodStatus* s) {
  RETURN_IF_ERROR(Str(o, "phase", p, &s->phase));
  RETURN_IF_ERROR(List(o, "conditions", p, [&](const Value& v, const std::string& q) {
    PodCondition c;
    RETURN_IF_ERROR(Str(v, "type", q, &c.type));
    RETURN_IF_ERROR(Str(v, "status", q, &c.status));
    RETURN_IF_ERROR(OptTime(v, "lastProbeTime", q, &c.last_probe_time));
    RETURN_IF_ERROR(OptTime(v, "lastTransitionTime", q, &c.last_transition_time));
    RETURN_IF_ERROR(Str(v, "reason", q, &c.reason));
    RETURN_IF_ERROR(Str(v, "message", q, &c.message));
    s->conditions.push_back(std::move(c));
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(Str(o, "message", p, &s->message));
  RETURN_IF_ERROR(Str(o, "reason", p, &s->reason));
  RETURN_IF_ERROR(Str(o, "hostIP", p, &s->host_ip));
  RETURN_IF_ERROR(Str(o, "podIP", p, &s->pod_ip));
  auto ips = [&](const char* f, std::vector<PodIP>* out) {
    return List(o, f, p, [&](const Value& v, const std::string& q) {
      PodIP ip;
      RETURN_IF_ERROR(Str(v, "ip", q, &ip.ip));
      out->push_back(ip);
      return absl::OkStatus();
    });
  };
  RETURN_IF_ERROR(ips("hostIPs", &s->host_ips));
  RETURN_IF_ERROR(ips("podIPs", &s->pod_ips));
  RETURN_IF_ERROR(OptTime(o, "startTime", p, &s->start_time));
  RETURN_IF_ERROR(DecodeContainerStatuses(o, "initContainerStatuses", p, &s->init_container_statuses));
  RETURN_IF_ERROR(DecodeContainerStatuses(o, "containerStatuses", p, &s->container_statuses));
  RETURN_IF_ERROR(Str(o, "qosClass", p, &s->qos_class));
  return absl::OkStatus();
}

// ---------------------------------------------------------------- encoding

using Alloc = rapidjson::Document::AllocatorType;

class Encoder {
 public:
  explicit Encoder(Alloc& a) : a_(a) {}

  Value S(const std::string& s) { return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a_); }

  void Set(Value& obj, const char* key, Value v) {
    Value k(key, a_);
    obj.AddMember(k, v, a_);
  }
  void SetStr(Value& obj, const char* key, const std::string& s) {
    if (!s.empty()) Set(obj, key, S(s));
  }
  void SetStrList(Value& obj, const char* key, const std::vector<std::string>& l) {
    if (l.empty()) return;
    Value arr(rapidjson::kArrayType);
    for (const auto& s : l) arr.PushBack(S(s), a_);
    Set(obj, key, std::move(arr));
  }
  void SetMap(Value& obj, const char* key, const StringMap& m) {
    if (m.empty()) return;
    Value o(rapidjson::kObjectType);
    for (const auto& [k, v] : m) o.AddMember(S(k), S(v), a_);
    Set(obj, key, std::move(o));
  }
  void SetResources(Value& obj, const char* key, const ResourceList& r) {
    if (r.empty()) return;
    Value o(rapidjson::kObjectType);
    for (const auto& [k, q] : r) o.AddMember(S(k), S(q.ToString()), a_);
    Set(obj, key, std::move(o));
  }
  void SetTime(Value& obj, const char* key, const std::optional<absl::Time>& t) {
    if (t) Set(obj, key, S(FormatRfc3339(*t)));
  }
  Value IntOrStr(const IntOrString& v) { return v.is_string ? S(v.str_value) : Value(v.int_value); }

  Value Meta(const ObjectMeta& m) {
    Value o(rapidjson::kObjectType);
    SetStr(o, "name", m.name);
    SetStr(o, "generateName", m.generate_name);
    SetStr(o, "namespace", m.namespace_);
    SetStr(o, "uid", m.uid);
    SetStr(o, "resourceVersion", m.resource_version);
    if (m.generation != 0) Set(o, "generation", Value(m.generation));
    Set(o, "creationTimestamp", m.creation_timestamp ? S(FormatRfc3339(*m.creation_timestamp)) : Value());
    SetTime(o, "deletionTimestamp", m.deletion_timestamp);
    if (m.deletion_grace_period_seconds) Set(o, "deletionGracePeriodSeconds", Value(*m.deletion_grace_period_seconds));
    SetMap(o, "labels", m.labels);
    SetMap(o, "annotations", m.annotations);
    return o;
  }

  Value Handler(const std::optional<ExecAction>& exec, const std::optional<HttpGetAction>& http,
                const std::optional<TcpSocketAction>& tcp) {
    Value o(rapidjson::kObjectType);
    if (exec) {
      Value e(rapidjson::kObjectType);
      SetStrList(e, "command", exec->command);
      Set(o, "exec", std::move(e));
    }
    if (http) {
      Value h(rapidjson::kObjectType);
      SetStr(h, "path", http->path);
      Set(h, "port", IntOrStr(http->port));
      SetStr(h, "host", http->host);
      SetStr(h, "scheme", http->scheme);
      if (!http->http_headers.empty()) {
        Value arr(rapidjson::kArrayType);
        for (const auto& hh : http->http_headers) {
          Value x(rapidjson::kObjectType);
          Set(x, "name", S(hh.name));
          Set(x, "value", S(hh.value));
          arr.PushBack(x, a_);
        }
        Set(h, "httpHeaders", std::move(arr));
      }
      Set(o, "httpGet", std::move(h));
    }
    if (tcp) {
      Value t(rapidjson::kObjectType);
      Set(t, "port", IntOrStr(tcp->port));
      SetStr(t, "host", tcp->host);
      Set(o, "tcpSocket", std::move(t));
    }
    return o;
  }

  Value ProbeValue(const Probe& p) {
    Value o = Handler(p.handler.exec, p.handler.http_get, p.handler.tcp_socket);
    if (p.handler.grpc) {
      Value g(rapidjson::kObjectType);
      Set(g, "port", Value(p.handler.grpc->port));
      if (p.handler.grpc->service) Set(g, "service", S(*p.handler.grpc->service));
      Set(o, "grpc", std::move(g));
    }
    if (p.initial_delay_seconds) Set(o, "initialDelaySeconds", Value(p.initial_delay_seconds));
    Set(o, "timeoutSeconds", Value(p.timeout_seconds));
    Set(o, "periodSeconds", Value(p.period_seconds));
    Set(o, "successThreshold", Value(p.success_threshold));
    Set(o, "failureThreshold", Value(p.failure_threshold));
    if (p.termination_grace_period_seconds) {
      Set(o, "terminationGracePeriodSeconds", Value(*p.termination_grace_period_seconds));
    }
    return o;
  }

  Value ContainerValue(const Container& c) {
    Value o(rapidjson::kObjectType);
    Set(o, "name", S(c.name));
    SetStr(o, "image", c.image);
    SetStrList(o, "command", c.command);
    SetStrList(o, "args", c.args);
    SetStr(o, "workingDir", c.working_dir);
    if (!c.ports.empty()) {
      Value arr(rapidjson::kArrayType);
      for (const auto& p : c.ports) {
        Value x(rapidjson::kObjectType);
        SetStr(x, "name", p.name);
        if (p.host_port) Set(x, "hostPort", Value(p.host_port));
        Set(x, "containerPort", Value(p.container_port));
        SetStr(x, "protocol", p.protocol);
        SetStr(x, "hostIP", p.host_ip);
        arr.PushBack(x, a_);
      }
      Set(o, "ports", std::move(arr));
    }
    if (!c.env.empty()) {
      Value arr(rapidjson::kArrayType);
      for (const auto& e : c.env) {
        Value x(rapidjson::kObjectType);
        Set(x, "name", S(e.name));
        SetStr(x, "value", e.value);
        arr.PushBack(x, a_);
      }
      Set(o, "env", std::move(arr));
    }
    Value res(rapidjson::kObjectType);
    SetResources(res, "limits", c.resources.limits);
    SetResources(res, "requests", c.resources.requests);
    Set(o, "resources", std::move(res));
    if (!c.volume_mounts.empty()) {
      Value arr(rapidjson::kArrayType);
      for (const auto& m : c.volume_mounts) {
        Value x(rapidjson::kObjectType);
        Set(x, "name", S(m.name));
        if (m.read_only) Set(x, "readOnly", Value(true));
        Set(x, "mountPath", S(m.mount_path));
        SetStr(x, "subPath", m.sub_path);
        SetStr(x, "mountPropagation", m.mount_propagation);
        arr.PushBack(x, a_);
      }
      Set(o, "volumeMounts", std::move(arr));
    }
    if (c.liveness_probe) Set(o, "livenessProbe", ProbeValue(*c.liveness_probe));
    if (c.readiness_probe) Set(o, "readinessProbe", ProbeValue(*c.readiness_probe));
    if (c.startup_probe) Set(o, "startupProbe", ProbeValue(*c.startup_probe));
    SetStr(o, "terminationMessagePath", c.termination_message_path);
    SetStr(o, "terminationMessagePolicy", c.termination_message_policy);
    SetStr(o, "imagePullPolicy", c.image_pull_policy);
    if (c.stdin) Set(o, "stdin", Value(true));
    if (c.stdin_once) Set(o, "stdinOnce", Value(true));
    if (c.tty) Set(o, "tty", Value(true));
    SetStr(o, "restartPolicy", c.restart_policy);
    if (!c.resize_policy.empty()) {
      Value arr(rapidjson::kArrayType);
      for (const auto& rp : c.resize_policy) {
        Value x(rapidjson::kObjectType);
        Set(x, "resourceName", S(rp.resource_name));
        Set(x, "restartPolicy", S(rp.restart_policy));
        arr.PushBack(x, a_);
      }
      Set(o, "resizePolicy", std::move(arr));
    }
    return o;
  }

  Value Spec(const PodSpec& s) {
    Value o(rapidjson::kObjectType);
    auto containers = [&](const std::vector<Container>& cs) {
      Value arr(rapidjson::kArrayType);
      for (const auto& c : cs) arr.PushBack(ContainerValue(c), a_);
      return arr;
    };
    if (!s.volumes.empty()) {
      Value arr(rapidjson::kArrayType);
      for (const auto& v : s.volumes) {
        Value x(rapidjson::kObjectType);
        Set(x, "name", S(v.name));
        if (v.empty_dir) {
          Value e(rapidjson::kObjectType);
          SetStr(e, "medium", v.empty_dir->medium);
          if (v.empty_dir->size_limit) Set(e, "sizeLimit", S(v.empty_dir->size_limit->ToString()));
          Set(x, "emptyDir", std::move(e));
        }
        if (v.host_path) {
          Value h(rapidjson::kObjectType);
          Set(h, "path", S(v.host_path->path));
          Set(h, "type", S(v.host_path->type));
          Set(x, "hostPath", std::move(h));
        }
        arr.PushBack(x, a_);
      }
      Set(o, "volumes", std::move(arr));
    }
    if (!s.init_containers.empty()) Set(o, "initContainers", containers(s.init_containers));
    Set(o, "containers", containers(s.containers));
    SetStr(o, "restartPolicy", s.restart_policy);
    if (s.termination_grace_period_seconds) {
      Set(o, "terminationGracePeriodSeconds", Value(*s.termination_grace_period_seconds));
    }
    if (s.active_deadline_seconds) Set(o, "activeDeadlineSeconds", Value(*s.active_deadline_seconds));
    SetStr(o, "dnsPolicy", s.dns_policy);
    SetStr(o, "nodeName", s.node_name);
    if (s.host_network) Set(o, "hostNetwork", Value(true));
    if (s.host_pid) Set(o, "hostPID", Value(true));
    if (s.host_ipc) Set(o, "hostIPC", Value(true));
    SetStr(o, "hostname", s.hostname);
    SetStr(o, "subdomain", s.subdomain);
    SetStr(o, "schedulerName", s.scheduler_name);
    SetStr(o, "priorityClassName", s.priority_class_name);
    if (s.priority) Set(o, "priority", Value(*s.priority));
    if (s.enable_service_links) Set(o, "enableServiceLinks", Value(*s.enable_service_links));
    return o;
  }

  Value State(const ContainerState& s) {
    Value o(rapidjson::kObjectType);
    if (s.waiting) {
      Value w(rapidjson::kObjectType);
      SetStr(w, "reason", s.waiting->reason);
      SetStr(w, "message", s.waiting->message);
      Set(o, "waiting", std::move(w));
    }
    if (s.running) {
      Value r(rapidjson::kObjectType);
      Set(r, "startedAt", S(FormatRfc3339(s.running->started_at)));
      Set(o, "running", std::move(r));
    }
    if (s.terminated) {
      const auto& t = *s.terminated;
      Value x(rapidjson::kObjectType);
      Set(x, "exitCode", Value(t.exit_code));
      if (t.signal) Set(x, "signal", Value(t.signal));
      SetStr(x, "reason", t.reason);
      SetStr(x, "message", t.message);
      Set(x, "startedAt", t.started_at ? S(FormatRfc3339(*t.started_at)) : Value());
      Set(x, "finishedAt", t.finished_at ? S(FormatRfc3339(*t.finished_at)) : Value());
      SetStr(x, "containerID", t.container_id);
      Set(o, "terminated", std::move(x));
    }
    return o;
  }

  Value Statuses(const std::vector<ContainerStatus>& list) {
    Value arr(rapidjson::kArrayType);
    for (const auto& c : list) {
      Value x(rapidjson::kObjectType);
      Set(x, "name", S(c.name));
      Set(x, "state", State(c.state));
      Set(x, "lastState", State(c.last_state));
      Set(x, "ready", Value(c.ready));
      Set(x, "restartCount", Value(c.restart_count));
      Set(x, "image", S(c.image));
      Set(x, "imageID", S(c.image_id));
      SetStr(x, "containerID", c.container_id);
      if (c.started) Set(x, "started", Value(*c.started));
      arr.PushBack(x, a_);
    }
    return arr;
  }

  Value Status(const PodStatus& s) {
    Value o(rapidjson::kObjectType);
    SetStr(o, "phase", s.phase);
    if (!s.conditions.empty()) {
      Value arr(rapidjson::kArrayType);
      for (const auto& c : s.conditions) {
        Value x(rapidjson::kObjectType);
        Set(x, "type", S(c.type));
        Set(x, "status", S(c.status));
        Set(x, "lastProbeTime", c.last_probe_time ? S(FormatRfc3339(*c.last_probe_time)) : Value());
        SetTime(x, "lastTransitionTime", c.last_transition_time);
        SetStr(x, "reason", c.reason);
        SetStr(x, "message", c.message);
        arr.PushBack(x, a_);
      }
      Set(o, "conditions", std::move(arr));
    }
    SetStr(o, "message", s.message);
    SetStr(o, "reason", s.reason);
    SetStr(o, "hostIP", s.host_ip);
    auto ips = [&](const std::vector<PodIP>& l) {
      Value arr(rapidjson::kArrayType);
      for (const auto& ip : l) {
        Value x(rapidjson::kObjectType);
        Set(x, "ip", S(ip.ip));
        arr.PushBack(x, a_);
      }
      return arr;
    };
    if (!s.host_ips.empty()) Set(o, "hostIPs", ips(s.host_ips));
    SetStr(o, "podIP", s.pod_ip);
    if (!s.pod_ips.empty()) Set(o, "podIPs", ips(s.pod_ips));
    SetTime(o, "startTime", s.start_time);
    if (!s.init_container_statuses.empty()) Set(o, "initContainerStatuses", Statuses(s.init_container_statuses));
    if (!s.container_statuses.empty()) Set(o, "containerStatuses", Statuses(s.container_statuses));
    SetStr(o, "qosClass", s.qos_class);
    return o;
  }

 private:
  Alloc& a_;
};

// Writes `typed` over `base`: objects merge key by key, lists of equal length element by
// element (so unknown fields inside containers survive), anything else is replaced.
void MergeInto(Value& base, Value& typed, Alloc& a) {
  if (base.IsObject() && typed.IsObject()) {
    for (auto it = typed.MemberBegin(); it != typed.MemberEnd(); ++it) {
      auto b = base.FindMember(it->name);
      if (b == base.MemberEnd()) {
        base.AddMember(Value(it->name, a), it->value, a);
      } else {
        MergeInto(b->value, it->value, a);
      }
    }
    return;
  }
  if (base.IsArray() && typed.IsArray() && base.Size() == typed.Size()) {
    for (rapidjson::SizeType i = 0; i < base.Size(); ++i) MergeInto(base[i], typed[i], a);
    return;
  }
  base = typed;
}

void BuildPod(const Pod& pod, rapidjson::Document& doc) {
  if (pod.raw && !doc.Parse(pod.raw->c_str()).HasParseError() && doc.IsObject()) {
    // The status is cubelet's to write: the old one is dropped, not merged.
    doc.RemoveMember("status");
  } else {
    doc.SetObject();
  }
  Alloc& a = doc.GetAllocator();
  Encoder e(a);
  Value typed(rapidjson::kObjectType);
  e.Set(typed, "kind", e.S(pod.kind));
  e.Set(typed, "apiVersion", e.S(pod.api_version));
  e.Set(typed, "metadata", e.Meta(pod.metadata));
  e.Set(typed, "spec", e.Spec(pod.spec));
  Value doc_value(std::move(doc.Move()));
  MergeInto(doc_value, typed, a);
  // Annotations and labels are written whole: a removed key must not come back from raw.
  for (const char* key : {"labels", "annotations"}) {
    auto meta = doc_value.FindMember("metadata");
    if (meta != doc_value.MemberEnd()) meta->value.RemoveMember(key);
  }
  Value meta = e.Meta(pod.metadata);
  for (const char* key : {"labels", "annotations"}) {
    auto m = meta.FindMember(key);
    if (m != meta.MemberEnd()) doc_value["metadata"].AddMember(Value(key, a), m->value, a);
  }
  doc_value.AddMember("status", e.Status(pod.status), a);
  static_cast<Value&>(doc).Swap(doc_value);
}

std::string Serialize(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

namespace {

// The deepest nesting of flow collections ([ and { outside quotes and comments): yaml-cpp's
// parser recurses per level, so hostile nesting must be refused before it runs.
size_t FlowDepth(const std::string& yaml) {
  size_t depth = 0, deepest = 0;
  char quote = 0;
  bool comment = false;
  for (char c : yaml) {
    if (comment) {
      if (c == '\n') comment = false;
      continue;
    }
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    switch (c) {
      case '"': case '\'': quote = c; break;
      case '#': comment = true; break;
      case '[': case '{': deepest = std::max(deepest, ++depth); break;
      case ']': case '}': if (depth > 0) --depth; break;
      default: break;
    }
  }
  return deepest;
}

}  // namespace

absl::StatusOr<std::string> YamlToJson(const std::string& yaml) {
  constexpr size_t kMaxFlowDepth = 1000;
  if (FlowDepth(yaml) > kMaxFlowDepth) {
    return absl::InvalidArgumentError(StrCat("invalid YAML: nesting deeper than ", kMaxFlowDepth, " levels"));
  }
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        StrCat("invalid YAML: line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  std::string out;
  EmitBudget budget;
  EmitJson(root, &out, budget);
  if (budget.exceeded) {
    return absl::InvalidArgumentError(
        "invalid YAML: the document expands to more than 2,000,000 nodes or 64 MiB (excessive aliasing)");
  }
  return out;
}

absl::StatusOr<Pod> DecodePod(const std::string& text) {
  std::string json;
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    json = text;
  } else {
    ASSIGN_OR_RETURN(json, YamlToJson(text));
  }
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError()) {
    const size_t off = doc.GetErrorOffset();
    size_t line = 1 + std::count(json.begin(), json.begin() + std::min(off, json.size()), '\n');
    return absl::InvalidArgumentError(
        StrCat("invalid JSON: line ", line, ": ", rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError(StrCat("expected an object, got ", TypeName(doc)));
  Pod pod;
  pod.api_version.clear();
  pod.kind.clear();
  RETURN_IF_ERROR(Str(doc, "apiVersion", "", &pod.api_version));
  RETURN_IF_ERROR(Str(doc, "kind", "", &pod.kind));
  RETURN_IF_ERROR(Obj(doc, "metadata", "", [&](const Value& v, const std::string& p) { return DecodeMeta(v, p, &pod.metadata); }));
  RETURN_IF_ERROR(Obj(doc, "spec", "", [&](const Value& v, const std::string& p) { return DecodeSpec(v, p, &pod.spec); }));
  RETURN_IF_ERROR(Obj(doc, "status", "", [&](const Value& v, const std::string& p) { return DecodeStatus(v, p, &pod.status); }));
  pod.raw = std::make_shared<const std::string>(Serialize(doc));
  return pod;
}

absl::StatusOr<std::vector<Pod>> DecodePodList(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return absl::InvalidArgumentError("invalid PodList JSON");
  const Value* items = Get(doc, "items");
  std::vector<Pod> out;
  if (items == nullptr) return out;
  if (!items->IsArray()) return TypeError("items", "a list", *items);
  for (const auto& item : items->GetArray()) {
    ASSIGN_OR_RETURN(Pod p, DecodePod(Serialize(item)));
    out.push_back(std::move(p));
  }
  return out;
}

std::string EncodePod(const Pod& pod) {
  rapidjson::Document doc;
  BuildPod(pod, doc);
  return Serialize(doc);
}

std::string EncodePodList(const std::vector<Pod>& pods) {
  rapidjson::Document list;
  list.SetObject();
  Alloc& a = list.GetAllocator();
  list.AddMember("kind", "PodList", a);
  list.AddMember("apiVersion", "v1", a);
  list.AddMember("metadata", Value(rapidjson::kObjectType), a);
  Value items(rapidjson::kArrayType);
  for (const auto& p : pods) {
    rapidjson::Document d(&a);
    BuildPod(p, d);
    Value v(d, a);
    items.PushBack(v, a);
  }
  list.AddMember("items", items, a);
  return Serialize(list);
}

std::string FormatRfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

std::string FormatRfc3339Nano(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

}  // namespace cubelet::api
