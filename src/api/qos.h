// Owns: the pod QoS class by upstream's rules (pkg/apis/core/v1/helper/qos): only cpu and
// memory count, init containers included.
#pragma once

#include <string>

#include "api/types.h"

namespace cubelet::api {

inline constexpr char kQosGuaranteed[] = "Guaranteed";
inline constexpr char kQosBurstable[] = "Burstable";
inline constexpr char kQosBestEffort[] = "BestEffort";

// "Guaranteed", "Burstable" or "BestEffort".
std::string GetPodQos(const Pod& pod);

}  // namespace cubelet::api
