// Owns: the generic verbs of one resource over a storage::Store and its watch cache (upstream
// apiserver/pkg/registry/generic/registry/store.go): get, list (selectors, paging with continue
// tokens, resourceVersion semantics), create (name generation, uid, creationTimestamp), update
// and patch as a guaranteed update (compare-and-swap retried on races, 409 on a stale
// resourceVersion), the status subresource, graceful deletion with preconditions and
// finalizers, deletecollection, and watch. Per-kind behaviour comes from a Strategy.
// Does not own: HTTP, content types, authorization and admission policy (apiserver/ passes
// admission in as callbacks), patch algorithms (patch/).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/logger.h"
#include "json/value.h"
#include "registry/resource.h"
#include "schema/schema.h"
#include "selectors/selectors.h"
#include "storage/cacher/cacher.h"
#include "storage/store.h"

namespace cubelet::registry {

using storage::cacher::ObjectPtr;

struct GetOptions {
  std::string resource_version;  // "" = the latest (read from the store), "0" = any (the cache)
};

struct ListOptions {
  selectors::LabelSelector labels;
  selectors::FieldSelector fields;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;        // "", "0" or a revision
  std::string resource_version_match;  // "", "NotOlderThan", "Exact"
};

struct ListResult {
  std::vector<ObjectPtr> items;
  int64_t revision = 0;
  std::string continue_token;       // set when more items remain
  std::optional<int64_t> remaining;  // remainingItemCount, when known
};

// Admission hooks the API server runs inside a write (upstream admission.Interface): mutating
// ones may change the object, validating ones may only refuse. `old` is null for a create.
struct Admission {
  std::function<absl::Status(json::Value* object, const json::Value* old)> mutate;
  std::function<absl::Status(const json::Value& object, const json::Value* old)> validate;
};

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;  // metadata.managedFields manager for the update
  Admission admission;
  // Warnings to return to the client (Warning headers), appended by the store.
  std::vector<std::string>* warnings = nullptr;
};

struct Preconditions {
  std::optional<std::string> uid;
  std::optional<std::string> resource_version;
};

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  Preconditions preconditions;
  std::string propagation_policy;  // "", "Background", "Foreground", "Orphan"
  bool dry_run = false;
  Admission admission;  // validate is called with the object about to be deleted
};

struct DeleteResult {
  ObjectPtr object;      // the last state (removed) or the updated object (graceful, finalizers)
  bool removed = false;  // gone from the store
};

// Transforms the current object (resourceVersion set) into the desired one; an error aborts
// the update with that error. Called again with a newer object when another write raced it.
using UpdateFunc = std::function<absl::StatusOr<json::Value>(const json::Value& current)>;

// Thread-safe.
class ResourceStore {
 public:
  ResourceStore(ResourceInfo info, std::shared_ptr<const Strategy> strategy, storage::Store* store,
                const schema::Schema* schema, const Clock* clock, Logger logger);
  ~ResourceStore();

  // Starts the watch cache (lists the resource from the store).
  absl::Status Start();
  void Stop();

  const ResourceInfo& info() const { return info_; }
  bool AllowCreateOnUpdate() const { return strategy_->AllowCreateOnUpdate(); }
  storage::cacher::Cacher& cacher() { return *cacher_; }
  // The store key of an object.
  std::string KeyFor(const std::string& namespace_, const std::string& name) const;
  // Parses a stored key-value into the cached form (used by the cache and for write results).
  absl::StatusOr<ObjectPtr> Decode(const storage::KeyValue& kv) const;

  absl::StatusOr<ObjectPtr> Get(const std::string& namespace_, const std::string& name, const GetOptions& options);
  absl::StatusOr<ListResult> List(const std::string& namespace_, const ListOptions& options);
  // The namespace comes from the URL; the object's must match or be empty.
  absl::StatusOr<ObjectPtr> Create(const std::string& namespace_, json::Value object, const WriteOptions& options);
  // PUT: replaces the object (its status kept when the resource has a status subresource).
  absl::StatusOr<ObjectPtr> Update(const std::string& namespace_, const std::string& name, json::Value object,
                                   const WriteOptions& options);
  // PUT on the status subresource: only status changes.
  absl::StatusOr<ObjectPtr> UpdateStatus(const std::string& namespace_, const std::string& name, json::Value object,
                                         const WriteOptions& options);
  // Read-modify-write (patches, bindings): `transform` gets the current object; the result is
  // treated as a PUT (main resource, or status when `status` is set). When the object is
  // missing and `create_if_missing` is set (server-side apply), `transform` gets null and the
  // result is created.
  absl::StatusOr<ObjectPtr> GuaranteedUpdate(const std::string& namespace_, const std::string& name,
                                             const UpdateFunc& transform, bool status, bool create_if_missing,
                                             const WriteOptions& options);
  // A read-modify-write below the strategy (upstream's BindingREST and the namespace finalizer
  // write through the storage layer): `transform`'s result is stored as it is, with only the
  // metadata the server owns kept. No admission, no validation, no managedFields.
  absl::StatusOr<ObjectPtr> StorageUpdate(const std::string& namespace_, const std::string& name,
                                          const UpdateFunc& transform);
  absl::StatusOr<DeleteResult> Delete(const std::string& namespace_, const std::string& name,
                                      const DeleteOptions& options);
  // Deletes every object the list options select (in the namespace, or all with "").
  absl::StatusOr<std::vector<ObjectPtr>> DeleteCollection(const std::string& namespace_,
                                                          const ListOptions& list_options,
                                                          const DeleteOptions& options);

  struct WatchOptions {
    selectors::LabelSelector labels;
    selectors::FieldSelector fields;
    std::string resource_version;  // "" / "0": initial state first; "N": changes after N
    bool allow_bookmarks = false;
    bool send_initial_events = false;
  };
  absl::StatusOr<std::unique_ptr<storage::cacher::WatchHandle>> Watch(const std::string& namespace_,
                                                                      const WatchOptions& options,
                                                                      storage::cacher::WatchSink* sink);

 private:
  absl::StatusOr<json::Value> PrepareWrite(json::Value object, const json::Value* old, bool status,
                                           const WriteOptions& options) const;
  // kMain and kStatus go through the strategy (PUT/patch of the resource or its status);
  // kStorage writes what the transform returns (StorageUpdate).
  enum class UpdateMode { kMain, kStatus, kStorage };
  absl::StatusOr<ObjectPtr> UpdateLoop(const std::string& namespace_, const std::string& name,
                                       const UpdateFunc& transform, UpdateMode mode, bool create_if_missing,
                                       const WriteOptions& options);
  absl::StatusOr<ObjectPtr> Write(const std::string& key, const json::Value& object, int64_t expected_revision,
                                  bool* conflicted);
  // A page of the watch cache as the result at `revision`, with the continue token for the rest.
  void TakeCachePage(storage::cacher::ListResult page, int64_t revision, ListResult* result) const;
  // Lists at options.resource_version (0 = now) from the store, after `start_after_key`.
  absl::Status ListFromStore(const std::string& namespace_, const ListOptions& options,
                             const std::string& start_after_key, ListResult* result);

  ResourceInfo info_;
  std::shared_ptr<const Strategy> strategy_;
  storage::Store* store_;
  const schema::Schema* schema_;
  const Clock* clock_;
  Logger logger_;
  std::unique_ptr<storage::cacher::Cacher> cacher_;
};

}  // namespace cubelet::registry
