#include "registry/service_strategy.h"

#include <set>

#include "common/strings.h"
#include "registry/object_meta.h"

namespace cubelet::registry {
namespace {

bool IsHeadless(const json::Value& spec) { return spec.GetString({"clusterIP"}) == "None"; }

}  // namespace

void ServiceStrategy::Default(json::Value* object) const {
  json::Value& spec = object->Ensure({"spec"});
  if (spec.GetString({"type"}).empty()) spec.Set("type", "ClusterIP");
  const std::string type = spec.GetString({"type"});
  if (spec.GetString({"sessionAffinity"}).empty()) spec.Set("sessionAffinity", "None");
  if (spec.GetString({"sessionAffinity"}) == "ClientIP" &&
      spec.FindPath({"sessionAffinityConfig", "clientIP", "timeoutSeconds"}) == nullptr) {
    spec.Ensure({"sessionAffinityConfig", "clientIP"}).Set("timeoutSeconds", 10800);
  }
  if (type == "ExternalName") return;
  if (json::Value* ports = spec.Find("ports"); ports != nullptr && ports->is_array()) {
    for (json::Value& port : ports->AsArray()) {
      if (!port.is_object()) continue;
      if (port.GetString({"protocol"}).empty()) port.Set("protocol", "TCP");
      if (port.Find("targetPort") == nullptr && port.Find("port") != nullptr) port.Set("targetPort", *port.Find("port"));
    }
  }
  if (spec.GetString({"internalTrafficPolicy"}).empty()) spec.Set("internalTrafficPolicy", "Cluster");
  if ((type == "NodePort" || type == "LoadBalancer") && spec.GetString({"externalTrafficPolicy"}).empty()) {
    spec.Set("externalTrafficPolicy", "Cluster");
  }
  if (type == "LoadBalancer" && spec.Find("allocateLoadBalancerNodePorts") == nullptr) {
    spec.Set("allocateLoadBalancerNodePorts", true);
  }
  if (spec.GetString({"ipFamilyPolicy"}).empty()) spec.Set("ipFamilyPolicy", "SingleStack");
  if (spec.Find("ipFamilies") == nullptr) spec.Set("ipFamilies", json::Array{json::Value("IPv4")});
  if (object->Find("status") == nullptr) object->Set("status", json::Value::EmptyObject());
  object->Ensure({"status"}).Ensure({"loadBalancer"});
}

FieldErrors ServiceStrategy::Validate(const json::Value& object) const {
  FieldErrors errors;
  const json::Value* spec = object.Find("spec");
  if (spec == nullptr) return {apierrors::RequiredCause("spec")};
  const std::string type = spec->GetString({"type"});
  static const std::vector<std::string> kTypes = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"};
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    errors.push_back(apierrors::NotSupportedCause("spec.type", json::Value(type), kTypes));
  }
  if (type == "ExternalName") {
    std::string name = spec->GetString({"externalName"});
    if (name.empty()) {
      errors.push_back(apierrors::RequiredCause("spec.externalName"));
    } else {
      for (const std::string& m : DnsSubdomainErrors(name)) {
        errors.push_back(apierrors::InvalidCause("spec.externalName", json::Value(name), m));
      }
    }
    return errors;
  }
  const json::Value* ports = spec->Find("ports");
  if ((ports == nullptr || !ports->is_array() || ports->AsArray().empty()) && !IsHeadless(*spec)) {
    errors.push_back(apierrors::RequiredCause("spec.ports"));
    return errors;
  }
  if (ports == nullptr || !ports->is_array()) return errors;
  const json::Array& items = ports->AsArray();
  std::set<std::string> names;
  std::set<std::string> port_protocols;
  for (size_t i = 0; i < items.size(); ++i) {
    const json::Value& p = items[i];
    std::string field = StrCat("spec.ports[", i, "]");
    std::string name = p.GetString({"name"});
    if (items.size() > 1 && name.empty()) errors.push_back(apierrors::RequiredCause(StrCat(field, ".name")));
    if (!name.empty()) {
      for (const std::string& m : DnsLabelErrors(name)) {
        errors.push_back(apierrors::InvalidCause(StrCat(field, ".name"), json::Value(name), m));
      }
      if (!names.insert(name).second) errors.push_back(apierrors::DuplicateCause(StrCat(field, ".name"), json::Value(name)));
    }
    auto port = p.Find("port") != nullptr ? p.Find("port")->AsInt64() : std::nullopt;
    if (!port) {
      errors.push_back(apierrors::RequiredCause(StrCat(field, ".port")));
    } else if (*port < 1 || *port > 65535) {
      errors.push_back(apierrors::InvalidCause(StrCat(field, ".port"), json::Value(*port),
                                               "must be between 1 and 65535, inclusive"));
    }
    std::string protocol = p.GetString({"protocol"});
    if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
      errors.push_back(apierrors::NotSupportedCause(StrCat(field, ".protocol"), json::Value(protocol), {"SCTP", "TCP", "UDP"}));
    }
    if (port && !port_protocols.insert(StrCat(*port, "/", protocol)).second) {
      errors.push_back(apierrors::DuplicateCause(field, json::Value(StrCat(*port, "/", protocol))));
    }
    if (const json::Value* np = p.Find("nodePort"); np != nullptr && !np->is_null()) {
      auto v = np->AsInt64();
      if (type == "ClusterIP") {
        errors.push_back(apierrors::ForbiddenCause(StrCat(field, ".nodePort"), "may not be used when `type` is 'ClusterIP'"));
      } else if (!v || *v < 0 || *v > 65535) {
        errors.push_back(apierrors::InvalidCause(StrCat(field, ".nodePort"), *np, "must be between 1 and 65535, inclusive"));
      }
    }
  }
  return errors;
}

void ServiceStrategy::PrepareForUpdate(json::Value* object, const json::Value& old) const {
  // A cluster IP, once allocated, stays unless the client sends another one (refused below).
  json::Value& spec = object->Ensure({"spec"});
  for (const char* field : {"clusterIP", "clusterIPs"}) {
    if (spec.Find(field) == nullptr) {
      if (const json::Value* v = old.FindPath({"spec", field}); v != nullptr) spec.Set(field, *v);
    }
  }
}

FieldErrors ServiceStrategy::ValidateUpdate(const json::Value& object, const json::Value& old) const {
  FieldErrors errors = Validate(object);
  std::string before = old.GetString({"spec", "clusterIP"});
  std::string after = object.GetString({"spec", "clusterIP"});
  if (!before.empty() && before != after && object.GetString({"spec", "type"}) != "ExternalName") {
    errors.push_back(apierrors::InvalidCause("spec.clusterIPs[0]", json::Value(after), "may not change once set"));
  }
  return errors;
}

}  // namespace cubelet::registry
