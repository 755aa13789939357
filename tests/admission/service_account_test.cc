#include <thread>

#include "admission/admission_test_util.h"
#include "common/strings.h"
#include "gmock/gmock.h"

namespace cubelet::admission::testing {
namespace {

constexpr char kPod[] = R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}})";

class ServiceAccountTest : public AdmissionTest {
 protected:
  Request Create(std::string ns = "default") { return MakeRequest(Admin(), Operation::kCreate, "", "pods", ns, "p"); }
};

TEST_F(ServiceAccountTest, PodWithoutServiceAccountGetsDefault) {
  json::Value pod = Json(kPod);
  ASSERT_TRUE(Write(Create(), &pod).ok());
  EXPECT_EQ(pod.GetString({"spec", "serviceAccountName"}), "default");
  // No token volume: cubelet-server has no TokenRequest yet.
  EXPECT_EQ(pod.FindPath({"spec", "volumes"}), nullptr);
}

TEST_F(ServiceAccountTest, AccountsImagePullSecretsAreCopiedWhenThePodHasNone) {
  lookup_.Put("", "serviceaccounts", "default", "builder",
              R"({"metadata":{"name":"builder"},"imagePullSecrets":[{"name":"registry-a"},{"name":"registry-b"}]})");
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"builder","containers":[]}})");
  ASSERT_TRUE(Write(Create(), &pod).ok());
  EXPECT_EQ(pod.FindPath({"spec", "imagePullSecrets"})->size(), 2u);
  EXPECT_EQ(pod.FindPath({"spec", "imagePullSecrets"})->AsArray()[1].GetString({"name"}), "registry-b");

  json::Value own =
      Json(R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"builder","imagePullSecrets":[{"name":"mine"}]}})");
  ASSERT_TRUE(Write(Create(), &own).ok());
  ASSERT_EQ(own.FindPath({"spec", "imagePullSecrets"})->size(), 1u);
  EXPECT_EQ(own.FindPath({"spec", "imagePullSecrets"})->AsArray()[0].GetString({"name"}), "mine");
}

TEST_F(ServiceAccountTest, MissingServiceAccountIsForbidden) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"ghost"}})");
  apierrors::ApiStatus st = StatusOf(Write(Create(), &pod));
  EXPECT_EQ(st.code, 403);
  EXPECT_EQ(
      st.message,
      "pods \"p\" is forbidden: error looking up service account default/ghost: serviceaccount \"ghost\" not found");
}

TEST_F(ServiceAccountTest, MissingDefaultAccountIsForbiddenAfterRetries) {
  lookup_.Put("", "namespaces", "", "fresh", R"({"metadata":{"name":"fresh"}})");
  json::Value pod = Json(kPod);
  apierrors::ApiStatus st = StatusOf(Write(Create("fresh"), &pod));
  EXPECT_EQ(st.code, 403);
  EXPECT_EQ(
      st.message,
      "pods \"p\" is forbidden: error looking up service account fresh/default: serviceaccount \"default\" not found");
}

class ServiceAccountWaitTest : public ServiceAccountTest {
 protected:
  ChainOptions Options() override {
    ChainOptions o = AdmissionTest::Options();
    o.service_accounts.retry_interval = absl::Milliseconds(100);
    o.service_accounts.default_account_attempts = 10;
    return o;
  }
};

TEST_F(ServiceAccountWaitTest, DefaultAccountCreatedWhileWaitingIsFound) {
  lookup_.Put("", "namespaces", "", "fresh", R"({"metadata":{"name":"fresh"}})");
  json::Value pod = Json(kPod);
  absl::Status result;
  std::thread admit([&] { result = Write(Create("fresh"), &pod); });
  clock_.AwaitSleepers(1);  // the first lookup missed; the plugin waits on the clock
  lookup_.Put("", "serviceaccounts", "fresh", "default", R"({"metadata":{"name":"default"}})");
  clock_.Advance(absl::Milliseconds(100));
  admit.join();
  EXPECT_TRUE(result.ok()) << result;
  EXPECT_EQ(pod.GetString({"spec", "serviceAccountName"}), "default");
}

TEST_F(ServiceAccountTest, MirrorPodIsLeftAlone) {
  json::Value pod = Json(R"({"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"h"}},
                             "spec":{"containers":[{"name":"c","image":"i"}]}})");
  json::Value before = pod;
  ASSERT_TRUE(chain_->Admit(Create(), &pod, nullptr).ok());
  EXPECT_EQ(pod.FindPath({"spec", "serviceAccountName"}), nullptr);
  EXPECT_EQ(pod.FindPath({"spec", "priority"})->AsInt64(), 0);  // Priority still applies
  pod.Ensure({"spec"}).Erase("priority");
  pod.Ensure({"spec"}).Erase("preemptionPolicy");
  pod.Ensure({"spec"}).Erase("tolerations");  // DefaultTolerationSeconds still applies
  EXPECT_TRUE(pod == before);
}

TEST_F(ServiceAccountTest, MirrorPodMayNotReferenceAccountsSecretsOrTokens) {
  struct Case {
    const char* spec;
    const char* message;
  } cases[] = {
      {R"({"serviceAccountName":"default"})", "a mirror pod may not reference service accounts"},
      {R"({"volumes":[{"name":"s","secret":{"secretName":"x"}}]})", "a mirror pod may not reference secrets"},
      {R"({"containers":[{"name":"c","env":[{"name":"A","valueFrom":{"secretKeyRef":{"name":"x","key":"k"}}}]}]})",
       "a mirror pod may not reference secrets"},
      {R"({"volumes":[{"name":"t","projected":{"sources":[{"serviceAccountToken":{"path":"t"}}]}}]})",
       "a mirror pod may not use ServiceAccountToken volume projections"},
  };
  for (const Case& c : cases) {
    json::Value pod = Json(
        StrCat(R"({"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"h"}},"spec":)", c.spec, "}"));
    apierrors::ApiStatus st = StatusOf(chain_->Admit(Create(), &pod, nullptr));
    EXPECT_EQ(st.code, 403) << c.spec;
    EXPECT_EQ(st.message, StrCat("pods \"p\" is forbidden: ", c.message)) << c.spec;
  }
}

TEST_F(ServiceAccountTest, UpdatesAndStatusWritesAreNotTouched) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"serviceAccountName":"ghost"}})");
  EXPECT_TRUE(Write(MakeRequest(Admin(), Operation::kUpdate, "", "pods", "default", "p"), &pod, &pod).ok());
  EXPECT_TRUE(Write(MakeRequest(Admin(), Operation::kUpdate, "", "pods", "default", "p", "status"), &pod, &pod).ok());
}

}  // namespace
}  // namespace cubelet::admission::testing
