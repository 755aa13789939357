#include "admission/admission_test_util.h"
#include "common/strings.h"
#include "gmock/gmock.h"

namespace cubelet::admission::testing {
namespace {

class NamespaceLifecycleTest : public AdmissionTest {
 protected:
  void SetUp() override {
    AdmissionTest::SetUp();
    lookup_.Put("", "namespaces", "", "gone", R"({"metadata":{"name":"gone"},"status":{"phase":"Terminating"}})");
    lookup_.Put(
        "", "namespaces", "", "going",
        R"({"metadata":{"name":"going","deletionTimestamp":"2025-01-01T00:00:00Z"},"status":{"phase":"Active"}})");
    lookup_.Put("", "serviceaccounts", "gone", "default", R"({"metadata":{"name":"default"}})");
  }
};

TEST_F(NamespaceLifecycleTest, CreateInMissingNamespaceIsNotFound) {
  json::Value cm = Json(R"({"metadata":{"name":"c"}})");
  absl::Status s = Write(MakeRequest(Admin(), Operation::kCreate, "", "configmaps", "nope", "c"), &cm);
  apierrors::ApiStatus st = StatusOf(s);
  EXPECT_EQ(st.code, 404);
  EXPECT_EQ(st.reason, "NotFound");
  EXPECT_EQ(st.message, "namespaces \"nope\" not found");
}

TEST_F(NamespaceLifecycleTest, UpdateInMissingNamespaceIsNotFound) {
  json::Value cm = Json(R"({"metadata":{"name":"c"}})");
  absl::Status s = Write(MakeRequest(Admin(), Operation::kUpdate, "", "configmaps", "nope", "c"), &cm, &cm);
  EXPECT_EQ(StatusOf(s).code, 404);
}

TEST_F(NamespaceLifecycleTest, CreateInTerminatingNamespaceIsForbiddenWithCause) {
  json::Value pod = Json(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}})");
  absl::Status s = Write(MakeRequest(Admin(), Operation::kCreate, "", "pods", "gone", "p"), &pod);
  apierrors::ApiStatus st = StatusOf(s);
  EXPECT_EQ(st.code, 403);
  EXPECT_EQ(st.reason, "Forbidden");
  EXPECT_EQ(st.message,
            "pods \"p\" is forbidden: unable to create new content in namespace gone because it is being terminated");
  ASSERT_TRUE(st.details.has_value());
  ASSERT_EQ(st.details->causes.size(), 1u);
  EXPECT_EQ(st.details->causes[0].reason, "NamespaceTerminating");
  EXPECT_EQ(st.details->causes[0].message, "namespace gone is being terminated");
  EXPECT_EQ(st.details->causes[0].field, "metadata.namespace");
}

TEST_F(NamespaceLifecycleTest, NamespaceWithDeletionTimestampTakesNoNewContent) {
  json::Value cm = Json(R"({"metadata":{"generateName":"c-"}})");
  absl::Status s = Write(MakeRequest(Admin(), Operation::kCreate, "", "configmaps", "going", ""), &cm);
  EXPECT_EQ(StatusOf(s).code, 403);
  EXPECT_THAT(StatusOf(s).message, ::testing::StartsWith("configmaps \"c-\" is forbidden: unable to create"));
}

TEST_F(NamespaceLifecycleTest, EventsAreRefusedInTerminatingNamespacesAsUpstreamDoes) {
  json::Value ev = Json(R"({"metadata":{"name":"e"}})");
  EXPECT_EQ(StatusOf(Write(MakeRequest(Admin(), Operation::kCreate, "", "events", "gone", "e"), &ev)).code, 403);
}

TEST_F(NamespaceLifecycleTest, UpdatesAndDeletesInTerminatingNamespaceAreAllowed) {
  json::Value cm = Json(R"({"metadata":{"name":"c"}})");
  EXPECT_TRUE(Write(MakeRequest(Admin(), Operation::kUpdate, "", "configmaps", "gone", "c"), &cm, &cm).ok());
  EXPECT_TRUE(
      chain_->Validate(MakeRequest(Admin(), Operation::kDelete, "", "configmaps", "gone", "c"), nullptr, &cm).ok());
  EXPECT_TRUE(
      chain_->Validate(MakeRequest(Admin(), Operation::kDelete, "", "configmaps", "nope", "c"), nullptr, &cm).ok());
}

TEST_F(NamespaceLifecycleTest, ImmortalNamespacesCannotBeDeleted) {
  for (const char* name : {"default", "kube-system", "kube-public"}) {
    json::Value ns = Json(StrCat(R"({"metadata":{"name":")", name, R"("}})"));
    absl::Status s =
        chain_->Validate(MakeRequest(Admin(), Operation::kDelete, "", "namespaces", "", name), nullptr, &ns);
    apierrors::ApiStatus st = StatusOf(s);
    EXPECT_EQ(st.code, 403) << name;
    EXPECT_EQ(st.message, StrCat("namespaces \"", name, "\" is forbidden: this namespace may not be deleted"));
  }
  json::Value other = Json(R"({"metadata":{"name":"team"}})");
  EXPECT_TRUE(
      chain_->Validate(MakeRequest(Admin(), Operation::kDelete, "", "namespaces", "", "team"), nullptr, &other).ok());
}

TEST_F(NamespaceLifecycleTest, NamespacesAndClusterScopedObjectsNeedNoNamespace) {
  json::Value ns = Json(R"({"metadata":{"name":"fresh"}})");
  EXPECT_TRUE(Write(MakeRequest(Admin(), Operation::kCreate, "", "namespaces", "", "fresh"), &ns).ok());
  json::Value pc = Json(R"({"metadata":{"name":"high"},"value":10})");
  EXPECT_TRUE(
      Write(MakeRequest(Admin(), Operation::kCreate, "scheduling.k8s.io", "priorityclasses", "", "high"), &pc).ok());
}

TEST_F(NamespaceLifecycleTest, BindingIntoTerminatingNamespaceIsForbidden) {
  json::Value binding = Json(R"({"metadata":{"name":"p"},"target":{"name":"n1"}})");
  absl::Status s =
      chain_->Validate(MakeRequest(Admin(), Operation::kCreate, "", "pods", "gone", "p", "binding"), &binding, nullptr);
  EXPECT_EQ(StatusOf(s).code, 403);
  EXPECT_TRUE(
      chain_
          ->Validate(MakeRequest(Admin(), Operation::kCreate, "", "pods", "default", "p", "binding"), &binding, nullptr)
          .ok());
}

}  // namespace
}  // namespace cubelet::admission::testing
