// Owns: a set of exclusively held items (cluster IPs, node ports) kept as one store key each,
// "<prefix><item>" = {"namespace","name","uid","allocated"} of the Service holding it. Claims
// are compare-and-swap writes (Create for a free item, Update at the seen revision for a
// reclaimed one), so API servers sharing a store never hand out an item twice. An allocation is
// reclaimed when the allocator meets it and its Service is gone, is another incarnation (uid),
// or no longer uses the item, unless it was made within the grace period (its write may still
// be in flight: the Service is stored only after admission).
// Does not own: which items a Service needs (service_allocator.h), item syntax.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "admission/admission.h"
#include "common/clock.h"
#include "storage/store.h"

namespace cubelet::admission {

// The Service an allocation belongs to.
struct AllocationOwner {
  std::string namespace_;
  std::string name;
  std::string uid;
  bool operator==(const AllocationOwner&) const = default;
};

// One item this process wrote for an owner; `mod_revision` 0 for a dry run (nothing written).
struct Claim {
  std::string item;
  int64_t mod_revision = 0;
};

// Whether `service` (the owner's current object) still uses `item`.
using UsesItem = std::function<bool(const json::Value& service, std::string_view item)>;

// Thread-safe: all state is in the store.
class Allocations {
 public:
  Allocations(storage::Store* store, const ObjectLookup* lookup, const Clock* clock, std::string prefix,
              absl::Duration grace, UsesItem uses);

  enum class Outcome { kClaimed, kAlreadyHeld, kTaken };
  // Claims one named item (a requested address or port). kAlreadyHeld when `owner` holds it.
  // `claim` is set for kClaimed.
  absl::StatusOr<Outcome> ClaimItem(const std::string& item, const AllocationOwner& owner, bool dry_run,
                                    Claim* claim) const;
  // Claims the first free or reclaimable item of first..last (formatted by `format`, skipping
  // those `skip` names); nullopt when every one is held.
  absl::StatusOr<std::optional<Claim>> ClaimFirst(int64_t first, int64_t last,
                                                  const std::function<std::string(int64_t)>& format,
                                                  const std::function<bool(int64_t)>& skip,
                                                  const AllocationOwner& owner, bool dry_run) const;
  // Undoes a claim of this process if nothing wrote the key since (best effort).
  void Release(const Claim& claim) const;
  // Deletes the item's allocation when `owner` holds it (best effort).
  void ReleaseIfHeld(const std::string& item, const AllocationOwner& owner) const;

  std::string KeyOf(std::string_view item) const { return prefix_ + std::string(item); }

 private:
  std::string ValueFor(const AllocationOwner& owner) const;
  bool Reclaimable(const storage::KeyValue& kv, std::string_view item) const;

  storage::Store* const store_;
  const ObjectLookup* const lookup_;
  const Clock* const clock_;
  const std::string prefix_;
  const absl::Duration grace_;
  const UsesItem uses_;
};

// The owner recorded in an allocation's value; nullopt when it is not one.
std::optional<AllocationOwner> ParseAllocationOwner(std::string_view value, absl::Time* allocated);

}  // namespace cubelet::admission
