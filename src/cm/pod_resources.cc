#include "cm/pod_resources.h"

#include "absl/strings/match.h"
#include "api/qos.h"

namespace cubelet::cm {
namespace {

void AddTo(api::ResourceList& sum, const api::ResourceList& add) {
  for (const auto& [name, q] : add) {
    auto it = sum.find(name);
    if (it == sum.end()) {
      sum.emplace(name, q);
    } else {
      it->second = api::Quantity::FromMilli(it->second.MilliValue() + q.MilliValue(), it->second.format());
    }
  }
}

void MaxInto(api::ResourceList& max, const api::ResourceList& other) {
  for (const auto& [name, q] : other) {
    auto it = max.find(name);
    if (it == max.end() || it->second.MilliValue() < q.MilliValue()) max.insert_or_assign(name, q);
  }
}

template <typename Pick>
api::ResourceList PodSum(const api::Pod& pod, Pick pick) {
  api::ResourceList sum, sidecars, init_max;
  for (const auto& c : pod.spec.containers) AddTo(sum, pick(c));
  for (const auto& c : pod.spec.init_containers) {
    if (c.restart_policy == "Always") {
      AddTo(sidecars, pick(c));
      MaxInto(init_max, sidecars);
    } else {
      api::ResourceList alone = sidecars;
      AddTo(alone, pick(c));
      MaxInto(init_max, alone);
    }
  }
  AddTo(sum, sidecars);
  MaxInto(sum, init_max);
  return sum;
}

}  // namespace

api::ResourceList PodRequests(const api::Pod& pod) {
  return PodSum(pod, [](const api::Container& c) -> const api::ResourceList& { return c.resources.requests; });
}

api::ResourceList PodLimits(const api::Pod& pod) {
  return PodSum(pod, [](const api::Container& c) -> const api::ResourceList& { return c.resources.limits; });
}

std::map<int64_t, int64_t> HugePageLimits(const api::ResourceList& resources) {
  std::map<int64_t, int64_t> out;
  for (const auto& [name, q] : resources) {
    if (!absl::StartsWith(name, "hugepages-")) continue;
    auto size = api::Quantity::Parse(std::string_view(name).substr(10));
    if (size.ok() && size->Value() > 0) out[size->Value()] = q.Value();
  }
  return out;
}

cgroups::ResourceConfig ResourceConfigForPod(const api::Pod& pod, const PodCgroupOptions& options) {
  const api::ResourceList requests = PodRequests(pod);
  const api::ResourceList limits = PodLimits(pod);
  bool cpu_limits_declared = true, memory_limits_declared = true;
  auto declares = [](const api::Container& c, const char* name) {
    return api::MilliValueOf(c.resources.limits, name) != 0;
  };
  for (const auto* list : {&pod.spec.init_containers, &pod.spec.containers}) {
    for (const auto& c : *list) {
      cpu_limits_declared &= declares(c, "cpu");
      memory_limits_declared &= declares(c, "memory");
    }
  }
  const int64_t shares = cgroups::MilliCpuToShares(api::MilliValueOf(requests, "cpu"));
  const int64_t quota = options.enforce_cpu_limits
                            ? cgroups::MilliCpuToQuota(api::MilliValueOf(limits, "cpu"), options.cpu_period_us)
                            : -1;
  const int64_t memory = api::ValueOf(limits, "memory");

  cgroups::ResourceConfig config;
  const std::string qos = api::GetPodQos(pod);
  if (qos == api::kQosGuaranteed) {
    config.cpu_shares = shares;
    config.cpu_quota_us = quota;
    config.cpu_period_us = options.cpu_period_us;
    config.memory_limit_bytes = memory;
  } else if (qos == api::kQosBurstable) {
    config.cpu_shares = shares;
    if (cpu_limits_declared) {
      config.cpu_quota_us = quota;
      config.cpu_period_us = options.cpu_period_us;
    }
    if (memory_limits_declared) config.memory_limit_bytes = memory;
  } else {
    config.cpu_shares = cgroups::kMinShares;
  }
  config.hugepage_limits = HugePageLimits(requests);
  if (options.pod_pids_limit > 0) config.pids_limit = options.pod_pids_limit;
  return config;
}

}  // namespace cubelet::cm
