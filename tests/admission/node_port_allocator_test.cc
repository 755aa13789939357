// Node port allocation: NodePort and LoadBalancer services, requested ports, errors, updates,
// reclaiming, and two chains racing on one store.
#include <set>
#include <thread>
#include <vector>

#include "admission/service_test_util.h"
#include "gmock/gmock.h"

namespace cubelet::admission::testing {
namespace {

std::vector<int64_t> NodePorts(const json::Value& svc) {
  std::vector<int64_t> out;
  for (const json::Value& p : svc.FindPath({"spec", "ports"})->AsArray()) {
    const json::Value* np = p.Find("nodePort");
    out.push_back(np == nullptr ? 0 : *np->AsInt64());
  }
  return out;
}

class NodePortTest : public ServiceAllocatorTest {
 protected:
  bool PortAllocated(int port) { return Allocated(kPortAllocationPrefix, std::to_string(port)); }
};

TEST_F(NodePortTest, NodePortServiceGetsTheLowestFreePorts) {
  json::Value a =
      Service("a", R"({"type":"NodePort","ports":[{"name":"http","port":80},{"name":"https","port":443}]})");
  ASSERT_TRUE(Create(&a).ok());
  EXPECT_EQ(NodePorts(a), (std::vector<int64_t>{30000, 30001}));
  json::Value b = Service("b", R"({"type":"NodePort","ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&b).ok());
  EXPECT_EQ(NodePorts(b), (std::vector<int64_t>{30002}));
  EXPECT_TRUE(PortAllocated(30002));
}

TEST_F(NodePortTest, ClusterIpServiceGetsNoNodePort) {
  json::Value a = Service("a", R"({"ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&a).ok());
  EXPECT_EQ(NodePorts(a), (std::vector<int64_t>{0}));
  EXPECT_FALSE(PortAllocated(30000));
}

TEST_F(NodePortTest, RequestedPortInRangeAndFree) {
  json::Value a = Service("a", R"({"type":"NodePort","ports":[{"port":80,"nodePort":31234}]})");
  ASSERT_TRUE(Create(&a).ok());
  EXPECT_EQ(NodePorts(a), (std::vector<int64_t>{31234}));
  EXPECT_TRUE(PortAllocated(31234));
}

TEST_F(NodePortTest, RequestedPortAlreadyAllocatedIsInvalid) {
  json::Value a = Service("a", R"({"type":"NodePort","ports":[{"port":80,"nodePort":30005}]})");
  ASSERT_TRUE(Create(&a).ok());
  json::Value b =
      Service("b", R"({"type":"NodePort","ports":[{"name":"x","port":81},{"name":"y","port":80,"nodePort":30005}]})");
  apierrors::ApiStatus st = StatusOf(Create(&b));
  EXPECT_EQ(st.code, 422);
  EXPECT_EQ(
      st.message,
      "Service \"b\" is invalid: spec.ports[1].nodePort: Invalid value: 30005: provided port is already allocated");
  // What b claimed before failing is released: its address and its first port.
  EXPECT_FALSE(Allocated(kIpAllocationPrefix, "10.0.0.3"));
  EXPECT_FALSE(PortAllocated(30000));
}

TEST_F(NodePortTest, RequestedPortOutOfRangeIsInvalid) {
  json::Value a = Service("a", R"({"type":"NodePort","ports":[{"port":80,"nodePort":8080}]})");
  EXPECT_EQ(StatusOf(Create(&a)).message,
            "Service \"a\" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid "
            "range. The range of valid ports is 30000-32767");
}

TEST_F(NodePortTest, OnePortNumberForTwoProtocolsIsOneAllocation) {
  json::Value a = Service("a", R"({"type":"NodePort","ports":[{"name":"t","port":53,"protocol":"TCP","nodePort":30053},
                                                              {"name":"u","port":53,"protocol":"UDP","nodePort":30053}]})");
  ASSERT_TRUE(Create(&a).ok());
  EXPECT_EQ(NodePorts(a), (std::vector<int64_t>{30053, 30053}));
}

TEST_F(NodePortTest, LoadBalancerPortsAndHealthCheckPort) {
  json::Value lb = Service("lb", R"({"type":"LoadBalancer","externalTrafficPolicy":"Local","ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&lb).ok());
  EXPECT_EQ(NodePorts(lb), (std::vector<int64_t>{30000}));
  EXPECT_EQ(lb.FindPath({"spec", "healthCheckNodePort"})->AsInt64(), 30001);
  json::Value bare =
      Service("bare", R"({"type":"LoadBalancer","allocateLoadBalancerNodePorts":false,"ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&bare).ok());
  EXPECT_EQ(NodePorts(bare), (std::vector<int64_t>{0}));
  EXPECT_EQ(bare.FindPath({"spec", "healthCheckNodePort"}), nullptr);
}

TEST_F(NodePortTest, UpdatesKeepAddAndDropNodePorts) {
  json::Value a = Service("a", R"({"type":"NodePort","ports":[{"name":"http","port":80}]})");
  ASSERT_TRUE(Create(&a).ok());
  ASSERT_EQ(NodePorts(a), (std::vector<int64_t>{30000}));

  // A client that omits nodePort (a replace from a manifest) keeps the port's; an added port gets one.
  json::Value more = Service("a", R"({"type":"NodePort","clusterIP":"10.0.0.2",
      "ports":[{"name":"http","port":80,"protocol":"TCP"},{"name":"https","port":443,"protocol":"TCP"}]})");
  ASSERT_TRUE(Update(&more, a).ok());
  EXPECT_EQ(NodePorts(more), (std::vector<int64_t>{30000, 30001}));

  // Back to ClusterIP with the node ports untouched: they are dropped, not refused.
  json::Value plain = more;
  plain.Ensure({"spec"}).Set("type", "ClusterIP");
  ASSERT_TRUE(Update(&plain, more).ok());
  EXPECT_EQ(NodePorts(plain), (std::vector<int64_t>{0, 0}));

  // Their allocations are reclaimed once they are old enough.
  clock_.Advance(absl::Seconds(61));
  json::Value b = Service("b", R"({"type":"NodePort","ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&b).ok());
  EXPECT_EQ(NodePorts(b), (std::vector<int64_t>{30000}));
}

TEST_F(NodePortTest, FullRangeIsAnInternalError) {
  port_min_ = 30000;
  port_max_ = 30001;
  chain_ = NewChain(&lookup_, store_.get(), Options());
  json::Value a = Service("a", R"({"type":"NodePort","ports":[{"name":"x","port":80},{"name":"y","port":81}]})");
  ASSERT_TRUE(Create(&a).ok());
  json::Value b = Service("b", R"({"type":"NodePort","ports":[{"port":80}]})");
  apierrors::ApiStatus st = StatusOf(Create(&b));
  EXPECT_EQ(st.code, 500);
  EXPECT_EQ(st.message, "Internal error occurred: failed to allocate a nodePort: range is full");
}

TEST_F(NodePortTest, ConcurrentChainsNeverHandOutTheSamePort) {
  std::vector<json::Value> created;
  ASSERT_NO_FATAL_FAILURE(CreateThroughTwoChains("np-", R"({"type":"NodePort","ports":[{"port":80}]})", &created));
  std::set<int64_t> all_ports;
  std::set<std::string> all_ips;
  for (const json::Value& svc : created) {
    all_ports.insert(NodePorts(svc)[0]);
    all_ips.insert(svc.GetString({"spec", "clusterIP"}));
  }
  EXPECT_EQ(all_ports.size(), 200u);
  EXPECT_EQ(all_ips.size(), 200u);
}

}  // namespace
}  // namespace cubelet::admission::testing
