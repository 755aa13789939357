#include "controllers/gc_graph.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "json/parse.h"

namespace cubelet::controllers {
namespace {

json::Value Object(const std::string& uid, const std::vector<std::string>& owners = {},
                   const std::vector<std::string>& finalizers = {}, bool deleting = false) {
  json::Value o = json::Value::EmptyObject();
  o.Ensure({"metadata"}).Set("uid", uid);
  o["metadata"].Set("name", "n-" + uid);
  o["metadata"].Set("namespace", "default");
  if (!owners.empty()) {
    json::Array refs;
    for (const std::string& owner : owners) {
      json::Value r = json::Value::EmptyObject();
      r.Set("apiVersion", "v1");
      r.Set("kind", "ConfigMap");
      r.Set("name", "n-" + owner);
      r.Set("uid", owner);
      refs.push_back(std::move(r));
    }
    o["metadata"].Set("ownerReferences", std::move(refs));
  }
  if (!finalizers.empty()) {
    json::Array list;
    for (const std::string& f : finalizers) list.emplace_back(f);
    o["metadata"].Set("finalizers", std::move(list));
  }
  if (deleting) o["metadata"].Set("deletionTimestamp", "2025-01-01T00:00:00Z");
  return o;
}

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(GcGraphTest, ObjectsWithLiveOwnersNeedNoWork) {
  GcGraph g;
  EXPECT_TRUE(g.Upsert(0, Object("owner")).attempt_to_delete.empty());
  GcGraph::Work w = g.Upsert(0, Object("dep", {"owner"}));
  EXPECT_TRUE(w.attempt_to_delete.empty());
  ASSERT_NE(g.Find("owner"), nullptr);
  EXPECT_EQ(g.Find("owner")->dependents.count("dep"), 1u);
  // An update that changes nothing about ownership needs no work either.
  EXPECT_TRUE(g.Upsert(0, Object("dep", {"owner"})).attempt_to_delete.empty());
}

TEST(GcGraphTest, ADependentOfAnUnseenOwnerIsLookedAtAndTheOwnerIsVirtual) {
  GcGraph g;
  GcGraph::Work w = g.Upsert(0, Object("dep", {"ghost"}));
  EXPECT_TRUE(Has(w.attempt_to_delete, "dep"));
  ASSERT_NE(g.Find("ghost"), nullptr);
  EXPECT_FALSE(g.Find("ghost")->observed);
  // Once the dependent lets go, the virtual node goes too.
  g.Upsert(0, Object("dep"));
  EXPECT_EQ(g.Find("ghost"), nullptr);
}

TEST(GcGraphTest, DeletingAnOwnerQueuesItsDependentsAndRemembersItIsGone) {
  GcGraph g;
  g.Upsert(0, Object("owner"));
  g.Upsert(0, Object("a", {"owner"}));
  g.Upsert(0, Object("b", {"owner"}));
  GcGraph::Work w = g.Remove("owner");
  EXPECT_TRUE(Has(w.attempt_to_delete, "a"));
  EXPECT_TRUE(Has(w.attempt_to_delete, "b"));
  EXPECT_TRUE(g.KnownAbsent("owner"));
  // The dependents still name it: the index stays as a virtual node until they go.
  ASSERT_NE(g.Find("owner"), nullptr);
  EXPECT_FALSE(g.Find("owner")->observed);
  g.Remove("a");
  g.Remove("b");
  EXPECT_EQ(g.Find("owner"), nullptr);
}

TEST(GcGraphTest, ForegroundDeletionQueuesTheOwnerAndItsDependentsAndEachDependentGoneRequeuesTheOwner) {
  GcGraph g;
  g.Upsert(0, Object("owner"));
  g.Upsert(0, Object("a", {"owner"}));
  GcGraph::Work w = g.Upsert(0, Object("owner", {}, {"foregroundDeletion"}, true));
  EXPECT_TRUE(Has(w.attempt_to_delete, "owner"));
  EXPECT_TRUE(Has(w.attempt_to_delete, "a"));
  EXPECT_TRUE(g.Find("owner")->deleting_dependents);
  // The same state again is no news.
  EXPECT_TRUE(g.Upsert(0, Object("owner", {}, {"foregroundDeletion"}, true)).attempt_to_delete.empty());
  w = g.Remove("a");
  EXPECT_TRUE(Has(w.attempt_to_delete, "owner"));
}

TEST(GcGraphTest, OrphanFinalizerOnADeletedObjectQueuesAnOrphaning) {
  GcGraph g;
  g.Upsert(0, Object("owner"));
  EXPECT_TRUE(g.Upsert(0, Object("owner", {}, {"orphan"})).attempt_to_orphan.empty());  // not being deleted
  GcGraph::Work w = g.Upsert(0, Object("owner", {}, {"orphan"}, true));
  EXPECT_EQ(w.attempt_to_orphan, std::vector<std::string>{"owner"});
}

TEST(GcGraphTest, ARelistRemovesWhatItDoesNotShowAgain) {
  GcGraph g;
  g.Upsert(0, Object("owner"));
  g.Upsert(0, Object("kept"));
  g.Upsert(1, Object("dep", {"owner"}));
  g.BeginRelist(0);
  g.Upsert(0, Object("kept"));
  GcGraph::Work w = g.EndRelist(0);
  EXPECT_TRUE(Has(w.attempt_to_delete, "dep"));
  EXPECT_TRUE(g.KnownAbsent("owner"));
  ASSERT_NE(g.Find("kept"), nullptr);
  EXPECT_TRUE(g.Find("kept")->observed);
  EXPECT_TRUE(g.Find("dep")->observed);  // another kind: not part of the relist
}

}  // namespace
}  // namespace cubelet::controllers
