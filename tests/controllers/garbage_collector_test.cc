#include "controllers/garbage_collector.h"

#include "controllers/controller_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::controllers {
namespace {

using testing::ConfigMap;
using testing::Eventually;
using testing::OwnedBy;
using testing::OwnerRef;

class GarbageCollectorTest : public testing::StackTest {
 protected:
  std::shared_ptr<const json::Value> Cm(const std::string& name) { return stack_.Get(configmaps_, "default", name); }
  std::shared_ptr<const json::Value> CreateCm(json::Value object) {
    return stack_.Create(configmaps_, "default", std::move(object));
  }
  absl::Status Delete(const std::string& name, const std::string& policy) {
    registry::DeleteOptions options;
    options.propagation_policy = policy;
    return configmaps_->Delete("default", name, options).status();
  }
  std::unique_ptr<storage::cacher::WatchHandle> Watch(testing::RecordingSink* sink) {
    auto handle = configmaps_->Watch("default", registry::ResourceStore::WatchOptions{}, sink);
    EXPECT_TRUE(handle.ok()) << handle.status();
    return handle.ok() ? std::move(*handle) : nullptr;
  }
};

TEST_F(GarbageCollectorTest, ADependentGoesAfterItsOwner) {
  stack_.StartControllers();
  auto owner = CreateCm(ConfigMap("owner"));
  CreateCm(OwnedBy(ConfigMap("dependent"), {OwnerRef(*owner)}));
  CreateCm(ConfigMap("unrelated"));
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_NE(Cm("dependent"), nullptr);  // its owner is alive

  ASSERT_TRUE(Delete("owner", "Background").ok());
  EXPECT_TRUE(Eventually([&] { return Cm("dependent") == nullptr; }));
  EXPECT_NE(Cm("unrelated"), nullptr);
}

TEST_F(GarbageCollectorTest, ADependentWithAnotherLiveOwnerStaysAndForgetsTheGoneOne) {
  stack_.StartControllers();
  auto a = CreateCm(ConfigMap("a"));
  auto b = CreateCm(ConfigMap("b"));
  CreateCm(OwnedBy(ConfigMap("shared"), {OwnerRef(*a), OwnerRef(*b)}));
  ASSERT_TRUE(Delete("a", "").ok());
  ASSERT_TRUE(Eventually([&] {
    auto shared = Cm("shared");
    return shared != nullptr && shared->FindPath({"metadata", "ownerReferences"})->size() == 1;
  }));
  EXPECT_EQ(Cm("shared")->FindPath({"metadata", "ownerReferences"})->AsArray()[0].GetString({"name"}), "b");
  ASSERT_TRUE(Delete("b", "").ok());
  EXPECT_TRUE(Eventually([&] { return Cm("shared") == nullptr; }));
}

TEST_F(GarbageCollectorTest, ObjectsOrphanedWhileTheServerWasDownAreCollectedAtStart) {
  auto owner = CreateCm(ConfigMap("owner"));
  CreateCm(OwnedBy(ConfigMap("dependent"), {OwnerRef(*owner)}));
  ASSERT_TRUE(Delete("owner", "").ok());
  // A reference to an object of the same name that is another object (another uid) counts as gone.
  CreateCm(ConfigMap("owner"));
  stack_.StartControllers();
  EXPECT_TRUE(Eventually([&] { return Cm("dependent") == nullptr; }));
  EXPECT_NE(Cm("owner"), nullptr);
}

TEST_F(GarbageCollectorTest, ForegroundDeletionDeletesTheDependentsFirstThenTheOwner) {
  testing::RecordingSink events;
  auto watch = Watch(&events);
  stack_.StartControllers();
  auto owner = CreateCm(ConfigMap("owner"));
  auto child = CreateCm(OwnedBy(ConfigMap("child"), {OwnerRef(*owner, true)}));
  CreateCm(OwnedBy(ConfigMap("grandchild"), {OwnerRef(*child, true)}));
  CreateCm(OwnedBy(ConfigMap("sibling"), {OwnerRef(*owner)}));
  // A finalizer of someone else's holds the grandchild, and with it the whole chain.
  ASSERT_TRUE(configmaps_
                  ->GuaranteedUpdate(
                      "default", "grandchild",
                      [](const json::Value& cur) -> absl::StatusOr<json::Value> {
                        json::Value next = cur;
                        next["metadata"].Set("finalizers", json::Array{json::Value("example.com/hold")});
                        return next;
                      },
                      false, false, {})
                  .ok());

  ASSERT_TRUE(Delete("owner", "Foreground").ok());
  ASSERT_TRUE(Eventually([&] { return Cm("sibling") == nullptr; }));
  ASSERT_TRUE(Eventually([&] {
    auto gc = Cm("grandchild");
    return gc != nullptr && gc->FindPath({"metadata", "deletionTimestamp"}) != nullptr;
  }));
  absl::SleepFor(absl::Milliseconds(300));
  auto held_owner = Cm("owner");
  ASSERT_NE(held_owner, nullptr);
  EXPECT_NE(held_owner->FindPath({"metadata", "deletionTimestamp"}), nullptr);
  EXPECT_EQ(held_owner->FindPath({"metadata", "finalizers"})->AsArray()[0].AsString(), "foregroundDeletion");
  auto held_child = Cm("child");
  ASSERT_NE(held_child, nullptr);  // deleted in the foreground too: it has a dependent
  EXPECT_EQ(held_child->FindPath({"metadata", "finalizers"})->AsArray()[0].AsString(), "foregroundDeletion");

  // Release the grandchild: the chain unwinds bottom-up.
  ASSERT_TRUE(configmaps_
                  ->GuaranteedUpdate(
                      "default", "grandchild",
                      [](const json::Value& cur) -> absl::StatusOr<json::Value> {
                        json::Value next = cur;
                        next["metadata"].Erase("finalizers");
                        return next;
                      },
                      false, false, {})
                  .ok());
  ASSERT_TRUE(Eventually([&] { return events.DeletedAt("default", "owner") > 0; }));
  EXPECT_LT(events.DeletedAt("default", "grandchild"), events.DeletedAt("default", "child"));
  EXPECT_LT(events.DeletedAt("default", "child"), events.DeletedAt("default", "owner"));
  EXPECT_LT(events.DeletedAt("default", "sibling"), events.DeletedAt("default", "owner"));
  EXPECT_GT(events.DeletedAt("default", "grandchild"), 0);
  EXPECT_GT(events.DeletedAt("default", "sibling"), 0);
}

TEST_F(GarbageCollectorTest, OrphanDeletionKeepsTheDependentWithoutTheReference) {
  stack_.StartControllers();
  auto owner = CreateCm(ConfigMap("owner"));
  auto other = CreateCm(ConfigMap("other"));
  CreateCm(OwnedBy(ConfigMap("only-child"), {OwnerRef(*owner)}));
  CreateCm(OwnedBy(ConfigMap("two-parents"), {OwnerRef(*owner), OwnerRef(*other)}));
  ASSERT_TRUE(Delete("owner", "Orphan").ok());
  ASSERT_TRUE(Eventually([&] { return Cm("owner") == nullptr; }));
  auto only = Cm("only-child");
  ASSERT_NE(only, nullptr);
  EXPECT_EQ(only->FindPath({"metadata", "ownerReferences"}), nullptr);
  auto two = Cm("two-parents");
  ASSERT_NE(two, nullptr);
  ASSERT_EQ(two->FindPath({"metadata", "ownerReferences"})->size(), 1u);
  EXPECT_EQ(two->FindPath({"metadata", "ownerReferences"})->AsArray()[0].GetString({"name"}), "other");
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_NE(Cm("only-child"), nullptr);  // and nothing collects it later
}

TEST_F(GarbageCollectorTest, OwnersOfOtherKindsAndUnservedKindsAreResolved) {
  stack_.StartControllers();
  registry::ResourceStore* namespaces = stack_.Core("namespaces");
  auto ns = stack_.Create(namespaces, "", testing::Namespace("owner-ns"));
  ASSERT_NE(ns, nullptr);
  // A cluster-scoped owner of a namespaced object, and an owner of a kind this server lacks.
  CreateCm(OwnedBy(ConfigMap("owned-by-ns"), {OwnerRef(*ns)}));
  json::Value unknown = testing::Parse(
      R"({"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"6a1c1f5e-0000-4000-8000-000000000001"})");
  CreateCm(OwnedBy(ConfigMap("owned-by-deployment"), {unknown}));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_NE(Cm("owned-by-ns"), nullptr);
  EXPECT_NE(Cm("owned-by-deployment"), nullptr);  // cannot be looked up: kept
  ASSERT_TRUE(namespaces->Delete("", "owner-ns", registry::DeleteOptions{}).ok());
  EXPECT_TRUE(Eventually([&] { return Cm("owned-by-ns") == nullptr; }));
  EXPECT_NE(Cm("owned-by-deployment"), nullptr);
}

}  // namespace
}  // namespace cubelet::controllers
