// Owns: assembling the admission plugins into the Chain of admission.h, in upstream's order
// (NamespaceLifecycle, ServiceAccount, Priority, DefaultTolerationSeconds and the service
// allocator mutate;
// NamespaceLifecycle, Priority and NodeRestriction validate), and the knobs tests turn: the
// clock, the service account wait and the allocation grace period.
// Does not own: the plugins' rules (one file each).
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "admission/admission.h"
#include "admission/service_account.h"
#include "common/clock.h"

namespace cubelet::admission {

struct ChainOptions {
  ServiceNetwork network;
  // Clock for the service account wait and for dating allocations; must outlive the chain.
  // nullptr: the real clock.
  Clock* clock = nullptr;
  ServiceAccountOptions service_accounts;
  // An allocation younger than this is never reclaimed: the Service holding it may still be on
  // its way to the store. Generous next to a write's duration, short next to how soon a freed
  // address is wanted again (only fresh allocations wait; older ones are reclaimed at once).
  absl::Duration allocation_grace = absl::Seconds(60);
  // Where the registry keeps PriorityClasses (upstream's etcd layout).
  std::string priority_class_prefix = "/registry/priorityclasses/";
};

// NewChain of admission.h with every knob exposed.
std::unique_ptr<Chain> NewChain(const ObjectLookup* lookup, storage::Store* store, ChainOptions options);

}  // namespace cubelet::admission
