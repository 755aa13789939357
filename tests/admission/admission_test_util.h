// Owns: what the admission tests share: an in-memory ObjectLookup, the served resources'
// infos, users, request builders, a chain over a real SQLite store in a temp dir, and readers
// for the Status an error carries.
// Does not own: assertions.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "absl/synchronization/mutex.h"
#include "admission/chain.h"
#include "apierrors/apierrors.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "registry/resources.h"
#include "storage/store_test_util.h"

namespace cubelet::admission::testing {

inline json::Value Json(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << ": " << text;
  return v.ok() ? std::move(*v) : json::Value();
}

// Objects by (group, resource, namespace, name). Thread-safe.
class FakeLookup final : public ObjectLookup {
 public:
  void Put(std::string group, std::string resource, std::string ns, std::string name, std::string_view json) {
    absl::MutexLock lock(&mu_);
    objects_[{group, resource, ns, name}] = std::make_shared<const json::Value>(Json(json));
  }
  void Remove(std::string group, std::string resource, std::string ns, std::string name) {
    absl::MutexLock lock(&mu_);
    objects_.erase({group, resource, ns, name});
  }
  std::shared_ptr<const json::Value> Get(std::string_view group, std::string_view resource, std::string_view namespace_,
                                         std::string_view name) const override {
    absl::MutexLock lock(&mu_);
    auto it = objects_.find({std::string(group), std::string(resource), std::string(namespace_), std::string(name)});
    return it == objects_.end() ? nullptr : it->second;
  }

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  mutable absl::Mutex mu_;
  std::map<Key, std::shared_ptr<const json::Value>> objects_ ABSL_GUARDED_BY(mu_);
};

// The served resource `resource` of `group`.
inline const registry::ResourceInfo* Info(std::string_view group, std::string_view resource) {
  static const std::vector<registry::ResourceDefinition> defs = registry::BuiltInResources(absl::Hours(1));
  for (const auto& d : defs) {
    if (d.info.group == group && d.info.resource == resource) return &d.info;
  }
  ADD_FAILURE() << "no resource " << group << "/" << resource;
  return nullptr;
}

inline const auth::UserInfo& Admin() {
  static const auth::UserInfo u{"admin", "", {"system:masters", "system:authenticated"}};
  return u;
}
inline auth::UserInfo NodeUser(const std::string& node) {
  return {"system:node:" + node, "", {"system:nodes", "system:authenticated"}};
}

inline Request MakeRequest(const auth::UserInfo& user, Operation op, std::string_view group, std::string_view resource,
                           std::string ns, std::string name, std::string subresource = "") {
  Request r;
  r.user = &user;
  r.operation = op;
  r.resource = Info(group, resource);
  r.namespace_ = std::move(ns);
  r.name = std::move(name);
  r.subresource = std::move(subresource);
  return r;
}

inline apierrors::ApiStatus StatusOf(const absl::Status& s) { return apierrors::FromStatus(s); }

// A chain over a fresh SQLite store with a fake clock; the service account wait does not sleep
// unless a test asks it to.
class AdmissionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = storage::testing::OpenOrDie(dir_.path(), &clock_);
    lookup_.Put("", "namespaces", "", "default", R"({"metadata":{"name":"default"},"status":{"phase":"Active"}})");
    lookup_.Put("", "namespaces", "", "kube-system", R"({"metadata":{"name":"kube-system"}})");
    lookup_.Put("", "namespaces", "", "kube-node-lease", R"({"metadata":{"name":"kube-node-lease"}})");
    lookup_.Put("", "serviceaccounts", "default", "default",
                R"({"metadata":{"name":"default","namespace":"default"}})");
    lookup_.Put("", "serviceaccounts", "kube-system", "default",
                R"({"metadata":{"name":"default","namespace":"kube-system"}})");
    chain_ = NewChain(&lookup_, store_.get(), Options());
  }

  virtual ChainOptions Options() {
    ChainOptions o;
    o.clock = &clock_;
    o.service_accounts.retry_interval = absl::ZeroDuration();
    o.service_accounts.default_account_attempts = 2;
    return o;
  }

  // Admit then Validate, as the API server runs them around a write.
  absl::Status Write(const Request& r, json::Value* object, const json::Value* old = nullptr) {
    absl::Status s = chain_->Admit(r, object, old);
    if (!s.ok()) return s;
    return chain_->Validate(r, object, old);
  }

  storage::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  FakeLookup lookup_;
  std::unique_ptr<Chain> chain_;
};

}  // namespace cubelet::admission::testing
