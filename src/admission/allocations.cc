#include "admission/allocations.h"

#include <map>

#include "common/status_macros.h"
#include "json/parse.h"
#include "json/write.h"

namespace cubelet::admission {

std::optional<AllocationOwner> ParseAllocationOwner(std::string_view value, absl::Time* allocated) {
  auto parsed = json::Parse(value);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  AllocationOwner owner{parsed->GetString({"namespace"}), parsed->GetString({"name"}), parsed->GetString({"uid"})};
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, parsed->GetString({"allocated"}), allocated, &err)) {
    *allocated = absl::InfinitePast();
  }
  return owner;
}

Allocations::Allocations(storage::Store* store, const ObjectLookup* lookup, const Clock* clock, std::string prefix,
                         absl::Duration grace, UsesItem uses)
    : store_(store),
      lookup_(lookup),
      clock_(clock),
      prefix_(std::move(prefix)),
      grace_(grace),
      uses_(std::move(uses)) {}

std::string Allocations::ValueFor(const AllocationOwner& owner) const {
  json::Value v = json::Value::EmptyObject();
  v.Set("namespace", owner.namespace_);
  v.Set("name", owner.name);
  v.Set("uid", owner.uid);
  v.Set("allocated", absl::FormatTime(absl::RFC3339_sec, clock_->Now(), absl::UTCTimeZone()));
  return json::Write(v);
}

bool Allocations::Reclaimable(const storage::KeyValue& kv, std::string_view item) const {
  absl::Time allocated;
  std::optional<AllocationOwner> owner = ParseAllocationOwner(kv.value, &allocated);
  // A value that is not ours to read holds nothing.
  if (!owner) return true;
  if (allocated + grace_ > clock_->Now()) return false;
  std::shared_ptr<const json::Value> service = lookup_->Get("", "services", owner->namespace_, owner->name);
  if (service == nullptr) return true;
  if (service->GetString({"metadata", "uid"}) != owner->uid) return true;
  return !uses_(*service, item);
}

absl::StatusOr<Allocations::Outcome> Allocations::ClaimItem(const std::string& item, const AllocationOwner& owner,
                                                            bool dry_run, Claim* claim) const {
  const std::string key = KeyOf(item);
  // Each round either writes or sees the key change; a few rounds settle any race.
  for (int attempt = 0; attempt < 5; ++attempt) {
    ASSIGN_OR_RETURN(storage::GetResult got, store_->Get(key));
    if (!got.kv) {
      if (dry_run) {
        *claim = {item, 0};
        return Outcome::kClaimed;
      }
      ASSIGN_OR_RETURN(storage::TxnResult res, store_->Create(key, ValueFor(owner)));
      if (res.succeeded) {
        *claim = {item, res.current->mod_revision};
        return Outcome::kClaimed;
      }
      continue;
    }
    absl::Time allocated;
    if (std::optional<AllocationOwner> holder = ParseAllocationOwner(got.kv->value, &allocated);
        holder && *holder == owner) {
      return Outcome::kAlreadyHeld;
    }
    if (!Reclaimable(*got.kv, item)) return Outcome::kTaken;
    if (dry_run) {
      *claim = {item, 0};
      return Outcome::kClaimed;
    }
    ASSIGN_OR_RETURN(storage::TxnResult res, store_->Update(key, ValueFor(owner), got.kv->mod_revision));
    if (res.succeeded) {
      *claim = {item, res.current->mod_revision};
      return Outcome::kClaimed;
    }
  }
  return Outcome::kTaken;
}

absl::StatusOr<std::optional<Claim>> Allocations::ClaimFirst(int64_t first, int64_t last,
                                                             const std::function<std::string(int64_t)>& format,
                                                             const std::function<bool(int64_t)>& skip,
                                                             const AllocationOwner& owner, bool dry_run) const {
  storage::ListOptions options;
  options.prefix = prefix_;
  ASSIGN_OR_RETURN(storage::ListResult listed, store_->List(options));
  std::map<std::string, storage::KeyValue, std::less<>> held;
  for (storage::KeyValue& kv : listed.kvs) {
    std::string item = kv.key.substr(prefix_.size());
    held.emplace(std::move(item), std::move(kv));
  }
  for (int64_t i = first; i <= last; ++i) {
    if (skip && skip(i)) continue;
    std::string item = format(i);
    auto it = held.find(item);
    if (it == held.end()) {
      if (dry_run) return Claim{item, 0};
      ASSIGN_OR_RETURN(storage::TxnResult res, store_->Create(KeyOf(item), ValueFor(owner)));
      // Lost to a concurrent allocator: it is fresh, so not reclaimable; move on.
      if (res.succeeded) return Claim{item, res.current->mod_revision};
      continue;
    }
    if (!Reclaimable(it->second, item)) continue;
    if (dry_run) return Claim{item, 0};
    ASSIGN_OR_RETURN(storage::TxnResult res, store_->Update(KeyOf(item), ValueFor(owner), it->second.mod_revision));
    if (res.succeeded) return Claim{item, res.current->mod_revision};
  }
  return std::optional<Claim>();
}

void Allocations::Release(const Claim& claim) const {
  if (claim.mod_revision == 0) return;
  (void)store_->Delete(KeyOf(claim.item), claim.mod_revision);
}

void Allocations::ReleaseIfHeld(const std::string& item, const AllocationOwner& owner) const {
  auto got = store_->Get(KeyOf(item));
  if (!got.ok() || !got->kv) return;
  absl::Time allocated;
  std::optional<AllocationOwner> holder = ParseAllocationOwner(got->kv->value, &allocated);
  if (holder && *holder == owner) (void)store_->Delete(KeyOf(item), got->kv->mod_revision);
}

}  // namespace cubelet::admission
