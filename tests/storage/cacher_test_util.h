// Owns: what the watch cache tests share: a pod-like test Decoder (the registry supplies the
// real one), sinks that record what a watch receives, and a fixture with a real SQLite store in
// a temp dir and a Cacher over /registry/pods/.
// Does not own: assertions about the cacher (the tests make those).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/value.h"
#include "json/write.h"
#include "selectors/selectors.h"
#include "storage/cacher/cacher.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"
#include "storage/store_test_util.h"

namespace cubelet::storage::cacher::testing {

inline constexpr char kPrefix[] = "/registry/pods/";
// Generous real-time limit for things that happen on other threads.
inline constexpr absl::Duration kWait = absl::Seconds(20);

inline std::string PodKey(const std::string& ns, const std::string& name) {
  return std::string(kPrefix) + ns + "/" + name;
}

// Parses the stored JSON, sets metadata.resourceVersion, takes namespace and name from the key
// and computes labels and the fields metadata.name, metadata.namespace, spec.nodeName and
// status.phase, as the registry's pod decoder will.
inline absl::StatusOr<ObjectPtr> DecodePod(const KeyValue& kv) {
  absl::StatusOr<json::Value> v = json::Parse(kv.value);
  if (!v.ok()) return v.status();
  if (!v->is_object()) return absl::InvalidArgumentError("not an object");
  auto o = std::make_shared<CachedObject>();
  o->key = kv.key;
  std::string rest = kv.key.substr(std::string(kPrefix).size());
  size_t slash = rest.find('/');
  o->namespace_ = rest.substr(0, slash);
  o->name = rest.substr(slash + 1);
  o->mod_revision = kv.mod_revision;
  v->Ensure({"metadata", "resourceVersion"}) = json::Value(std::to_string(kv.mod_revision));
  o->labels = selectors::LabelsOf(*v);
  o->fields["metadata.name"] = o->name;
  o->fields["metadata.namespace"] = o->namespace_;
  o->fields["spec.nodeName"] = v->GetString({"spec", "nodeName"});
  o->fields["status.phase"] = v->GetString({"status", "phase"});
  o->json = json::Write(*v);
  o->object = std::make_shared<const json::Value>(*std::move(v));
  return o;
}

struct Pod {
  std::string ns = "default";
  std::string name;
  std::map<std::string, std::string> labels;
  std::string node;
  std::string phase = "Pending";
};

inline std::string PodJson(const Pod& p) {
  json::Value v = json::Value::EmptyObject();
  v.Set("apiVersion", "v1");
  v.Set("kind", "Pod");
  v.Ensure({"metadata", "name"}) = json::Value(p.name);
  v.Ensure({"metadata", "namespace"}) = json::Value(p.ns);
  if (!p.labels.empty()) {
    json::Value& labels = v.Ensure({"metadata", "labels"});
    for (const auto& [k, val] : p.labels) labels.Set(k, json::Value(val));
  }
  if (!p.node.empty()) v.Ensure({"spec", "nodeName"}) = json::Value(p.node);
  v.Ensure({"status", "phase"}) = json::Value(p.phase);
  return json::Write(v);
}

// A received event, flattened for assertions.
struct Received {
  EventType type;
  std::string key;  // "" for bookmarks
  int64_t revision;
  bool initial_events_end;
  ObjectPtr object;
};

// Records every event; optionally returns false once `accept_limit` events were received.
class RecordingSink : public WatchSink {
 public:
  explicit RecordingSink(int accept_limit = -1) : accept_limit_(accept_limit) {}

  bool OnEvent(const WatchEvent& e) override {
    absl::MutexLock lock(&mu_);
    events_.push_back(Received{e.type, e.object ? e.object->key : "", e.revision, e.initial_events_end, e.object});
    return accept_limit_ < 0 || static_cast<int>(events_.size()) < accept_limit_;
  }
  void OnClosed(const absl::Status& reason) override {
    absl::MutexLock lock(&mu_);
    closed_ = reason;
  }

  // Waits until at least `n` events arrived; false after kWait.
  bool WaitForCount(size_t n, absl::Duration timeout = kWait) {
    absl::MutexLock lock(&mu_);
    auto done = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return events_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }
  // Waits until an event with revision >= `revision` arrived.
  bool WaitForRevision(int64_t revision, absl::Duration timeout = kWait) {
    absl::MutexLock lock(&mu_);
    auto done = [this, revision]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !events_.empty() && events_.back().revision >= revision;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }
  bool WaitForClosed(absl::Duration timeout = kWait) {
    absl::MutexLock lock(&mu_);
    auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closed_.has_value(); };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }
  std::vector<Received> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  std::optional<absl::Status> closed() const {
    absl::MutexLock lock(&mu_);
    return closed_;
  }

 private:
  const int accept_limit_;
  mutable absl::Mutex mu_;
  std::vector<Received> events_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> closed_ ABSL_GUARDED_BY(mu_);
};

class CacherTestBase : public ::testing::Test {
 protected:
  CacherTestBase() : store_(storage::testing::OpenOrDie(dir_.path(), &store_clock_)) {}
  ~CacherTestBase() override {
    cacher_.reset();
    if (store_) store_->Close();
  }

  CacherOptions Options() {
    CacherOptions o;
    o.prefix = kPrefix;
    o.namespaced = true;
    o.decoder = DecodePod;
    o.indexed_field = "spec.nodeName";
    return o;
  }
  void StartCacher(CacherOptions o) {
    cacher_ = std::make_unique<Cacher>(store_.get(), std::move(o), &clock_, logger_);
    ASSERT_TRUE(cacher_->Start().ok());
  }
  void StartCacher() { StartCacher(Options()); }
  // A cacher whose ring keeps only `event_capacity` events, so that older watches go to the store.
  void StartCacherKeeping(size_t event_capacity) {
    CacherOptions o = Options();
    o.event_capacity = event_capacity;
    StartCacher(std::move(o));
  }

  // Creates or updates the pod; returns the write's revision.
  int64_t Put(const Pod& p) {
    const std::string key = PodKey(p.ns, p.name);
    absl::StatusOr<GetResult> got = store_->Get(key);
    EXPECT_TRUE(got.ok()) << got.status();
    absl::StatusOr<TxnResult> r = got->kv ? store_->Update(key, PodJson(p), got->kv->mod_revision)
                                          : store_->Create(key, PodJson(p));
    EXPECT_TRUE(r.ok() && r->succeeded) << key;
    return r.ok() && r->current ? r->current->mod_revision : 0;
  }
  int64_t Delete(const std::string& ns, const std::string& name) {
    absl::StatusOr<TxnResult> r = store_->Delete(PodKey(ns, name), std::nullopt);
    EXPECT_TRUE(r.ok() && r->succeeded) << name;
    return r.ok() ? r->revision : 0;
  }
  // Waits until the cache has applied everything written so far.
  void Sync() {
    absl::StatusOr<int64_t> rev = store_->CurrentRevision();
    ASSERT_TRUE(rev.ok());
    ASSERT_TRUE(cacher_->WaitForRevision(*rev, kWait).ok());
  }

  std::unique_ptr<WatchHandle> WatchOrDie(const WatchRequest& r, WatchSink* sink) {
    absl::StatusOr<std::unique_ptr<WatchHandle>> h = cacher_->Watch(r, sink);
    EXPECT_TRUE(h.ok()) << h.status();
    return h.ok() ? *std::move(h) : nullptr;
  }

  FakeClock clock_;
  FakeClock store_clock_;
  Logger logger_{std::make_shared<StderrLogSink>(), 0, &clock_};
  storage::testing::TempDir dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  std::unique_ptr<Cacher> cacher_;
};

inline selectors::LabelSelector Labels(const std::string& text) {
  absl::StatusOr<selectors::LabelSelector> s = selectors::LabelSelector::Parse(text);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : selectors::LabelSelector();
}
inline selectors::FieldSelector Fields(const std::string& text) {
  absl::StatusOr<selectors::FieldSelector> s = selectors::FieldSelector::Parse(text);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : selectors::FieldSelector();
}

}  // namespace cubelet::storage::cacher::testing
