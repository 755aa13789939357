// Cluster IP allocation: the sequence, requested addresses, errors, reclaiming, rollback, and
// two chains racing on one store.
#include <set>
#include <thread>
#include <vector>

#include "admission/service_test_util.h"
#include "gmock/gmock.h"

namespace cubelet::admission::testing {
namespace {

class ClusterIpTest : public ServiceAllocatorTest {
 protected:
  std::string NewIp(const std::string& name) {
    json::Value svc = Service(name, R"({"ports":[{"port":80}]})");
    absl::Status s = Create(&svc);
    EXPECT_TRUE(s.ok()) << s;
    return svc.GetString({"spec", "clusterIP"});
  }
  bool IpAllocated(std::string_view ip) { return Allocated(kIpAllocationPrefix, ip); }
};

TEST_F(ClusterIpTest, LowestFreeAddressesInOrderWithTheFirstKeptForKubernetes) {
  EXPECT_EQ(NewIp("a"), "10.0.0.2");
  EXPECT_EQ(NewIp("b"), "10.0.0.3");
  json::Value kubernetes = Service("kubernetes", R"({"ports":[{"port":443}]})");
  ASSERT_TRUE(Create(&kubernetes).ok());
  EXPECT_EQ(kubernetes.GetString({"spec", "clusterIP"}), "10.0.0.1");
  ASSERT_NE(kubernetes.FindPath({"spec", "clusterIPs"}), nullptr);
  EXPECT_TRUE(*kubernetes.FindPath({"spec", "clusterIPs"}) == json::Value(json::Array{json::Value("10.0.0.1")}));
  EXPECT_EQ(NewIp("c"), "10.0.0.4");
  EXPECT_TRUE(IpAllocated("10.0.0.4"));
}

TEST_F(ClusterIpTest, AllocationRecordsItsOwner) {
  NewIp("a");
  auto got = store_->Get(StrCat(kIpAllocationPrefix, "10.0.0.2"));
  ASSERT_TRUE(got.ok() && got->kv);
  absl::Time when;
  auto owner = ParseAllocationOwner(got->kv->value, &when);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(*owner, (AllocationOwner{"default", "a", "uid-a"}));
  EXPECT_EQ(when, clock_.Now());
}

TEST_F(ClusterIpTest, RequestedAddressInRangeAndFree) {
  json::Value svc = Service("a", R"({"clusterIP":"10.0.0.50","ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&svc).ok());
  EXPECT_EQ(svc.GetString({"spec", "clusterIP"}), "10.0.0.50");
  EXPECT_TRUE(IpAllocated("10.0.0.50"));
  json::Value listed = Service("b", R"({"clusterIPs":["10.0.0.51"],"ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&listed).ok());
  EXPECT_EQ(listed.GetString({"spec", "clusterIP"}), "10.0.0.51");
}

TEST_F(ClusterIpTest, RequestedAddressAlreadyAllocatedIsInvalid) {
  json::Value a = Service("a", R"({"clusterIP":"10.0.0.5","ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&a).ok());
  json::Value b = Service("b", R"({"clusterIP":"10.0.0.5","ports":[{"port":80}]})");
  apierrors::ApiStatus st = StatusOf(Create(&b));
  EXPECT_EQ(st.code, 422);
  EXPECT_EQ(st.reason, "Invalid");
  EXPECT_EQ(st.message,
            "Service \"b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP "
            "10.0.0.5: provided IP is already allocated");
  ASSERT_TRUE(st.details.has_value());
  ASSERT_EQ(st.details->causes.size(), 1u);
  EXPECT_EQ(st.details->causes[0].field, "spec.clusterIPs");
  EXPECT_EQ(st.details->kind, "Service");
}

TEST_F(ClusterIpTest, RequestedAddressOutOfRangeIsInvalid) {
  for (const char* ip : {"10.1.2.3", "10.0.0.0", "10.0.0.255"}) {
    json::Value svc = Service("a", StrCat(R"({"clusterIP":")", ip, R"(","ports":[{"port":80}]})"));
    EXPECT_EQ(StatusOf(Create(&svc)).message,
              StrCat("Service \"a\" is invalid: spec.clusterIPs: Invalid value: []string{\"", ip,
                     "\"}: failed to allocate IP ", ip, ": the provided IP (", ip,
                     ") is not in the valid range. The range of valid IPs is 10.0.0.0/24"));
  }
}

TEST_F(ClusterIpTest, MalformedOrMismatchedAddressesAreInvalid) {
  json::Value bad = Service("a", R"({"clusterIP":"abc","ports":[{"port":80}]})");
  EXPECT_EQ(StatusOf(Create(&bad)).message,
            "Service \"a\" is invalid: spec.clusterIPs[0]: Invalid value: \"abc\": must be a valid IP address, (e.g. "
            "10.9.8.7 or 2001:db8::ffff)");
  json::Value mismatch = Service("a", R"({"clusterIP":"10.0.0.7","clusterIPs":["10.0.0.8"],"ports":[{"port":80}]})");
  EXPECT_EQ(StatusOf(Create(&mismatch)).message,
            "Service \"a\" is invalid: spec.clusterIPs[0]: Invalid value: \"10.0.0.8\": must match `clusterIP` when "
            "both are specified");
  EXPECT_FALSE(IpAllocated("10.0.0.7"));
}

TEST_F(ClusterIpTest, HeadlessAndExternalNameServicesGetNoAddress) {
  json::Value headless = Service("h", R"({"clusterIP":"None","ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&headless).ok());
  EXPECT_EQ(headless.GetString({"spec", "clusterIP"}), "None");
  EXPECT_TRUE(*headless.FindPath({"spec", "clusterIPs"}) == json::Value(json::Array{json::Value("None")}));
  json::Value external = Service("e", R"({"type":"ExternalName","externalName":"example.com"})");
  ASSERT_TRUE(Create(&external).ok());
  EXPECT_EQ(external.FindPath({"spec", "clusterIP"}), nullptr);
  auto listed = store_->List({.prefix = kIpAllocationPrefix});
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->kvs.empty());
}

TEST_F(ClusterIpTest, AllocationOfAVanishedServiceIsReclaimedAfterTheGracePeriod) {
  json::Value lost = Service("lost", R"({"ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&lost, nullptr, /*store=*/false).ok());  // its write never happened
  EXPECT_EQ(lost.GetString({"spec", "clusterIP"}), "10.0.0.2");
  EXPECT_EQ(NewIp("b"), "10.0.0.3");  // too fresh to reclaim: its write may be in flight
  clock_.Advance(absl::Seconds(61));
  EXPECT_EQ(NewIp("c"), "10.0.0.2");
  auto got = store_->Get(StrCat(kIpAllocationPrefix, "10.0.0.2"));
  absl::Time when;
  EXPECT_EQ(ParseAllocationOwner(got->kv->value, &when)->name, "c");
}

TEST_F(ClusterIpTest, AllocationOfAReplacedOrChangedServiceIsReclaimed) {
  EXPECT_EQ(NewIp("a"), "10.0.0.2");
  EXPECT_EQ(NewIp("b"), "10.0.0.3");
  EXPECT_EQ(NewIp("keep"), "10.0.0.4");
  // a was deleted and created again (another uid, another address); b now claims to use another.
  lookup_.Put("", "services", "default", "a",
              R"({"metadata":{"name":"a","uid":"uid-a2"},"spec":{"clusterIP":"10.0.0.9"}})");
  lookup_.Put("", "services", "default", "b",
              R"({"metadata":{"name":"b","uid":"uid-b"},"spec":{"clusterIP":"10.0.0.10","clusterIPs":["10.0.0.10"]}})");
  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(NewIp("x"), "10.0.0.2");
  EXPECT_EQ(NewIp("y"), "10.0.0.3");
  EXPECT_EQ(NewIp("z"), "10.0.0.5");  // keep still uses .4
}

TEST_F(ClusterIpTest, RequestedAddressHeldByAGoneServiceIsReclaimed) {
  json::Value old = Service("old", R"({"clusterIP":"10.0.0.20","ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&old).ok());
  lookup_.Remove("", "services", "default", "old");
  json::Value early = Service("new", R"({"clusterIP":"10.0.0.20","ports":[{"port":80}]})");
  EXPECT_EQ(StatusOf(Create(&early)).code, 422);
  clock_.Advance(absl::Seconds(61));
  json::Value svc = Service("new", R"({"clusterIP":"10.0.0.20","ports":[{"port":80}]})");
  EXPECT_TRUE(Create(&svc).ok());
}

TEST_F(ClusterIpTest, FullRangeIsAnInternalError) {
  range_ = "10.9.0.0/29";  // .1 to .6, .1 kept for kubernetes
  chain_ = NewChain(&lookup_, store_.get(), Options());
  for (int i = 2; i <= 6; ++i) EXPECT_EQ(NewIp(StrCat("s", i)), StrCat("10.9.0.", i));
  json::Value svc = Service("full", R"({"ports":[{"port":80}]})");
  apierrors::ApiStatus st = StatusOf(Create(&svc));
  EXPECT_EQ(st.code, 500);
  EXPECT_EQ(st.message, "Internal error occurred: failed to allocate a serviceIP: range is full");
}

TEST_F(ClusterIpTest, AbandonReleasesWhatAdmitClaimed) {
  json::Value svc = Service("a", R"({"ports":[{"port":80}]})");
  Request r = MakeRequest(Admin(), Operation::kCreate, "", "services", "default", "a");
  ASSERT_TRUE(chain_->Admit(r, &svc, nullptr).ok());
  EXPECT_TRUE(IpAllocated("10.0.0.2"));
  chain_->Abandon(r, svc);
  EXPECT_FALSE(IpAllocated("10.0.0.2"));
  // Another service's allocation is not touched.
  EXPECT_EQ(NewIp("b"), "10.0.0.2");
  chain_->Abandon(r, svc);
  EXPECT_TRUE(IpAllocated("10.0.0.2"));
}

TEST_F(ClusterIpTest, DryRunWritesNothing) {
  json::Value svc = Service("a", R"({"ports":[{"port":80,"nodePort":30100}],"type":"NodePort"})");
  Request r = MakeRequest(Admin(), Operation::kCreate, "", "services", "default", "a");
  r.dry_run = true;
  ASSERT_TRUE(chain_->Admit(r, &svc, nullptr).ok());
  EXPECT_EQ(svc.GetString({"spec", "clusterIP"}), "10.0.0.2");
  EXPECT_FALSE(IpAllocated("10.0.0.2"));
  EXPECT_FALSE(Allocated(kPortAllocationPrefix, "30100"));
}

TEST_F(ClusterIpTest, FailedAdmitReleasesItsAddress) {
  json::Value svc = Service("a", R"({"type":"NodePort","ports":[{"port":80,"nodePort":80}]})");
  EXPECT_EQ(StatusOf(Create(&svc)).code, 422);
  EXPECT_FALSE(IpAllocated("10.0.0.2"));
  EXPECT_EQ(NewIp("b"), "10.0.0.2");
}

TEST_F(ClusterIpTest, UpdateKeepsTheAddressAndTypeChangesAllocateOrDrop) {
  json::Value a = Service("a", R"({"ports":[{"port":80}]})");
  ASSERT_TRUE(Create(&a).ok());
  int64_t revision = *store_->CurrentRevision();
  json::Value next = a;
  next.Ensure({"metadata", "labels"}).Set("x", "y");
  ASSERT_TRUE(Update(&next, a).ok());
  EXPECT_EQ(next.GetString({"spec", "clusterIP"}), "10.0.0.2");
  EXPECT_EQ(*store_->CurrentRevision(), revision);  // nothing written
  json::Value unset = next;
  unset.Ensure({"spec"}).Set("clusterIP", "");
  unset.Ensure({"spec"}).Erase("clusterIPs");
  ASSERT_TRUE(Update(&unset, next).ok());
  EXPECT_EQ(unset.GetString({"spec", "clusterIP"}), "10.0.0.2");
  EXPECT_EQ(unset.FindPath({"spec", "clusterIPs"})->size(), 1u);

  json::Value external = next;
  external.Ensure({"spec"}).Set("type", "ExternalName");
  external.Ensure({"spec"}).Set("externalName", "example.com");
  ASSERT_TRUE(Update(&external, next).ok());
  EXPECT_EQ(external.FindPath({"spec", "clusterIP"}), nullptr);
  EXPECT_EQ(external.FindPath({"spec", "clusterIPs"}), nullptr);

  json::Value back = external;
  back.Ensure({"spec"}).Set("type", "ClusterIP");
  back.Ensure({"spec"}).Erase("externalName");
  clock_.Advance(absl::Seconds(61));
  ASSERT_TRUE(Update(&back, external).ok());
  EXPECT_EQ(back.GetString({"spec", "clusterIP"}), "10.0.0.2");  // its old address, reclaimed
}

// Two API servers on one store: every service gets an address no other service has.
TEST_F(ClusterIpTest, ConcurrentChainsNeverHandOutTheSameAddress) {
  std::vector<json::Value> created;
  ASSERT_NO_FATAL_FAILURE(CreateThroughTwoChains("svc-", R"({"ports":[{"port":80}]})", &created));
  std::set<std::string> all;
  for (const json::Value& svc : created) all.insert(svc.GetString({"spec", "clusterIP"}));
  EXPECT_EQ(all.size(), 200u);
  EXPECT_EQ(all.count("10.0.0.1"), 0u);
  auto listed = store_->List({.prefix = kIpAllocationPrefix});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->kvs.size(), 200u);
}

}  // namespace
}  // namespace cubelet::admission::testing
