#include "api/qos.h"

namespace cubelet::api {

std::string GetPodQos(const Pod& pod) {
  bool any = false;
  bool guaranteed = true;
  auto visit = [&](const Container& c) {
    for (const char* r : {"cpu", "memory"}) {
      auto req = c.resources.requests.find(r);
      auto lim = c.resources.limits.find(r);
      const bool has_req = req != c.resources.requests.end() && !req->second.IsZero();
      const bool has_lim = lim != c.resources.limits.end() && !lim->second.IsZero();
      if (has_req || has_lim) any = true;
      // Guaranteed needs a limit for both, and requests (defaulted from limits) equal to it.
      if (!has_lim || (has_req && req->second.Compare(lim->second) != 0)) guaranteed = false;
    }
  };
  for (const auto& c : pod.spec.init_containers) visit(c);
  for (const auto& c : pod.spec.containers) visit(c);
  if (!any) return kQosBestEffort;
  return guaranteed ? kQosGuaranteed : kQosBurstable;
}

}  // namespace cubelet::api
