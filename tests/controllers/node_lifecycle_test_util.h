// Owns: what the node lifecycle and taint eviction tests share: a real stack on a fake clock
// with both controllers built directly over their own informers (so a test can wait for their
// watches and call a health pass itself), and builders and readers for nodes, leases and pods.
// Does not own: assertions.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controllers/controller_test_util.h"
#include "controllers/informer.h"
#include "controllers/node_lifecycle_controller.h"
#include "controllers/taint_eviction_controller.h"
#include "registry/object_meta.h"

namespace cubelet::controllers::testing {

inline const json::Value* FindCondition(const json::Value& object, const std::string& type) {
  const json::Value* conditions = object.FindPath({"status", "conditions"});
  if (conditions == nullptr || !conditions->is_array()) return nullptr;
  for (const json::Value& c : conditions->AsArray()) {
    if (c.GetString({"type"}) == type) return &c;
  }
  return nullptr;
}

// A node as a kubelet registers it: Ready `ready` and no pressure, heartbeats at `heartbeat`;
// no status at all when `ready` is empty.
inline json::Value NodeObject(const std::string& name, const std::string& ready, absl::Time heartbeat) {
  json::Value node = Parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name + R"("},"spec":{}})");
  if (ready.empty()) return node;
  const std::string t = registry::FormatMetaTime(heartbeat);
  json::Array conditions;
  for (const auto& [type, status] : std::vector<std::pair<std::string, std::string>>{
           {"MemoryPressure", "False"}, {"DiskPressure", "False"}, {"PIDPressure", "False"}, {"Ready", ready}}) {
    json::Value c = json::Value::EmptyObject();
    c.Set("type", type);
    c.Set("status", status);
    c.Set("lastHeartbeatTime", t);
    c.Set("lastTransitionTime", t);
    c.Set("reason", "KubeletSays");
    c.Set("message", "as the kubelet says");
    conditions.push_back(std::move(c));
  }
  node.Ensure({"status"}).Set("conditions", json::Value(std::move(conditions)));
  return node;
}

inline json::Value LeaseObject(const std::string& name, absl::Time renew) {
  json::Value lease = Parse(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":")" + name +
                            R"("},"spec":{"leaseDurationSeconds":40}})");
  lease["spec"].Set("holderIdentity", name);
  lease["spec"].Set("renewTime", registry::FormatMetaMicroTime(renew));
  return lease;
}

// A pod bound to `node` with `tolerations` (JSON array text) and its own grace period.
inline json::Value PodOn(const std::string& name, const std::string& node, const std::string& tolerations = "[]",
                         int grace_seconds = 7) {
  json::Value pod = Pod(name, node);
  pod["spec"].Set("tolerations", Parse(tolerations));
  pod["spec"].Set("terminationGracePeriodSeconds", grace_seconds);
  return pod;
}

class NodeLifecycleFixture : public ::testing::Test {
 protected:
  ~NodeLifecycleFixture() override { StopControllers(); }

  // Builds and starts the controllers, then waits until their watches have delivered what
  // exists (so every object created before counts as seen now).
  void StartControllers(bool lifecycle = true, bool eviction = true) {
    // The informers' initial events come from the watch caches, which follow the store
    // asynchronously: let each catch up with what the test wrote to it first.
    for (registry::ResourceStore* store : {nodes_, leases_, pods_}) {
      auto listed = store->List("", registry::ListOptions{});
      ASSERT_TRUE(listed.ok()) << listed.status();
      int64_t last = 0;
      for (const registry::ObjectPtr& o : listed->items) last = std::max(last, o->mod_revision);
      absl::Status caught_up = store->cacher().WaitForRevision(last, kWait);
      ASSERT_TRUE(caught_up.ok()) << caught_up;
    }
    ControllerOptions options = Stack::Options();
    if (lifecycle) {
      lifecycle_ = std::make_unique<NodeLifecycleController>(stack_.resources(), &informers_, options, &clock_, logger_);
    }
    if (eviction) {
      eviction_ = std::make_unique<TaintEvictionController>(stack_.resources(), &informers_, &clock_, logger_);
    }
    ASSERT_TRUE(informers_.Start().ok());
    if (lifecycle_) lifecycle_->Start();
    if (eviction_) eviction_->Start();
    ASSERT_TRUE(Eventually([&] { return informers_.AllSynced(); }));
  }
  void StopControllers() {
    informers_.Stop();
    if (eviction_) eviction_->Stop();
    if (lifecycle_) lifecycle_->Stop();
  }

  // Moves the fake clock to `start_ + offset`.
  void At(absl::Duration offset) { clock_.SetTime(start_ + offset); }

  std::shared_ptr<const json::Value> Node(const std::string& name) { return stack_.Get(nodes_, "", name); }
  std::shared_ptr<const json::Value> PodObject(const std::string& name) { return stack_.Get(pods_, "default", name); }

  std::string ConditionStatus(const std::string& node, const std::string& type) {
    auto n = Node(node);
    const json::Value* c = n == nullptr ? nullptr : FindCondition(*n, type);
    return c == nullptr ? "" : c->GetString({"status"});
  }
  // "key:effect" of each taint, in order.
  std::vector<std::string> Taints(const std::string& node) {
    std::vector<std::string> out;
    auto n = Node(node);
    const json::Value* taints = n == nullptr ? nullptr : n->FindPath({"spec", "taints"});
    if (taints == nullptr || !taints->is_array()) return out;
    for (const json::Value& t : taints->AsArray()) {
      out.push_back(t.GetString({"key"}) + ":" + t.GetString({"effect"}));
    }
    return out;
  }
  std::string TaintTimeAdded(const std::string& node, const std::string& key, const std::string& effect) {
    auto n = Node(node);
    const json::Value* taints = n == nullptr ? nullptr : n->FindPath({"spec", "taints"});
    if (taints == nullptr || !taints->is_array()) return "";
    for (const json::Value& t : taints->AsArray()) {
      if (t.GetString({"key"}) == key && t.GetString({"effect"}) == effect) return t.GetString({"timeAdded"});
    }
    return "";
  }
  bool Deleting(const std::string& pod) {
    auto p = PodObject(pod);
    return p != nullptr && !p->GetString({"metadata", "deletionTimestamp"}).empty();
  }

  // The kubelet's heartbeat: its Ready condition set to `ready` at the clock's now.
  void PostStatus(const std::string& node, const std::string& ready) {
    const std::string now = registry::FormatMetaTime(clock_.Now());
    auto written = nodes_->GuaranteedUpdate(
        "", node,
        [&](const json::Value& current) -> absl::StatusOr<json::Value> {
          json::Value next = current;
          json::Value* conditions = next.FindPath({"status", "conditions"});
          for (json::Value& c : conditions->AsArray()) {
            c.Set("lastHeartbeatTime", now);
            const std::string want = c.GetString({"type"}) == "Ready" ? ready : "False";
            if (c.GetString({"status"}) != want) c.Set("lastTransitionTime", now);
            c.Set("status", want);
          }
          return next;
        },
        true, false, registry::WriteOptions{});
    ASSERT_TRUE(written.ok()) << written.status();
  }
  void RenewLease(const std::string& node) {
    const std::string now = registry::FormatMetaMicroTime(clock_.Now());
    auto written = leases_->GuaranteedUpdate(
        kNodeLeaseNamespace, node,
        [&](const json::Value& current) -> absl::StatusOr<json::Value> {
          json::Value next = current;
          next["spec"].Set("renewTime", now);
          return next;
        },
        false, false, registry::WriteOptions{});
    ASSERT_TRUE(written.ok()) << written.status();
  }
  // Replaces the node's taints with `taints` (JSON array text).
  void SetTaints(const std::string& node, const std::string& taints) {
    auto written = nodes_->GuaranteedUpdate(
        "", node,
        [&](const json::Value& current) -> absl::StatusOr<json::Value> {
          json::Value next = current;
          next.Ensure({"spec"}).Set("taints", Parse(taints));
          return next;
        },
        false, false, registry::WriteOptions{});
    ASSERT_TRUE(written.ok()) << written.status();
  }

  TempDir dir_;
  FakeClock clock_;
  const absl::Time start_ = clock_.Now();
  Stack stack_{dir_.path(), &clock_};
  std::shared_ptr<TeeLogSink> sink_ = std::make_shared<TeeLogSink>();
  Logger logger_{sink_, 2, &clock_};
  registry::ResourceStore* const nodes_ = stack_.Core("nodes");
  registry::ResourceStore* const leases_ = stack_.Store("coordination.k8s.io", "leases");
  registry::ResourceStore* const pods_ = stack_.Core("pods");
  registry::ResourceStore* const events_ = stack_.Core("events");
  Informers informers_{&clock_, logger_};
  std::unique_ptr<NodeLifecycleController> lifecycle_;
  std::unique_ptr<TaintEvictionController> eviction_;
};

}  // namespace cubelet::controllers::testing
