// Owns: what the authorizer tests share: users, a NodeGraph over an in-memory list of pods that
// counts its calls, and attribute builders.
// Does not own: assertions.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "authz/authorizer.h"
#include "gtest/gtest.h"
#include "json/parse.h"

namespace cubelet::authz::testing {

inline auth::UserInfo Master() { return {"admin", "", {"system:masters", "system:authenticated"}}; }
inline auth::UserInfo Bob() { return {"bob", "", {"system:authenticated"}}; }
inline auth::UserInfo NodeUser(const std::string& node) {
  return {"system:node:" + node, "", {"system:nodes", "system:authenticated"}};
}

inline std::shared_ptr<const json::Value> Json(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << ": " << text;
  return std::make_shared<const json::Value>(v.ok() ? std::move(*v) : json::Value());
}

// Pods by node; counts PodsOnNode calls so tests can check the graph is read only when needed.
class FakeNodeGraph final : public NodeGraph {
 public:
  void Add(const std::string& node, std::string_view pod_json) { pods_[node].push_back(Json(pod_json)); }
  std::vector<std::shared_ptr<const json::Value>> PodsOnNode(std::string_view node) const override {
    ++calls_;
    auto it = pods_.find(std::string(node));
    return it == pods_.end() ? std::vector<std::shared_ptr<const json::Value>>{} : it->second;
  }
  int calls() const { return calls_; }

 private:
  std::map<std::string, std::vector<std::shared_ptr<const json::Value>>> pods_;
  mutable std::atomic<int> calls_{0};
};

// A resource request.
inline Attributes WithFields(Attributes a, std::string field_selector) {
  a.field_selector = std::move(field_selector);
  return a;
}

inline Attributes Resource(const auth::UserInfo& user, std::string verb, std::string group, std::string resource,
                           std::string ns = "", std::string name = "", std::string subresource = "") {
  Attributes a;
  a.user = &user;
  a.verb = std::move(verb);
  a.resource_request = true;
  a.api_group = std::move(group);
  a.api_version = "v1";
  a.resource = std::move(resource);
  a.namespace_ = std::move(ns);
  a.name = std::move(name);
  a.subresource = std::move(subresource);
  return a;
}

// A non-resource request.
inline Attributes Path(const auth::UserInfo& user, std::string verb, std::string path) {
  Attributes a;
  a.user = &user;
  a.verb = std::move(verb);
  a.path = std::move(path);
  return a;
}

}  // namespace cubelet::authz::testing
