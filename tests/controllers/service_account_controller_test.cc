#include "controllers/service_account_controller.h"

#include "controllers/controller_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using testing::Eventually;
using testing::Stack;
using testing::TempDir;

TEST(ServiceAccountControllerTest, ANewNamespaceGetsADefaultServiceAccountAgainAfterItsDeletion) {
  TempDir dir;
  RealClock clock;
  Stack stack(dir.path(), &clock);
  stack.StartControllers();
  registry::ResourceStore* sas = stack.Core("serviceaccounts");
  stack.Create(stack.Core("namespaces"), "", testing::Namespace("team-a"));
  ASSERT_TRUE(Eventually([&] { return stack.Get(sas, "team-a", "default") != nullptr; }));
  const std::string first_uid = stack.Get(sas, "team-a", "default")->GetString({"metadata", "uid"});

  ASSERT_TRUE(sas->Delete("team-a", "default", registry::DeleteOptions{}).ok());
  ASSERT_TRUE(Eventually([&] {
    auto sa = stack.Get(sas, "team-a", "default");
    return sa != nullptr && sa->GetString({"metadata", "uid"}) != first_uid;
  }));
}

TEST(ServiceAccountControllerTest, OtherServiceAccountsAndTerminatingNamespacesAreLeftAlone) {
  TempDir dir;
  RealClock clock;
  Stack stack(dir.path(), &clock);
  registry::ResourceStore* sas = stack.Core("serviceaccounts");
  registry::ResourceStore* namespaces = stack.Core("namespaces");
  stack.Create(namespaces, "", testing::Namespace("team-b"));
  // A finalizer of someone else's keeps the namespace Terminating after the controllers emptied it.
  json::Value held = testing::Namespace("held");
  held["metadata"].Set("finalizers", json::Array{json::Value("example.com/hold")});
  stack.Create(namespaces, "", held);
  stack.StartControllers();
  ASSERT_TRUE(Eventually([&] { return stack.Get(sas, "held", "default") != nullptr; }));
  ASSERT_TRUE(namespaces->Delete("", "held", registry::DeleteOptions{}).ok());
  // The namespace controller deletes the account; nobody creates it again.
  ASSERT_TRUE(Eventually([&] { return stack.Get(sas, "held", "default") == nullptr; }));
  ASSERT_TRUE(Eventually([&] {
    auto ns = stack.Get(namespaces, "", "held");
    return ns != nullptr && ns->FindPath({"spec", "finalizers"})->AsArray().empty();
  }));
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(stack.Get(sas, "held", "default"), nullptr);

  ASSERT_TRUE(Eventually([&] { return stack.Get(sas, "team-b", "default") != nullptr; }));
  json::Value other = testing::Parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"builder"}})");
  stack.Create(sas, "team-b", other);
  ASSERT_TRUE(sas->Delete("team-b", "builder", registry::DeleteOptions{}).ok());
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(stack.Get(sas, "team-b", "builder"), nullptr);
}

}  // namespace
}  // namespace cubelet::controllers
