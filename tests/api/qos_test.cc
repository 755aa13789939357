#include "api/qos.h"

#include <gtest/gtest.h>

#include "api/defaults.h"
#include "api/json_codec.h"

namespace cubelet::api {
namespace {

std::string QosOf(const std::string& containers, const std::string& init_containers = "") {
  std::string yaml = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n" + containers;
  if (!init_containers.empty()) yaml += "  initContainers:\n" + init_containers;
  auto pod = DecodePod(yaml);
  EXPECT_TRUE(pod.ok()) << pod.status();
  SetPodDefaults(&*pod);  // requests default to limits, as the API server does
  return GetPodQos(*pod);
}

TEST(QosTest, GuaranteedNeedsCpuAndMemoryLimitsEqualToRequestsInEveryContainer) {
  EXPECT_EQ(QosOf("  - {name: a, image: i, resources: {limits: {cpu: 500m, memory: 64Mi}}}\n"), kQosGuaranteed)
      << "requests defaulted from limits";
  EXPECT_EQ(QosOf("  - {name: a, image: i, resources: {limits: {cpu: '1', memory: 1Gi}, "
                  "requests: {cpu: 1000m, memory: 1024Mi}}}\n"),
            kQosGuaranteed)
      << "equal quantities in other spellings";
  EXPECT_EQ(QosOf("  - {name: a, image: i, resources: {limits: {cpu: 500m, memory: 64Mi}, requests: {cpu: 250m}}}\n"),
            kQosBurstable);
  EXPECT_EQ(QosOf("  - {name: a, image: i, resources: {limits: {cpu: 500m}}}\n"), kQosBurstable) << "no memory limit";
  EXPECT_EQ(QosOf("  - {name: a, image: i, resources: {limits: {cpu: 500m, memory: 64Mi}}}\n"
                  "  - {name: b, image: i}\n"),
            kQosBurstable)
      << "every container counts";
}

TEST(QosTest, InitContainersCountAndOnlyCpuAndMemoryDo) {
  EXPECT_EQ(QosOf("  - {name: a, image: i, resources: {limits: {cpu: 500m, memory: 64Mi}}}\n",
                  "  - {name: init, image: i}\n"),
            kQosBurstable);
  EXPECT_EQ(QosOf("  - {name: a, image: i}\n", "  - {name: init, image: i, resources: {requests: {memory: 1Mi}}}\n"),
            kQosBurstable);
  EXPECT_EQ(QosOf("  - {name: a, image: i}\n"), kQosBestEffort);
  EXPECT_EQ(QosOf("  - {name: a, image: i, resources: {requests: {ephemeral-storage: 1Gi}}}\n"), kQosBestEffort)
      << "ephemeral storage does not make a pod Burstable";
  EXPECT_EQ(QosOf("  - {name: a, image: i, resources: {requests: {cpu: '0'}}}\n"), kQosBestEffort)
      << "a zero request is none";
}

}  // namespace
}  // namespace cubelet::api
