// Owns: the SchedulerClient of a scheduler running inside cubelet-server: watches over the
// registry's watch caches (pods, nodes, namespaces, services) through the controllers' informers, the
// bind through the same code as POST pods/binding (registry/pod_binding.h), the PodScheduled
// condition through a pods/status update, victims through a graceful delete with a uid
// precondition, and core/v1 Events from "default-scheduler". Never the store directly.
// Does not own: the decisions (scheduler.h).
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/logger.h"
#include "registry/resource_set.h"
#include "scheduler/scheduler_client.h"

namespace cubelet::scheduler {

std::unique_ptr<SchedulerClient> NewRegistryClient(registry::ResourceSet* resources, const Clock* clock,
                                                   Logger logger);

}  // namespace cubelet::scheduler
