// Owns: what the controller tests share: a real server stack without HTTP (a SQLite store in a
// temp dir, a ResourceStore with its watch cache per built-in kind, the built-in schema) and a
// fixture holding one, object builders, a polling helper and a sink that records a resource's
// watch events.
// Does not own: assertions about the controllers (the tests make those).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/logger.h"
#include "controllers/controllers.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/value.h"
#include "registry/resource_set.h"
#include "registry/resource_store.h"
#include "registry/resources.h"
#include "schema/schema.h"
#include "storage/cacher/cacher.h"
#include "storage/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace cubelet::controllers::testing {

// Generous real-time limit for what happens on the controllers' threads.
inline constexpr absl::Duration kWait = absl::Seconds(20);

// Polls `pred` every 10 ms (real time) until it holds or `limit` passes.
inline bool Eventually(const std::function<bool()>& pred, absl::Duration limit = kWait) {
  const absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return pred();
}

using ::cubelet::testing::TempDir;

// Writes to stderr and keeps the lines.
class TeeLogSink final : public LogSink {
 public:
  void Write(std::string_view line) override {
    stderr_.Write(line);
    captured_.Write(line);
  }
  int Count(std::string_view needle) const { return captured_.Count(needle); }

 private:
  StderrLogSink stderr_;
  CapturingLogSink captured_;
};

// A server without HTTP: the store, the caches and the controllers over them.
class Stack {
 public:
  // `dir` outlives the stack; a second Stack on the same dir is a restarted server.
  Stack(const std::string& dir, Clock* clock, int verbosity = 2)
      : clock_(clock), sink_(std::make_shared<TeeLogSink>()), logger_(sink_, verbosity, clock) {
    storage::sqlite::SqliteStoreOptions options;
    options.expiry_poll_interval = absl::Milliseconds(20);
    auto store = storage::sqlite::NewSqliteStore(dir, options, clock, logger_);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    for (const registry::ResourceDefinition& d : registry::BuiltInResources(absl::Hours(1))) {
      // events.k8s.io events are core events in the store: one cache per stored kind.
      if (!d.info.storage_resource.empty()) continue;
      resources_.Add(std::make_unique<registry::ResourceStore>(d.info, d.strategy, store_.get(),
                                                               &schema::Schema::BuiltIn(), clock, logger_));
    }
    for (registry::ResourceStore* s : resources_.all()) {
      absl::Status started = s->Start();
      EXPECT_TRUE(started.ok()) << started;
    }
  }
  ~Stack() {
    StopControllers();
    for (registry::ResourceStore* s : resources_.all()) s->Stop();
    store_->Close();
  }

  static ControllerOptions Options() {
    ControllerOptions o;
    o.advertise_address = "192.0.2.10";
    o.secure_port = 6443;
    o.kubernetes_service_ip = "10.0.0.1";
    o.resync_interval = absl::Seconds(10);
    return o;
  }

  ControllerManager* StartControllers(ControllerOptions options = Options()) {
    controllers_ = NewControllerManager(&resources_, options, clock_, logger_);
    absl::Status s = controllers_->Start();
    EXPECT_TRUE(s.ok()) << s;
    return controllers_.get();
  }
  void StopControllers() {
    if (controllers_) controllers_->Stop();
    controllers_.reset();
  }

  registry::ResourceStore* Store(const std::string& group, const std::string& resource) {
    registry::ResourceStore* s = resources_.Find(group, resource);
    EXPECT_NE(s, nullptr) << group << "/" << resource;
    return s;
  }
  registry::ResourceStore* Core(const std::string& resource) { return Store("", resource); }

  // The object as stored, or null when absent.
  std::shared_ptr<const json::Value> Get(registry::ResourceStore* store, const std::string& ns,
                                         const std::string& name) {
    auto got = store->Get(ns, name, registry::GetOptions{});
    return got.ok() ? (*got)->object : nullptr;
  }
  std::shared_ptr<const json::Value> Create(registry::ResourceStore* store, const std::string& ns, json::Value object) {
    auto created = store->Create(ns, std::move(object), registry::WriteOptions{});
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? (*created)->object : nullptr;
  }
  size_t Count(registry::ResourceStore* store, const std::string& ns) {
    auto listed = store->List(ns, registry::ListOptions{});
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? listed->items.size() : 0;
  }
  int64_t Revision() {
    auto rev = store_->CurrentRevision();
    EXPECT_TRUE(rev.ok()) << rev.status();
    return rev.ok() ? *rev : -1;
  }

  storage::sqlite::SqliteStore* sqlite() { return store_.get(); }
  registry::ResourceSet* resources() { return &resources_; }
  const TeeLogSink& log() const { return *sink_; }

 private:
  Clock* clock_;
  std::shared_ptr<TeeLogSink> sink_;
  Logger logger_;
  std::unique_ptr<storage::sqlite::SqliteStore> store_;
  registry::ResourceSet resources_;
  std::unique_ptr<ControllerManager> controllers_;
};

// A Stack on a fresh temp dir with a real clock, for tests that neither restart the server nor
// drive time; the controllers are not started.
class StackTest : public ::testing::Test {
 protected:
  TempDir dir_;
  RealClock clock_;
  Stack stack_{dir_.path(), &clock_};
  registry::ResourceStore* const configmaps_ = stack_.Core("configmaps");
};

inline json::Value Parse(std::string_view text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << ": " << text;
  return v.ok() ? *v : json::Value();
}

inline json::Value Namespace(const std::string& name) {
  return Parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name + R"("}})");
}

inline json::Value ConfigMap(const std::string& name) {
  return Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"("},"data":{"k":"v"}})");
}

// `owner` as an ownerReference (apiVersion/kind/name/uid of the stored object).
inline json::Value OwnerRef(const json::Value& owner, bool block_owner_deletion = false) {
  json::Value ref = json::Value::EmptyObject();
  ref.Set("apiVersion", owner.GetString({"apiVersion"}));
  ref.Set("kind", owner.GetString({"kind"}));
  ref.Set("name", owner.GetString({"metadata", "name"}));
  ref.Set("uid", owner.GetString({"metadata", "uid"}));
  if (block_owner_deletion) ref.Set("blockOwnerDeletion", true);
  return ref;
}

inline json::Value OwnedBy(json::Value object, const std::vector<json::Value>& owners) {
  json::Array refs(owners.begin(), owners.end());
  object.Ensure({"metadata"}).Set("ownerReferences", json::Value(std::move(refs)));
  return object;
}

inline json::Value Pod(const std::string& name, const std::string& node = "") {
  json::Value pod = Parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
                          R"("},"spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  if (!node.empty()) pod["spec"].Set("nodeName", node);
  return pod;
}

// Records the watch events of one resource.
class RecordingSink final : public storage::cacher::WatchSink {
 public:
  struct Seen {
    storage::cacher::EventType type;
    std::string namespace_;
    std::string name;
    int64_t revision;
  };
  bool OnEvent(const storage::cacher::WatchEvent& e) override {
    if (e.type == storage::cacher::EventType::kBookmark) return true;
    absl::MutexLock lock(&mu_);
    seen_.push_back({e.type, e.object->namespace_, e.object->name, e.revision});
    return true;
  }
  // The revision at which `name` was deleted, or 0.
  int64_t DeletedAt(const std::string& ns, const std::string& name) const {
    absl::MutexLock lock(&mu_);
    for (const Seen& s : seen_) {
      if (s.type == storage::cacher::EventType::kDeleted && s.namespace_ == ns && s.name == name) return s.revision;
    }
    return 0;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Seen> seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cubelet::controllers::testing
