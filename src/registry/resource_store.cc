#include "registry/resource_store.h"

#include <charconv>

#include "absl/strings/escaping.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "json/parse.h"
#include "json/write.h"
#include "patch/field_manager.h"
#include "registry/object_meta.h"

namespace cubelet::registry {
namespace {

using storage::cacher::CachedObject;

// How long a read waits for the watch cache to catch up with a revision before answering from
// the store (consistent lists) or with 504 (an explicit resourceVersion the cache has not seen).
constexpr absl::Duration kCacheWait = absl::Seconds(3);
constexpr absl::Duration kConsistentListWait = absl::Milliseconds(250);
constexpr int kMaxUpdateAttempts = 32;

std::optional<int64_t> ParseRevision(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

absl::Status InvalidResourceVersion(std::string_view rv) {
  return apierrors::BadRequest(StrCat("invalid resource version \"", rv, "\""));
}

// The object without metadata.resourceVersion, as stored (the revision is the row, not the bytes).
std::string StoredBytes(json::Value object) {
  if (json::Value* meta = object.Find("metadata"); meta != nullptr) meta->Erase("resourceVersion");
  return json::Write(object);
}

bool SameIgnoringRevision(json::Value a, json::Value b) {
  for (json::Value* v : {&a, &b}) {
    if (json::Value* meta = v->Find("metadata"); meta != nullptr) meta->Erase("resourceVersion");
  }
  return a == b;
}

// The continue token: base64url of {"v":"meta.k8s.io/v1","rv":N,"start":"<key after prefix>"} as
// upstream's storage layer encodes it.
std::string EncodeContinue(int64_t revision, std::string_view start) {
  json::Value v = json::Value::EmptyObject();
  v.Set("v", "meta.k8s.io/v1");
  v.Set("rv", revision);
  v.Set("start", std::string(start));
  return std::string(ToStd(absl::WebSafeBase64Escape(json::Write(v))));
}

struct ContinueToken {
  int64_t revision = 0;
  std::string start;
};

absl::StatusOr<ContinueToken> DecodeContinue(std::string_view token) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(absl::string_view(token.data(), token.size()), &text)) {
    return apierrors::BadRequest("continue key is not valid: illegal base64 data");
  }
  auto v = json::Parse(text);
  if (!v.ok() || !v->is_object() || v->GetString({"v"}) != "meta.k8s.io/v1") {
    return apierrors::BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
  const json::Value* rv = v->Find("rv");
  if (rv == nullptr || !rv->AsInt64() || *rv->AsInt64() <= 0) {
    return apierrors::BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
  std::string start = v->GetString({"start"});
  if (start.find("..") != std::string::npos || (!start.empty() && start[0] == '/')) {
    return apierrors::BadRequest("continue key is not valid: path traversal attempt detected");
  }
  return ContinueToken{*rv->AsInt64(), std::move(start)};
}

bool Matches(const CachedObject& o, const std::string& namespace_, const ListOptions& options) {
  if (!namespace_.empty() && o.namespace_ != namespace_) return false;
  return options.labels.Matches(o.labels) && options.fields.Matches(o.fields);
}

std::optional<int64_t> IntField(const json::Value& object, std::initializer_list<std::string_view> path) {
  const json::Value* v = object.FindPath(path);
  return v == nullptr ? std::nullopt : v->AsInt64();
}

bool HasFinalizers(const json::Value& object) {
  const json::Value* f = object.FindPath({"metadata", "finalizers"});
  return f != nullptr && f->is_array() && !f->AsArray().empty();
}

// Deletion is complete when the object is marked deleted, has no finalizers left and no grace
// period running (upstream's store.Update deletes such an object instead of writing it).
bool ReadyToRemove(const json::Value& object) {
  if (object.FindPath({"metadata", "deletionTimestamp"}) == nullptr || HasFinalizers(object)) return false;
  auto grace = IntField(object, {"metadata", "deletionGracePeriodSeconds"});
  return !grace || *grace == 0;
}

void AddFinalizer(json::Value* object, std::string_view finalizer) {
  json::Value& list = object->Ensure({"metadata", "finalizers"});
  if (!list.is_array()) list = json::Value::EmptyArray();
  for (const json::Value& f : list.AsArray()) {
    if (f.is_string() && f.AsString() == finalizer) return;
  }
  list.Append(std::string(finalizer));
}

}  // namespace

ResourceStore::ResourceStore(ResourceInfo info, std::shared_ptr<const Strategy> strategy, storage::Store* store,
                             const schema::Schema* schema, const Clock* clock, Logger logger)
    : info_(std::move(info)),
      strategy_(std::move(strategy)),
      store_(store),
      schema_(schema),
      clock_(clock),
      logger_(std::move(logger)) {
  storage::cacher::CacherOptions options;
  options.prefix = info_.storage_prefix;
  options.namespaced = info_.namespaced;
  options.indexed_field = info_.indexed_field;
  options.decoder = [this](const storage::KeyValue& kv) { return Decode(kv); };
  cacher_ = std::make_unique<storage::cacher::Cacher>(store_, std::move(options), clock_, logger_);
}

ResourceStore::~ResourceStore() { Stop(); }

absl::Status ResourceStore::Start() {
  return Annotate(cacher_->Start(), StrCat("start the watch cache of ", info_.GroupResource().String()));
}

void ResourceStore::Stop() { cacher_->Stop(); }

std::string ResourceStore::KeyFor(const std::string& namespace_, const std::string& name) const {
  return info_.namespaced ? StrCat(info_.storage_prefix, namespace_, "/", name) : StrCat(info_.storage_prefix, name);
}

absl::StatusOr<ObjectPtr> ResourceStore::Decode(const storage::KeyValue& kv) const {
  ASSIGN_OR_RETURN(json::Value object, json::Parse(kv.value));
  if (!object.is_object()) return absl::DataLossError(StrCat("stored value of ", kv.key, " is not an object"));
  object.Ensure({"metadata"}).Set("resourceVersion", std::to_string(kv.mod_revision));
  auto out = std::make_shared<CachedObject>();
  out->key = kv.key;
  out->mod_revision = kv.mod_revision;
  out->name = object.GetString({"metadata", "name"});
  out->namespace_ = object.GetString({"metadata", "namespace"});
  out->labels = selectors::LabelsOf(object);
  out->fields["metadata.name"] = out->name;
  out->fields["metadata.namespace"] = out->namespace_;
  strategy_->AddSelectableFields(object, &out->fields);
  out->json = json::Write(object);
  out->object = std::make_shared<const json::Value>(std::move(object));
  return ObjectPtr(std::move(out));
}

absl::StatusOr<ObjectPtr> ResourceStore::Get(const std::string& namespace_, const std::string& name,
                                             const GetOptions& options) {
  std::string key = KeyFor(namespace_, name);
  if (options.resource_version.empty()) {
    ASSIGN_OR_RETURN(storage::GetResult got, store_->Get(key));
    if (!got.kv) return apierrors::NotFound(info_.GroupResource(), name);
    return Decode(*got.kv);
  }
  auto rv = ParseRevision(options.resource_version);
  if (!rv) return InvalidResourceVersion(options.resource_version);
  if (*rv > 0 && !cacher_->WaitForRevision(*rv, kCacheWait).ok()) {
    return apierrors::TooLargeResourceVersion(*rv, cacher_->Revision());
  }
  ObjectPtr o = cacher_->Get(key);
  if (o == nullptr) return apierrors::NotFound(info_.GroupResource(), name);
  return o;
}

absl::StatusOr<ListResult> ResourceStore::List(const std::string& namespace_, const ListOptions& options) {
  std::vector<std::string> supported = {"metadata.name", "metadata.namespace"};
  supported.insert(supported.end(), info_.selectable_fields.begin(), info_.selectable_fields.end());
  if (absl::Status s = options.fields.CheckSupported(supported); !s.ok()) {
    return apierrors::BadRequest(ToStd(s.message()));
  }
  if (options.limit < 0) return apierrors::BadRequest("limit must not be negative");
  ListResult result;
  if (!options.continue_token.empty()) {
    if (!options.resource_version.empty() && options.resource_version != "0") {
      return apierrors::BadRequest("specifying resource version is not allowed when using continue");
    }
    ASSIGN_OR_RETURN(ContinueToken token, DecodeContinue(options.continue_token));
    if (token.revision == cacher_->Revision()) {
      // Nothing of this resource changed since the first page: the cache is that snapshot.
      storage::cacher::ListRequest request{namespace_, "", options.labels, options.fields, options.limit,
                                           StrCat(info_.storage_prefix, token.start)};
      TakeCachePage(cacher_->List(request), token.revision, &result);
      return result;
    }
    ListOptions from_store = options;
    from_store.resource_version = std::to_string(token.revision);
    from_store.resource_version_match = "Exact";
    RETURN_IF_ERROR(ListFromStore(namespace_, from_store, StrCat(info_.storage_prefix, token.start), &result));
    return result;
  }
  int64_t wanted = 0;
  if (!options.resource_version.empty()) {
    auto rv = ParseRevision(options.resource_version);
    if (!rv) return InvalidResourceVersion(options.resource_version);
    wanted = *rv;
    if (options.resource_version_match == "Exact") {
      if (wanted == 0) return apierrors::BadRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
      RETURN_IF_ERROR(ListFromStore(namespace_, options, "", &result));
      return result;
    }
    if (wanted > 0 && !cacher_->WaitForRevision(wanted, kCacheWait).ok()) {
      return apierrors::TooLargeResourceVersion(wanted, cacher_->Revision());
    }
  } else {
    // A consistent list: the cache must have seen every write made before this request.
    ASSIGN_OR_RETURN(int64_t current, store_->CurrentRevision());
    if (!cacher_->WaitForRevision(current, kConsistentListWait).ok()) {
      RETURN_IF_ERROR(ListFromStore(namespace_, options, "", &result));
      return result;
    }
  }
  std::string name;
  if (auto n = options.fields.RequiresExactMatch("metadata.name")) name = *n;
  storage::cacher::ListRequest request{namespace_, name, options.labels, options.fields, options.limit, ""};
  storage::cacher::ListResult page = cacher_->List(request);
  const int64_t revision = page.revision;
  TakeCachePage(std::move(page), revision, &result);
  return result;
}

void ResourceStore::TakeCachePage(storage::cacher::ListResult page, int64_t revision, ListResult* result) const {
  result->items = std::move(page.items);
  result->revision = revision;
  if (!page.last_key.empty()) {
    result->continue_token = EncodeContinue(revision, page.last_key.substr(info_.storage_prefix.size()));
    result->remaining = page.remaining;
  }
}

// Lists at a fixed revision straight from the store (an Exact resourceVersion, a continue
// token older than the cache, or a cache that is behind), filtering as the cache would.
absl::Status ResourceStore::ListFromStore(const std::string& namespace_, const ListOptions& options,
                                          const std::string& start_after_key, ListResult* result) {
  storage::ListOptions request;
  request.prefix = info_.namespaced && !namespace_.empty() ? StrCat(info_.storage_prefix, namespace_, "/")
                                                           : info_.storage_prefix;
  request.start_after = start_after_key;
  if (!options.resource_version.empty()) request.revision = ParseRevision(options.resource_version).value_or(0);
  const int64_t want = options.limit > 0 ? options.limit : INT64_MAX;
  while (static_cast<int64_t>(result->items.size()) < want) {
    request.limit = options.limit > 0 ? std::max<int64_t>(options.limit, 100) : 0;
    auto page = store_->List(request);
    if (!page.ok()) {
      if (storage::IsCompacted(page.status()) && start_after_key.empty()) {
        return apierrors::Expired("The resourceVersion for the provided list is too old.");
      }
      if (storage::IsCompacted(page.status())) {
        return apierrors::Expired(
            "The provided continue parameter is too old to display a consistent list result. You can start a new list "
            "without the continue parameter, or use the continue token in this response to retrieve the remainder of "
            "the results. Continuing with the provided token results in an inconsistent list - objects that were "
            "created, modified, or deleted between the time the first chunk was returned and now may show up in the "
            "list.");
      }
      return page.status();
    }
    result->revision = page->revision;
    request.revision = page->revision;
    std::string last_key;
    for (const storage::KeyValue& kv : page->kvs) {
      last_key = kv.key;
      auto decoded = Decode(kv);
      if (!decoded.ok()) {
        logger_.Warning("Skipping an undecodable object", {{"key", kv.key}, {"err", decoded.status()}});
        continue;
      }
      if (!Matches(**decoded, namespace_, options)) continue;
      result->items.push_back(*decoded);
      if (static_cast<int64_t>(result->items.size()) == want) {
        bool more = page->more || &kv != &page->kvs.back();
        if (more) result->continue_token = EncodeContinue(page->revision, kv.key.substr(info_.storage_prefix.size()));
        return absl::OkStatus();
      }
    }
    if (!page->more || last_key.empty()) break;
    request.start_after = last_key;
  }
  return absl::OkStatus();
}

absl::StatusOr<json::Value> ResourceStore::PrepareWrite(json::Value object, const json::Value* old, bool status,
                                                        const WriteOptions& options) const {
  const absl::Time now = clock_->Now();
  if (old == nullptr) {
    PrepareObjectMetaForCreate(&object, now);
    strategy_->PrepareForCreate(&object);
    strategy_->Default(&object);
  } else {
    if (status) {
      // The status subresource changes status (and metadata, as upstream allows), never spec.
      if (const json::Value* spec = old->Find("spec"); spec != nullptr) {
        object.Set("spec", *spec);
      } else {
        object.Erase("spec");
      }
    } else if (info_.has_status) {
      if (const json::Value* st = old->Find("status"); st != nullptr) {
        object.Set("status", *st);
      } else {
        object.Erase("status");
      }
    }
    PrepareObjectMetaForUpdate(&object, *old);
    strategy_->Default(&object);
    if (status) {
      strategy_->PrepareForStatusUpdate(&object, *old);
    } else {
      strategy_->PrepareForUpdate(&object, *old);
    }
  }
  if (options.admission.mutate) RETURN_IF_ERROR(options.admission.mutate(&object, old));
  FieldErrors errors = ValidateObjectMeta(info_, object, old);
  FieldErrors kind_errors = old == nullptr ? strategy_->Validate(object)
                            : status        ? strategy_->ValidateStatusUpdate(object, *old)
                                            : strategy_->ValidateUpdate(object, *old);
  errors.insert(errors.end(), kind_errors.begin(), kind_errors.end());
  if (!errors.empty()) {
    return apierrors::Invalid(info_.group, info_.kind, object.GetString({"metadata", "name"}), std::move(errors));
  }
  if (options.admission.validate) RETURN_IF_ERROR(options.admission.validate(object, old));
  if (!options.field_manager.empty()) {
    if (info_.has_status && !status) {
      // The main resource never owns status (upstream resets it for these writes): record
      // the update on copies without it.
      json::Value updated = object;
      updated.Erase("status");
      std::optional<json::Value> before;
      if (old != nullptr) {
        before = *old;
        before->Erase("status");
      }
      patch::RecordUpdate(*schema_, info_.schema_type, before ? &*before : nullptr, &updated, options.field_manager,
                          info_.GroupVersion(), now);
      if (const json::Value* managed = updated.FindPath({"metadata", "managedFields"}); managed != nullptr) {
        object.Ensure({"metadata"}).Set("managedFields", *managed);
      }
    } else {
      patch::RecordUpdate(*schema_, info_.schema_type, old, &object, options.field_manager, info_.GroupVersion(), now);
    }
  }
  object.Set("apiVersion", info_.GroupVersion());
  object.Set("kind", info_.kind);
  return object;
}

absl::StatusOr<ObjectPtr> ResourceStore::Create(const std::string& namespace_, json::Value object,
                                                const WriteOptions& options) {
  if (!object.is_object()) return apierrors::BadRequest("the request body must be an object");
  json::Value& meta = object.Ensure({"metadata"});
  if (info_.namespaced) {
    std::string ns = meta.GetString({"namespace"});
    if (ns.empty()) {
      meta.Set("namespace", namespace_);
    } else if (ns != namespace_) {
      return apierrors::BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
  } else {
    meta.Erase("namespace");
  }
  const bool generated = meta.GetString({"name"}).empty() && !meta.GetString({"generateName"}).empty();
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(json::Value prepared, PrepareWrite(object, nullptr, false, options));
    const std::string name = prepared.GetString({"metadata", "name"});
    const std::string key = KeyFor(namespace_, name);
    if (options.dry_run) {
      return Decode(storage::KeyValue{key, StoredBytes(prepared), 0, 0});
    }
    storage::WriteOptions write;
    write.ttl = info_.ttl;
    ASSIGN_OR_RETURN(storage::TxnResult res, store_->Create(key, StoredBytes(std::move(prepared)), write));
    if (res.succeeded) return Decode(*res.current);
    // A generated name that collides is drawn again, as upstream does since 1.30.
    if (!generated || attempt >= 7) return apierrors::AlreadyExists(info_.GroupResource(), name);
  }
}

absl::StatusOr<ObjectPtr> ResourceStore::Update(const std::string& namespace_, const std::string& name,
                                                json::Value object, const WriteOptions& options) {
  if (!object.is_object()) return apierrors::BadRequest("the request body must be an object");
  std::string body_name = object.GetString({"metadata", "name"});
  if (!body_name.empty() && body_name != name) {
    return apierrors::BadRequest(
        StrCat("the name of the object (", body_name, ") does not match the name on the URL (", name, ")"));
  }
  if (info_.namespaced) {
    std::string ns = object.GetString({"metadata", "namespace"});
    if (!ns.empty() && ns != namespace_) {
      return apierrors::BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
  }
  object.Ensure({"metadata"}).Set("name", name);
  if (info_.namespaced) object["metadata"].Set("namespace", namespace_);
  std::string wanted_rv = object.GetString({"metadata", "resourceVersion"});
  if (wanted_rv == "0") wanted_rv.clear();  // upstream treats "0" as not set
  if (!wanted_rv.empty() && !ParseRevision(wanted_rv)) return InvalidResourceVersion(wanted_rv);
  UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    if (current.is_null()) return object;  // create on update (leases, events, ...)
    if (wanted_rv.empty() && !strategy_->AllowUnconditionalUpdate()) {
      return apierrors::Invalid(info_.group, info_.kind, name,
                                {apierrors::InvalidCause("metadata.resourceVersion", json::Value(json::Number{"0x0"}),
                                                         "must be specified for an update")});
    }
    if (!wanted_rv.empty() && ParseRevision(wanted_rv) != ParseRevision(current.GetString({"metadata", "resourceVersion"}))) {
      return apierrors::StaleConflict(info_.GroupResource(), name);
    }
    return object;
  };
  return GuaranteedUpdate(namespace_, name, transform, false, strategy_->AllowCreateOnUpdate(), options);
}

absl::StatusOr<ObjectPtr> ResourceStore::UpdateStatus(const std::string& namespace_, const std::string& name,
                                                      json::Value object, const WriteOptions& options) {
  if (!object.is_object()) return apierrors::BadRequest("the request body must be an object");
  std::string body_name = object.GetString({"metadata", "name"});
  if (!body_name.empty() && body_name != name) {
    return apierrors::BadRequest(
        StrCat("the name of the object (", body_name, ") does not match the name on the URL (", name, ")"));
  }
  const std::string wanted_rv = object.GetString({"metadata", "resourceVersion"});
  UpdateFunc transform = [&](const json::Value& current) -> absl::StatusOr<json::Value> {
    if (!wanted_rv.empty() && wanted_rv != current.GetString({"metadata", "resourceVersion"})) {
      return apierrors::StaleConflict(info_.GroupResource(), name);
    }
    json::Value next = object;
    next.Ensure({"metadata"}).Set("name", name);
    if (info_.namespaced) next["metadata"].Set("namespace", namespace_);
    return next;
  };
  return GuaranteedUpdate(namespace_, name, transform, true, false, options);
}

absl::StatusOr<ObjectPtr> ResourceStore::Write(const std::string& key, const json::Value& object,
                                               int64_t expected_revision, bool* conflicted) {
  *conflicted = false;
  storage::WriteOptions write;
  write.ttl = info_.ttl;
  ASSIGN_OR_RETURN(storage::TxnResult res, store_->Update(key, StoredBytes(object), expected_revision, write));
  if (!res.succeeded) {
    *conflicted = true;
    return ObjectPtr();
  }
  return Decode(*res.current);
}

absl::StatusOr<ObjectPtr> ResourceStore::GuaranteedUpdate(const std::string& namespace_, const std::string& name,
                                                          const UpdateFunc& transform, bool status,
                                                          bool create_if_missing, const WriteOptions& options) {
  return UpdateLoop(namespace_, name, transform, status ? UpdateMode::kStatus : UpdateMode::kMain, create_if_missing,
                    options);
}

absl::StatusOr<ObjectPtr> ResourceStore::StorageUpdate(const std::string& namespace_, const std::string& name,
                                                       const UpdateFunc& transform) {
  return UpdateLoop(namespace_, name, transform, UpdateMode::kStorage, false, {});
}

absl::StatusOr<ObjectPtr> ResourceStore::UpdateLoop(const std::string& namespace_, const std::string& name,
                                                    const UpdateFunc& transform, UpdateMode mode, bool create_if_missing,
                                                    const WriteOptions& options) {
  const std::string key = KeyFor(namespace_, name);
  ASSIGN_OR_RETURN(storage::GetResult got, store_->Get(key));
  std::optional<storage::KeyValue> current = std::move(got.kv);
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    if (!current) {
      if (!create_if_missing || mode != UpdateMode::kMain) return apierrors::NotFound(info_.GroupResource(), name);
      ASSIGN_OR_RETURN(json::Value desired, transform(json::Value()));
      desired.Ensure({"metadata"}).Set("name", name);
      auto created = Create(namespace_, std::move(desired), options);
      if (created.ok() || !apierrors::IsAlreadyExists(created.status())) return created;
      ASSIGN_OR_RETURN(got, store_->Get(key));  // raced with another create: update it instead
      current = std::move(got.kv);
      continue;
    }
    ASSIGN_OR_RETURN(ObjectPtr existing, Decode(*current));
    const json::Value& old = *existing->object;
    ASSIGN_OR_RETURN(json::Value next, transform(old));
    if (mode == UpdateMode::kStorage) {
      // Below the strategy: only the metadata the server owns is kept.
      PrepareObjectMetaForUpdate(&next, old);
    } else {
      ASSIGN_OR_RETURN(next, PrepareWrite(std::move(next), &old, mode == UpdateMode::kStatus, options));
    }
    if (SameIgnoringRevision(next, old)) return existing;  // a no-op writes nothing, as upstream
    if (options.dry_run) {
      return Decode(storage::KeyValue{key, StoredBytes(next), current->create_revision, current->mod_revision});
    }
    if (mode != UpdateMode::kStorage && ReadyToRemove(next) && !strategy_->BlocksRemoval(next)) {
      ASSIGN_OR_RETURN(storage::TxnResult res, store_->Delete(key, current->mod_revision));
      if (res.succeeded) {
        res.current->value = StoredBytes(std::move(next));
        return Decode(*res.current);
      }
      current = std::move(res.current);
      continue;
    }
    bool conflicted = false;
    ASSIGN_OR_RETURN(ObjectPtr written, Write(key, next, current->mod_revision, &conflicted));
    if (!conflicted) return written;
    ASSIGN_OR_RETURN(got, store_->Get(key));
    current = std::move(got.kv);
  }
  return apierrors::Conflict(info_.GroupResource(), name, "too many concurrent updates, please try again");
}

absl::StatusOr<DeleteResult> ResourceStore::Delete(const std::string& namespace_, const std::string& name,
                                                   const DeleteOptions& options) {
  if (options.propagation_policy != "" && options.propagation_policy != "Background" &&
      options.propagation_policy != "Foreground" && options.propagation_policy != "Orphan") {
    return apierrors::Invalid("meta.k8s.io", "DeleteOptions", "",
                              {apierrors::NotSupportedCause("propagationPolicy", json::Value(options.propagation_policy),
                                                            {"Foreground", "Background", "Orphan", "nil"})});
  }
  const std::string key = KeyFor(namespace_, name);
  ASSIGN_OR_RETURN(storage::GetResult got, store_->Get(key));
  std::optional<storage::KeyValue> current = std::move(got.kv);
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    if (!current) return apierrors::NotFound(info_.GroupResource(), name);
    ASSIGN_OR_RETURN(ObjectPtr existing, Decode(*current));
    const json::Value& old = *existing->object;
    const std::string uid = old.GetString({"metadata", "uid"});
    if (options.preconditions.uid && *options.preconditions.uid != uid) {
      return apierrors::Conflict(info_.GroupResource(), name,
                                 StrCat("Precondition failed: UID in precondition: ", *options.preconditions.uid,
                                        ", UID in object meta: ", uid));
    }
    const std::string rv = old.GetString({"metadata", "resourceVersion"});
    if (options.preconditions.resource_version && *options.preconditions.resource_version != rv) {
      return apierrors::Conflict(info_.GroupResource(), name,
                                 StrCat("Precondition failed: ResourceVersion in precondition: ",
                                        *options.preconditions.resource_version, ", ResourceVersion in object meta: ", rv));
    }
    if (options.admission.validate) RETURN_IF_ERROR(options.admission.validate(old, &old));

    json::Value next = old;
    bool keep = false;  // store `next` instead of removing the object
    const absl::Time now = clock_->Now();
    const bool deleting = old.FindPath({"metadata", "deletionTimestamp"}) != nullptr;
    std::optional<int64_t> grace = strategy_->GracePeriod(old, options.grace_period_seconds);
    if (options.propagation_policy == "Orphan") AddFinalizer(&next, "orphan");
    if (options.propagation_policy == "Foreground") AddFinalizer(&next, "foregroundDeletion");
    if (strategy_->BeginDelete(&next)) {
      // The kind's own deletion process (a namespace empties itself first) is not over.
      if (next.FindPath({"metadata", "deletionTimestamp"}) == nullptr) {
        next["metadata"].Set("deletionTimestamp", FormatMetaTime(now));
      }
      keep = true;
    } else if (deleting) {
      // Only a shorter grace period changes anything once deletion has begun (upstream
      // BeforeDelete); the object goes when its finalizers are gone and no grace period runs.
      auto old_grace = IntField(old, {"metadata", "deletionGracePeriodSeconds"});
      if (grace && old_grace && *grace < *old_grace) {
        absl::Time stamp = now;
        std::string err;
        if (absl::ParseTime(absl::RFC3339_full, old.GetString({"metadata", "deletionTimestamp"}), &stamp, &err)) {
          stamp = stamp - absl::Seconds(*old_grace) + absl::Seconds(*grace);
        }
        next["metadata"].Set("deletionGracePeriodSeconds", *grace);
        next["metadata"].Set("deletionTimestamp", FormatMetaTime(stamp));
      }
      keep = !ReadyToRemove(next);
    } else if (grace && *grace > 0) {
      next["metadata"].Set("deletionTimestamp", FormatMetaTime(now + absl::Seconds(*grace)));
      next["metadata"].Set("deletionGracePeriodSeconds", *grace);
      keep = true;
    } else if (HasFinalizers(next)) {
      next["metadata"].Set("deletionTimestamp", FormatMetaTime(now));
      next["metadata"].Set("deletionGracePeriodSeconds", 0);
      keep = true;
    }
    if (options.dry_run) return DeleteResult{existing, !keep};
    if (keep) {
      if (SameIgnoringRevision(next, old)) return DeleteResult{existing, false};
      bool conflicted = false;
      ASSIGN_OR_RETURN(ObjectPtr written, Write(key, next, current->mod_revision, &conflicted));
      if (!conflicted) return DeleteResult{written, false};
    } else {
      ASSIGN_OR_RETURN(storage::TxnResult res, store_->Delete(key, current->mod_revision));
      if (res.succeeded) {
        res.current->value = StoredBytes(std::move(next));
        ASSIGN_OR_RETURN(ObjectPtr last, Decode(*res.current));
        return DeleteResult{last, true};
      }
    }
    ASSIGN_OR_RETURN(got, store_->Get(key));
    current = std::move(got.kv);
  }
  return apierrors::Conflict(info_.GroupResource(), name, "too many concurrent updates, please try again");
}

absl::StatusOr<std::vector<ObjectPtr>> ResourceStore::DeleteCollection(const std::string& namespace_,
                                                                       const ListOptions& list_options,
                                                                       const DeleteOptions& options) {
  ListOptions all = list_options;
  all.limit = 0;
  all.continue_token.clear();
  ASSIGN_OR_RETURN(ListResult listed, List(namespace_, all));
  std::vector<ObjectPtr> out;
  for (const ObjectPtr& item : listed.items) {
    DeleteOptions one = options;
    auto deleted = Delete(item->namespace_, item->name, one);
    if (!deleted.ok()) {
      if (apierrors::IsNotFound(deleted.status())) continue;  // gone meanwhile
      return deleted.status();
    }
    out.push_back(deleted->object);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<storage::cacher::WatchHandle>> ResourceStore::Watch(
    const std::string& namespace_, const WatchOptions& options, storage::cacher::WatchSink* sink) {
  std::vector<std::string> supported = {"metadata.name", "metadata.namespace"};
  supported.insert(supported.end(), info_.selectable_fields.begin(), info_.selectable_fields.end());
  if (absl::Status s = options.fields.CheckSupported(supported); !s.ok()) {
    return apierrors::BadRequest(ToStd(s.message()));
  }
  storage::cacher::WatchRequest request;
  request.namespace_ = namespace_;
  if (auto n = options.fields.RequiresExactMatch("metadata.name")) request.name = *n;
  request.labels = options.labels;
  request.fields = options.fields;
  if (!options.resource_version.empty()) {
    auto rv = ParseRevision(options.resource_version);
    if (!rv) return InvalidResourceVersion(options.resource_version);
    request.start_revision = *rv;
  }
  request.allow_bookmarks = options.allow_bookmarks;
  request.send_initial_events = options.send_initial_events;
  auto handle = cacher_->Watch(request, sink);
  if (!handle.ok() && storage::IsCompacted(handle.status())) return apierrors::Expired(ToStd(handle.status().message()));
  return handle;
}

}  // namespace cubelet::registry
