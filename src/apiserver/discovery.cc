#include "apiserver/discovery.h"

#include "absl/strings/str_split.h"
#include "apiserver/responses.h"
#include "common/strings.h"
#include "json/write.h"

namespace cubelet::apiserver {
namespace {

constexpr char kAggregatedV2[] = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
constexpr char kAggregatedV2Beta1[] = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

json::Value Strings(const std::vector<std::string>& items) {
  json::Value out = json::Value::EmptyArray();
  for (const std::string& s : items) out.Append(s);
  return out;
}

json::Value GroupVersionJson(const std::string& group, const std::string& version) {
  json::Value v = json::Value::EmptyObject();
  v.Set("groupVersion", group.empty() ? version : StrCat(group, "/", version));
  v.Set("version", version);
  return v;
}

json::Value ResponseKind(const std::string& group, const std::string& version, const std::string& kind) {
  json::Value v = json::Value::EmptyObject();
  v.Set("group", group);
  v.Set("version", version);
  v.Set("kind", kind);
  return v;
}

// Which aggregated discovery version the client asked for first ("v2", "v2beta1"), or "".
std::string AggregatedVersionAsked(const httpserver::Request& request) {
  auto accept = request.headers.Get("Accept");
  if (!accept) return "";
  for (absl::string_view item : absl::StrSplit(absl::string_view(accept->data(), accept->size()), ',')) {
    std::string range(item.data(), item.size());
    if (range.find("as=APIGroupDiscoveryList") == std::string::npos) {
      if (range.find("application/json") != std::string::npos || range.find("*/*") != std::string::npos) return "";
      continue;
    }
    if (range.find("g=apidiscovery.k8s.io") == std::string::npos) continue;
    if (range.find("v=v2beta1") != std::string::npos) return "v2beta1";
    if (range.find("v=v2") != std::string::npos) return "v2";
  }
  return "";
}

}  // namespace

Discovery::Discovery(const std::vector<registry::ResourceInfo>& resources, std::string server_address)
    : server_address_(std::move(server_address)) {
  for (const registry::ResourceInfo& r : resources) {
    GroupVersion* gv = nullptr;
    for (GroupVersion& existing : group_versions_) {
      if (existing.group == r.group && existing.version == r.version) gv = &existing;
    }
    if (gv == nullptr) gv = &group_versions_.emplace_back(GroupVersion{r.group, r.version, {}});
    gv->resources.push_back(r);
  }
}

std::string Discovery::ResourceList(const GroupVersion& gv) const {
  json::Value list = json::Value::EmptyObject();
  list.Set("kind", "APIResourceList");
  list.Set("apiVersion", "v1");
  list.Set("groupVersion", gv.group.empty() ? gv.version : StrCat(gv.group, "/", gv.version));
  json::Value resources = json::Value::EmptyArray();
  for (const registry::ResourceInfo& r : gv.resources) {
    json::Value res = json::Value::EmptyObject();
    res.Set("name", r.resource);
    res.Set("singularName", r.singular);
    res.Set("namespaced", r.namespaced);
    res.Set("kind", r.kind);
    res.Set("verbs", Strings(r.verbs));
    if (!r.short_names.empty()) res.Set("shortNames", Strings(r.short_names));
    if (!r.categories.empty()) res.Set("categories", Strings(r.categories));
    resources.Append(std::move(res));
    for (const registry::SubresourceInfo& s : r.subresources) {
      json::Value sub = json::Value::EmptyObject();
      sub.Set("name", StrCat(r.resource, "/", s.name));
      sub.Set("singularName", "");
      sub.Set("namespaced", r.namespaced);
      if (s.group != r.group || s.version != r.version) {
        sub.Set("group", s.group);
        sub.Set("version", s.version);
      }
      sub.Set("kind", s.kind);
      sub.Set("verbs", Strings(s.verbs));
      resources.Append(std::move(sub));
    }
  }
  list.Set("resources", std::move(resources));
  return json::Write(list);
}

std::string Discovery::Aggregated(bool core, const std::string& api_version) const {
  json::Value out = json::Value::EmptyObject();
  out.Set("kind", "APIGroupDiscoveryList");
  out.Set("apiVersion", StrCat("apidiscovery.k8s.io/", api_version));
  out.Set("metadata", json::Value::EmptyObject());
  json::Value items = json::Value::EmptyArray();
  for (const GroupVersion& gv : group_versions_) {
    if (gv.group.empty() != core) continue;
    json::Value group = json::Value::EmptyObject();
    group.Ensure({"metadata"}).Set("name", gv.group);
    json::Value version = json::Value::EmptyObject();
    version.Set("version", gv.version);
    json::Value resources = json::Value::EmptyArray();
    for (const registry::ResourceInfo& r : gv.resources) {
      json::Value res = json::Value::EmptyObject();
      res.Set("resource", r.resource);
      res.Set("responseKind", ResponseKind(r.group, r.version, r.kind));
      res.Set("scope", r.namespaced ? "Namespaced" : "Cluster");
      res.Set("singularResource", r.singular);
      res.Set("verbs", Strings(r.verbs));
      if (!r.short_names.empty()) res.Set("shortNames", Strings(r.short_names));
      if (!r.categories.empty()) res.Set("categories", Strings(r.categories));
      if (!r.subresources.empty()) {
        json::Value subs = json::Value::EmptyArray();
        for (const registry::SubresourceInfo& s : r.subresources) {
          json::Value sub = json::Value::EmptyObject();
          sub.Set("subresource", s.name);
          sub.Set("responseKind", ResponseKind(s.group, s.version, s.kind));
          sub.Set("verbs", Strings(s.verbs));
          subs.Append(std::move(sub));
        }
        res.Set("subresources", std::move(subs));
      }
      resources.Append(std::move(res));
    }
    version.Set("resources", std::move(resources));
    version.Set("freshness", "Current");
    // A group with several versions lists them in preference order in one item.
    bool merged = false;
    for (json::Value& existing : items.AsArray()) {
      if (existing.GetString({"metadata", "name"}) == gv.group) {
        existing["versions"].Append(std::move(version));
        merged = true;
        break;
      }
    }
    if (!merged) {
      group.Set("versions", json::Array{std::move(version)});
      items.Append(std::move(group));
    }
  }
  out.Set("items", std::move(items));
  return json::Write(out);
}

std::optional<httpserver::Response> Discovery::Serve(const httpserver::Request& request) const {
  std::vector<std::string> parts;
  for (absl::string_view p : absl::StrSplit(absl::string_view(request.path.data(), request.path.size()), '/',
                                            absl::SkipEmpty())) {
    parts.emplace_back(p.data(), p.size());
  }
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) return std::nullopt;
  const bool core = parts[0] == "api";
  if (parts.size() == 1) {
    std::string aggregated = AggregatedVersionAsked(request);
    if (!aggregated.empty()) {
      httpserver::Response r = JsonResponse(200, Aggregated(core, aggregated));
      r.headers = httpserver::Headers();
      r.headers.Add("Content-Type", aggregated == "v2" ? kAggregatedV2 : kAggregatedV2Beta1);
      r.headers.Add("Vary", "Accept");
      return r;
    }
    json::Value doc = json::Value::EmptyObject();
    if (core) {
      doc.Set("kind", "APIVersions");
      doc.Set("versions", Strings({"v1"}));
      json::Value cidr = json::Value::EmptyObject();
      cidr.Set("clientCIDR", "0.0.0.0/0");
      cidr.Set("serverAddress", server_address_);
      doc.Set("serverAddressByClientCIDRs", json::Array{std::move(cidr)});
    } else {
      doc.Set("kind", "APIGroupList");
      doc.Set("apiVersion", "v1");
      json::Value groups = json::Value::EmptyArray();
      for (const GroupVersion& gv : group_versions_) {
        if (gv.group.empty()) continue;
        json::Value g = json::Value::EmptyObject();
        g.Set("name", gv.group);
        g.Set("versions", json::Array{GroupVersionJson(gv.group, gv.version)});
        g.Set("preferredVersion", GroupVersionJson(gv.group, gv.version));
        groups.Append(std::move(g));
      }
      doc.Set("groups", std::move(groups));
    }
    httpserver::Response r = JsonResponse(200, json::Write(doc));
    r.headers.Add("Vary", "Accept");
    return r;
  }
  if (core && parts.size() == 2) {
    for (const GroupVersion& gv : group_versions_) {
      if (gv.group.empty() && gv.version == parts[1]) return JsonResponse(200, ResourceList(gv));
    }
    return std::nullopt;
  }
  if (!core && parts.size() == 2) {
    for (const GroupVersion& gv : group_versions_) {
      if (gv.group != parts[1]) continue;
      json::Value g = json::Value::EmptyObject();
      g.Set("kind", "APIGroup");
      g.Set("apiVersion", "v1");
      g.Set("name", gv.group);
      g.Set("versions", json::Array{GroupVersionJson(gv.group, gv.version)});
      g.Set("preferredVersion", GroupVersionJson(gv.group, gv.version));
      return JsonResponse(200, json::Write(g));
    }
    return std::nullopt;
  }
  if (!core && parts.size() == 3) {
    for (const GroupVersion& gv : group_versions_) {
      if (gv.group == parts[1] && gv.version == parts[2]) return JsonResponse(200, ResourceList(gv));
    }
  }
  return std::nullopt;
}

}  // namespace cubelet::apiserver
