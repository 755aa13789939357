#include <chrono>
#include <thread>

#include "admission/admission_test_util.h"
#include "common/strings.h"
#include "gmock/gmock.h"

namespace cubelet::admission::testing {
namespace {

class PriorityTest : public AdmissionTest {
 protected:
  void SetUp() override {
    AdmissionTest::SetUp();
    lookup_.Put("scheduling.k8s.io", "priorityclasses", "", "high",
                R"({"metadata":{"name":"high"},"value":1000,"preemptionPolicy":"Never"})");
    lookup_.Put(
        "scheduling.k8s.io", "priorityclasses", "", "system-node-critical",
        R"({"metadata":{"name":"system-node-critical"},"value":2000001000,"preemptionPolicy":"PreemptLowerPriority"})");
  }

  absl::Status CreatePod(json::Value* pod) {
    return Write(MakeRequest(Admin(), Operation::kCreate, "", "pods", "default", "p"), pod);
  }
  // Stores a PriorityClass where the registry keeps them, for the default-class cache.
  void StoreClass(const std::string& name, int64_t value, bool global_default) {
    auto r =
        store_->Create(StrCat("/registry/priorityclasses/", name),
                       StrCat(R"({"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":")",
                              name, R"("},"value":)", value, R"(,"globalDefault":)", global_default,
                              R"(,"preemptionPolicy":"PreemptLowerPriority"})"));
    ASSERT_TRUE(r.ok() && r->succeeded);
  }
};

TEST_F(PriorityTest, PodWithoutClassGetsZeroWhenNoDefaultExists) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{}})");
  ASSERT_TRUE(CreatePod(&pod).ok());
  EXPECT_EQ(pod.FindPath({"spec", "priority"})->AsInt64(), 0);
  EXPECT_EQ(pod.GetString({"spec", "preemptionPolicy"}), "PreemptLowerPriority");
  EXPECT_EQ(pod.GetString({"spec", "priorityClassName"}), "");
}

TEST_F(PriorityTest, ClassNameResolvesToValueAndPolicy) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"priorityClassName":"high"}})");
  ASSERT_TRUE(CreatePod(&pod).ok());
  EXPECT_EQ(pod.FindPath({"spec", "priority"})->AsInt64(), 1000);
  EXPECT_EQ(pod.GetString({"spec", "preemptionPolicy"}), "Never");
}

TEST_F(PriorityTest, CriticalClassesAreNotLimitedToKubeSystem) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"priorityClassName":"system-node-critical"}})");
  ASSERT_TRUE(CreatePod(&pod).ok());
  EXPECT_EQ(pod.FindPath({"spec", "priority"})->AsInt64(), 2000001000);
}

TEST_F(PriorityTest, UnknownClassIsForbidden) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"priorityClassName":"foo"}})");
  apierrors::ApiStatus st = StatusOf(CreatePod(&pod));
  EXPECT_EQ(st.code, 403);
  EXPECT_EQ(st.message, "pods \"p\" is forbidden: no PriorityClass with name foo was found");
}

TEST_F(PriorityTest, PodMayNotStateADifferentPriority) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"priorityClassName":"high","priority":5}})");
  apierrors::ApiStatus st = StatusOf(CreatePod(&pod));
  EXPECT_EQ(st.code, 403);
  EXPECT_EQ(st.message,
            "pods \"p\" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority "
            "admission controller computed 1000 from the given PriorityClass name");
  json::Value agreeing = Json(R"({"metadata":{"name":"p"},"spec":{"priorityClassName":"high","priority":1000}})");
  EXPECT_TRUE(CreatePod(&agreeing).ok());
  json::Value unclassed = Json(R"({"metadata":{"name":"p"},"spec":{"priority":7}})");
  EXPECT_THAT(StatusOf(CreatePod(&unclassed)).message, ::testing::HasSubstr("(7) must not be provided"));
}

TEST_F(PriorityTest, PodMayNotStateADifferentPreemptionPolicy) {
  json::Value pod = Json(
      R"({"metadata":{"name":"p"},"spec":{"priorityClassName":"high","preemptionPolicy":"PreemptLowerPriority"}})");
  EXPECT_EQ(StatusOf(CreatePod(&pod)).message,
            "pods \"p\" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided "
            "in pod spec; priority admission controller computed Never from the given PriorityClass name");
}

TEST_F(PriorityTest, GlobalDefaultClassAppliesToPodsWithoutAClass) {
  StoreClass("low-default", 10, true);
  StoreClass("lower-default", 5, true);  // two defaults after a race: the lowest value wins
  StoreClass("plain", 99, false);
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{}})");
  ASSERT_TRUE(CreatePod(&pod).ok());
  EXPECT_EQ(pod.GetString({"spec", "priorityClassName"}), "lower-default");
  EXPECT_EQ(pod.FindPath({"spec", "priority"})->AsInt64(), 5);
}

TEST_F(PriorityTest, DefaultClassAddedLaterIsSeenThroughTheWatch) {
  json::Value first = Json(R"({"metadata":{"name":"p"},"spec":{}})");
  ASSERT_TRUE(CreatePod(&first).ok());  // starts the watch with no default
  EXPECT_EQ(first.FindPath({"spec", "priority"})->AsInt64(), 0);
  StoreClass("later", 42, true);
  bool seen = false;
  for (int i = 0; i < 400 && !seen; ++i) {
    json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{}})");
    ASSERT_TRUE(CreatePod(&pod).ok());
    seen = pod.FindPath({"spec", "priority"})->AsInt64() == 42;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(seen);
  ASSERT_TRUE(store_->Delete("/registry/priorityclasses/later", std::nullopt).ok());
  bool gone = false;
  for (int i = 0; i < 400 && !gone; ++i) {
    json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{}})");
    ASSERT_TRUE(CreatePod(&pod).ok());
    gone = pod.FindPath({"spec", "priority"})->AsInt64() == 0;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_TRUE(gone);
}

TEST_F(PriorityTest, OnlyOneGlobalDefaultClass) {
  StoreClass("first", 10, true);
  const std::string g = "scheduling.k8s.io";
  json::Value second = Json(R"({"metadata":{"name":"second"},"value":20,"globalDefault":true})");
  EXPECT_EQ(
      StatusOf(Write(MakeRequest(Admin(), Operation::kCreate, g, "priorityclasses", "", "second"), &second)).message,
      "priorityclasses.scheduling.k8s.io \"second\" is forbidden: PriorityClass first is already marked as "
      "default. Only one default can exist");
  EXPECT_EQ(
      StatusOf(Write(MakeRequest(Admin(), Operation::kUpdate, g, "priorityclasses", "", "second"), &second, &second))
          .code,
      403);
  json::Value first = Json(R"({"metadata":{"name":"first"},"value":10,"globalDefault":true,"description":"x"})");
  EXPECT_TRUE(Write(MakeRequest(Admin(), Operation::kUpdate, g, "priorityclasses", "", "first"), &first, &first).ok());
  json::Value plain = Json(R"({"metadata":{"name":"plain"},"value":20})");
  EXPECT_TRUE(Write(MakeRequest(Admin(), Operation::kCreate, g, "priorityclasses", "", "plain"), &plain).ok());
}

TEST_F(PriorityTest, UpdateKeepsWhatCreationResolved) {
  json::Value old = Json(R"({"metadata":{"name":"p"},"spec":{"priorityClassName":"high","priority":1000,
                             "preemptionPolicy":"Never"}})");
  json::Value next = Json(R"({"metadata":{"name":"p"},"spec":{"priorityClassName":"high"}})");
  ASSERT_TRUE(Write(MakeRequest(Admin(), Operation::kUpdate, "", "pods", "default", "p"), &next, &old).ok());
  EXPECT_EQ(next.FindPath({"spec", "priority"})->AsInt64(), 1000);
  EXPECT_EQ(next.GetString({"spec", "preemptionPolicy"}), "Never");
}

}  // namespace
}  // namespace cubelet::admission::testing
