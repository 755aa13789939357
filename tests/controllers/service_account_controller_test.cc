#include "controllers/service_account_controller.h"

#include "controllers/controller_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using testing::Eventually;

class ServiceAccountControllerTest : public testing::StackTest {
 protected:
  registry::ResourceStore* const sas_ = stack_.Core("serviceaccounts");
};

TEST_F(ServiceAccountControllerTest, ANewNamespaceGetsADefaultServiceAccountAgainAfterItsDeletion) {
  stack_.StartControllers();
  stack_.Create(stack_.Core("namespaces"), "", testing::Namespace("team-a"));
  ASSERT_TRUE(Eventually([&] { return stack_.Get(sas_, "team-a", "default") != nullptr; }));
  const std::string first_uid = stack_.Get(sas_, "team-a", "default")->GetString({"metadata", "uid"});

  ASSERT_TRUE(sas_->Delete("team-a", "default", registry::DeleteOptions{}).ok());
  ASSERT_TRUE(Eventually([&] {
    auto sa = stack_.Get(sas_, "team-a", "default");
    return sa != nullptr && sa->GetString({"metadata", "uid"}) != first_uid;
  }));
}

TEST_F(ServiceAccountControllerTest, OtherServiceAccountsAndTerminatingNamespacesAreLeftAlone) {
  registry::ResourceStore* namespaces = stack_.Core("namespaces");
  stack_.Create(namespaces, "", testing::Namespace("team-b"));
  // A finalizer of someone else's keeps the namespace Terminating after the controllers emptied it.
  json::Value held = testing::Namespace("held");
  held["metadata"].Set("finalizers", json::Array{json::Value("example.com/hold")});
  stack_.Create(namespaces, "", held);
  stack_.StartControllers();
  ASSERT_TRUE(Eventually([&] { return stack_.Get(sas_, "held", "default") != nullptr; }));
  ASSERT_TRUE(namespaces->Delete("", "held", registry::DeleteOptions{}).ok());
  // The namespace controller deletes the account; nobody creates it again.
  ASSERT_TRUE(Eventually([&] { return stack_.Get(sas_, "held", "default") == nullptr; }));
  ASSERT_TRUE(Eventually([&] {
    auto ns = stack_.Get(namespaces, "", "held");
    return ns != nullptr && ns->FindPath({"spec", "finalizers"})->AsArray().empty();
  }));
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(stack_.Get(sas_, "held", "default"), nullptr);

  ASSERT_TRUE(Eventually([&] { return stack_.Get(sas_, "team-b", "default") != nullptr; }));
  json::Value other = testing::Parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder"}})");
  stack_.Create(sas_, "team-b", other);
  ASSERT_TRUE(sas_->Delete("team-b", "builder", registry::DeleteOptions{}).ok());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(stack_.Get(sas_, "team-b", "builder"), nullptr);
}

}  // namespace
}  // namespace cubelet::controllers
