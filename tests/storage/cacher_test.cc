// The watch cache's lists, gets and consistent reads, against a real SQLite store.
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "storage/cacher/cacher.h"
#include "storage/cacher_test_util.h"

namespace cubelet::storage::cacher::testing {
namespace {

std::vector<std::string> Keys(const ListResult& r) {
  std::vector<std::string> out;
  for (const ObjectPtr& o : r.items) out.push_back(o->key);
  return out;
}

class CacherListTest : public CacherTestBase {};

TEST_F(CacherListTest, ListAfterStartHoldsStoredObjectsInKeyOrder) {
  Put({.ns = "b", .name = "z"});
  Put({.ns = "a", .name = "y"});
  Put({.ns = "a", .name = "x"});
  const int64_t last = Put({.ns = "a", .name = "x", .phase = "Running"});
  // Another resource's keys share the store but not the prefix.
  ASSERT_TRUE(store_->Create("/registry/services/a/x", "{}").ok());
  StartCacher();

  ListResult r = cacher_->List({});
  EXPECT_EQ(Keys(r), (std::vector<std::string>{PodKey("a", "x"), PodKey("a", "y"), PodKey("b", "z")}));
  EXPECT_EQ(r.revision, last + 1);
  EXPECT_EQ(r.items[0]->mod_revision, last);
  EXPECT_EQ(r.items[0]->object->GetString({"metadata", "resourceVersion"}), std::to_string(last));
  EXPECT_EQ(r.items[0]->fields.at("status.phase"), "Running");
  EXPECT_TRUE(r.last_key.empty());
  EXPECT_EQ(r.remaining, 0);
}

TEST_F(CacherListTest, ListPagesWithLimitAndStartAfterKey) {
  for (int i = 0; i < 25; ++i) Put({.name = "p" + std::to_string(100 + i)});
  StartCacher();

  std::vector<std::string> all;
  ListRequest req;
  req.limit = 10;
  std::vector<int64_t> remaining;
  while (true) {
    ListResult page = cacher_->List(req);
    for (const std::string& k : Keys(page)) all.push_back(k);
    remaining.push_back(page.remaining);
    if (page.last_key.empty()) break;
    EXPECT_EQ(page.last_key, page.items.back()->key);
    req.start_after_key = page.last_key;
  }
  EXPECT_EQ(remaining, (std::vector<int64_t>{15, 5, 0}));
  ASSERT_EQ(all.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(all[i], PodKey("default", "p" + std::to_string(100 + i)));
}

TEST_F(CacherListTest, ListFiltersByNamespaceNameLabelsAndFields) {
  Put({.ns = "a", .name = "web1", .labels = {{"app", "web"}}, .node = "n1", .phase = "Running"});
  Put({.ns = "a", .name = "web2", .labels = {{"app", "web"}}, .node = "n2", .phase = "Running"});
  Put({.ns = "a", .name = "db", .labels = {{"app", "db"}}, .node = "n1", .phase = "Pending"});
  Put({.ns = "ab", .name = "web1", .labels = {{"app", "web"}}, .node = "n1"});
  Put({.ns = "b", .name = "web1", .labels = {{"app", "web"}}});
  StartCacher();

  // "a" must not take in "ab": namespaces are key ranges ending in "/".
  EXPECT_EQ(Keys(cacher_->List({.namespace_ = "a"})),
            (std::vector<std::string>{PodKey("a", "db"), PodKey("a", "web1"), PodKey("a", "web2")}));
  EXPECT_EQ(Keys(cacher_->List({.namespace_ = "a", .labels = Labels("app=web")})),
            (std::vector<std::string>{PodKey("a", "web1"), PodKey("a", "web2")}));
  EXPECT_EQ(Keys(cacher_->List({.name = "web1"})),
            (std::vector<std::string>{PodKey("a", "web1"), PodKey("ab", "web1"), PodKey("b", "web1")}));
  EXPECT_EQ(Keys(cacher_->List({.namespace_ = "b", .name = "web1"})), (std::vector<std::string>{PodKey("b", "web1")}));
  EXPECT_EQ(Keys(cacher_->List({.fields = Fields("metadata.name=web1,metadata.namespace=ab")})),
            (std::vector<std::string>{PodKey("ab", "web1")}));
  // The indexed field, alone and with further selectors.
  EXPECT_EQ(Keys(cacher_->List({.fields = Fields("spec.nodeName=n1")})),
            (std::vector<std::string>{PodKey("a", "db"), PodKey("a", "web1"), PodKey("ab", "web1")}));
  EXPECT_EQ(Keys(cacher_->List({.namespace_ = "a", .fields = Fields("spec.nodeName=n1,status.phase!=Pending")})),
            (std::vector<std::string>{PodKey("a", "web1")}));
  EXPECT_EQ(Keys(cacher_->List({.fields = Fields("spec.nodeName=")})), (std::vector<std::string>{PodKey("b", "web1")}));
  EXPECT_TRUE(cacher_->List({.fields = Fields("spec.nodeName=n9")}).items.empty());
  // Paging through the index.
  ListResult page = cacher_->List({.fields = Fields("spec.nodeName=n1"), .limit = 2});
  EXPECT_EQ(page.last_key, PodKey("a", "web1"));
  EXPECT_EQ(page.remaining, 1);
  page = cacher_->List({.fields = Fields("spec.nodeName=n1"), .limit = 2, .start_after_key = page.last_key});
  EXPECT_EQ(Keys(page), (std::vector<std::string>{PodKey("ab", "web1")}));
}

TEST_F(CacherListTest, IndexFollowsObjectsThatMoveBetweenValues) {
  Put({.name = "p", .node = "n1"});
  StartCacher();
  Put({.name = "p", .node = "n2"});
  Sync();
  EXPECT_TRUE(cacher_->List({.fields = Fields("spec.nodeName=n1")}).items.empty());
  EXPECT_EQ(cacher_->List({.fields = Fields("spec.nodeName=n2")}).items.size(), 1u);
  Delete("default", "p");
  Sync();
  EXPECT_TRUE(cacher_->List({.fields = Fields("spec.nodeName=n2")}).items.empty());
}

TEST_F(CacherListTest, GetReturnsTheCurrentObjectOrNull) {
  Put({.name = "p"});
  StartCacher();
  EXPECT_NE(cacher_->Get(PodKey("default", "p")), nullptr);
  EXPECT_EQ(cacher_->Get(PodKey("default", "q")), nullptr);
  const int64_t rev = Put({.name = "p", .phase = "Running"});
  ASSERT_TRUE(cacher_->WaitForRevision(rev, testing::kWait).ok());
  ObjectPtr p = cacher_->Get(PodKey("default", "p"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mod_revision, rev);
  EXPECT_NE(p->json.find("\"resourceVersion\":\"" + std::to_string(rev) + "\""), std::string::npos) << p->json;
}

TEST_F(CacherListTest, WaitForRevisionSeesAWriteJustAcknowledged) {
  StartCacher();
  for (int i = 0; i < 20; ++i) {
    const int64_t rev = Put({.name = "p" + std::to_string(i)});
    ASSERT_TRUE(cacher_->WaitForRevision(rev, testing::kWait).ok());
    EXPECT_GE(cacher_->Revision(), rev);
    EXPECT_NE(cacher_->Get(PodKey("default", "p" + std::to_string(i))), nullptr);
  }
  absl::Status s = cacher_->WaitForRevision(cacher_->Revision() + 100, absl::Milliseconds(20));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
}

TEST_F(CacherListTest, UndecodableObjectsAreSkipped) {
  Put({.name = "good"});
  ASSERT_TRUE(store_->Create(PodKey("default", "bad"), "not json").ok());
  StartCacher();
  EXPECT_EQ(Keys(cacher_->List({})), (std::vector<std::string>{PodKey("default", "good")}));
  const int64_t good_rev = store_->Get(PodKey("default", "good")).value().kv->mod_revision;
  const int64_t rev = store_->Update(PodKey("default", "good"), "[1", good_rev).value().revision;
  ASSERT_TRUE(cacher_->WaitForRevision(rev, testing::kWait).ok());
  EXPECT_NE(cacher_->Get(PodKey("default", "good")), nullptr);
}

TEST_F(CacherListTest, StartListsMoreThanOnePage) {
  // The cacher lists the store 1,000 keys at a time; writers in parallel share commits.
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([this, t] {
      for (int i = t; i < 1100; i += 4) Put({.name = "p" + std::to_string(10000 + i)});
    });
  }
  for (std::thread& w : writers) w.join();
  StartCacher();
  ListResult r = cacher_->List({});
  ASSERT_EQ(r.items.size(), 1100u);
  EXPECT_EQ(r.items.front()->key, PodKey("default", "p10000"));
  EXPECT_EQ(r.items.back()->key, PodKey("default", "p11099"));
  EXPECT_EQ(r.revision, *store_->CurrentRevision());
}

TEST_F(CacherListTest, StartTwiceAndWatchBeforeStartFail) {
  cacher_ = std::make_unique<Cacher>(store_.get(), Options(), &clock_, logger_);
  testing::RecordingSink sink;
  EXPECT_EQ(cacher_->Watch({}, &sink).status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(cacher_->Start().ok());
  EXPECT_EQ(cacher_->Start().code(), absl::StatusCode::kFailedPrecondition);
  cacher_->Stop();
  EXPECT_EQ(cacher_->Watch({}, &sink).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace cubelet::storage::cacher::testing
