#include "admission/default_toleration_seconds.h"

#include "admission/admission_test_util.h"
#include "gmock/gmock.h"

namespace cubelet::admission::testing {
namespace {

constexpr char kDefaults[] =
    R"([{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
        {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}])";

json::Value PodWith(std::string_view tolerations) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  if (!tolerations.empty()) pod["spec"].Set("tolerations", Json(tolerations));
  return pod;
}

Request PodRequest(Operation op, std::string subresource = "") {
  return MakeRequest(Admin(), op, "", "pods", "default", "p", std::move(subresource));
}

json::Value Tolerations(const json::Value& pod) {
  const json::Value* t = pod.FindPath({"spec", "tolerations"});
  return t == nullptr ? json::Value() : *t;
}

TEST(DefaultTolerationSecondsTest, APodWithoutTolerationsGetsBothDefaults) {
  json::Value pod = PodWith("");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kCreate), &pod).ok());
  EXPECT_EQ(Tolerations(pod), Json(kDefaults));
}

TEST(DefaultTolerationSecondsTest, ExistingTolerationsAreKeptAndOnlyTheMissingOneAdded) {
  json::Value pod = PodWith(R"([{"key":"dedicated","operator":"Equal","value":"db","effect":"NoSchedule"},
                                {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":10}])");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kCreate), &pod).ok());
  EXPECT_EQ(Tolerations(pod),
            Json(R"([{"key":"dedicated","operator":"Equal","value":"db","effect":"NoSchedule"},
                     {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":10},
                     {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}])"));
}

TEST(DefaultTolerationSecondsTest, AnEmptyKeyOrEffectAlreadyTolerates) {
  // An empty key with Exists tolerates every taint: nothing is added.
  json::Value everything = PodWith(R"([{"operator":"Exists"}])");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kCreate), &everything).ok());
  EXPECT_EQ(Tolerations(everything), Json(R"([{"operator":"Exists"}])"));
  // A key without an effect tolerates that key's NoExecute taint too.
  json::Value any_effect = PodWith(R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists"}])");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kCreate), &any_effect).ok());
  EXPECT_EQ(Tolerations(any_effect).size(), 2u);
  EXPECT_EQ(Tolerations(any_effect).AsArray()[1].GetString({"key"}), "node.kubernetes.io/not-ready");
  // A NoSchedule toleration does not.
  json::Value no_schedule = PodWith(R"([{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoSchedule"}])");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kCreate), &no_schedule).ok());
  EXPECT_EQ(Tolerations(no_schedule).size(), 3u);
}

TEST(DefaultTolerationSecondsTest, SubresourcesAndOtherKindsAreLeftAlone) {
  json::Value pod = PodWith("");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kUpdate, "status"), &pod).ok());
  EXPECT_TRUE(Tolerations(pod).is_null());
  json::Value cm = Json(R"({"metadata":{"name":"p"},"data":{}})");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(MakeRequest(Admin(), Operation::kCreate, "", "configmaps", "default", "p"), &cm).ok());
  EXPECT_EQ(cm, Json(R"({"metadata":{"name":"p"},"data":{}})"));
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kDelete), nullptr).ok());
}

TEST(DefaultTolerationSecondsTest, AnUpdateWithoutThemGetsTheSameTolerationsBack) {
  // Pod updates may not drop tolerations, so a PUT of the pod as first written must end with
  // the ones creation added, equal field for field.
  json::Value created = PodWith("");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kCreate), &created).ok());
  json::Value updated = PodWith("");
  ASSERT_TRUE(AdmitDefaultTolerationSeconds(PodRequest(Operation::kUpdate), &updated).ok());
  EXPECT_EQ(Tolerations(updated), Tolerations(created));
}

class DefaultTolerationSecondsChainTest : public AdmissionTest {};

TEST_F(DefaultTolerationSecondsChainTest, TheChainAddsThemToNewPods) {
  json::Value pod = PodWith("");
  ASSERT_TRUE(Write(PodRequest(Operation::kCreate), &pod).ok());
  EXPECT_EQ(Tolerations(pod), Json(kDefaults));
}

}  // namespace
}  // namespace cubelet::admission::testing
