// What one client watch of the watch cache receives: initial events, resumption from the ring
// and from the store's history, selector enter/leave, bookmarks, streaming-list ends, and the
// end of the watch; against a real SQLite store.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/cacher/cacher.h"
#include "storage/cacher_test_util.h"

namespace cubelet::storage::cacher::testing {
namespace {

class CacherWatchTest : public CacherTestBase {};

void ExpectEvent(const Received& e, EventType type, const std::string& key, int64_t revision) {
  EXPECT_EQ(e.type, type) << key;
  EXPECT_EQ(e.key, key);
  EXPECT_EQ(e.revision, revision) << key;
  ASSERT_NE(e.object, nullptr);
  EXPECT_EQ(e.object->mod_revision, revision) << key;
  EXPECT_EQ(e.object->object->GetString({"metadata", "resourceVersion"}), std::to_string(revision)) << key;
}

TEST_F(CacherWatchTest, WatchFromZeroSendsCurrentObjectsThenChanges) {
  const int64_t ra = Put({.name = "a"});
  const int64_t rb = Put({.name = "b"});
  StartCacher();
  RecordingSink sink;
  auto handle = WatchOrDie({}, &sink);
  ASSERT_TRUE(sink.WaitForCount(2));
  const int64_t rc = Put({.name = "c"});
  const int64_t ra2 = Put({.name = "a", .phase = "Running"});
  const int64_t rb2 = Delete("default", "b");
  ASSERT_TRUE(sink.WaitForCount(5));
  std::vector<Received> ev = sink.events();
  ASSERT_EQ(ev.size(), 5u);
  ExpectEvent(ev[0], EventType::kAdded, PodKey("default", "a"), ra);
  ExpectEvent(ev[1], EventType::kAdded, PodKey("default", "b"), rb);
  ExpectEvent(ev[2], EventType::kAdded, PodKey("default", "c"), rc);
  ExpectEvent(ev[3], EventType::kModified, PodKey("default", "a"), ra2);
  // DELETED carries the last state, at the deletion's revision.
  ExpectEvent(ev[4], EventType::kDeleted, PodKey("default", "b"), rb2);
  EXPECT_EQ(ev[4].object->name, "b");
}

TEST_F(CacherWatchTest, WatchResumesFromARevisionInTheRing) {
  StartCacher();
  const int64_t r1 = Put({.name = "a"});
  const int64_t r2 = Put({.name = "b"});
  const int64_t r3 = Put({.name = "a", .phase = "Running"});
  const int64_t r4 = Delete("default", "b");
  Sync();
  RecordingSink sink;
  auto handle = WatchOrDie({.start_revision = r1}, &sink);
  const int64_t r5 = Put({.name = "c"});
  ASSERT_TRUE(sink.WaitForRevision(r5));
  std::vector<Received> ev = sink.events();
  ASSERT_EQ(ev.size(), 4u);
  ExpectEvent(ev[0], EventType::kAdded, PodKey("default", "b"), r2);
  ExpectEvent(ev[1], EventType::kModified, PodKey("default", "a"), r3);
  ExpectEvent(ev[2], EventType::kDeleted, PodKey("default", "b"), r4);
  ExpectEvent(ev[3], EventType::kAdded, PodKey("default", "c"), r5);
}

TEST_F(CacherWatchTest, WatchNewerThanTheCacheDeliversOnlyLaterChanges) {
  StartCacher();
  const int64_t r = Put({.name = "a"});
  Sync();
  RecordingSink sink;
  auto handle = WatchOrDie({.start_revision = r + 2}, &sink);
  Put({.name = "b"});
  Put({.name = "c"});
  const int64_t rd = Put({.name = "d"});
  ASSERT_TRUE(sink.WaitForRevision(rd));
  std::vector<Received> ev = sink.events();
  ASSERT_EQ(ev.size(), 1u);
  ExpectEvent(ev[0], EventType::kAdded, PodKey("default", "d"), rd);
}

TEST_F(CacherWatchTest, WatchOlderThanTheRingIsServedFromTheStoreHistory) {
  StartCacherKeeping(3);
  Put({.name = "z"});  // so that r0 - 1 is a revision, not "from now"
  const int64_t r0 = Put({.name = "a", .labels = {{"app", "web"}}});
  std::vector<int64_t> revs;
  for (int i = 0; i < 8; ++i) revs.push_back(Put({.name = "b" + std::to_string(i)}));
  const int64_t leave = Put({.name = "a", .labels = {{"app", "db"}}});
  Sync();

  RecordingSink all;
  RecordingSink web;
  auto h1 = WatchOrDie({.start_revision = r0}, &all);
  auto h2 = WatchOrDie({.labels = Labels("app=web"), .start_revision = r0 - 1}, &web);
  const int64_t live = Put({.name = "c", .labels = {{"app", "web"}}});
  ASSERT_TRUE(all.WaitForRevision(live));
  ASSERT_TRUE(web.WaitForRevision(live));

  std::vector<Received> ev = all.events();
  ASSERT_EQ(ev.size(), 10u);
  for (int i = 0; i < 8; ++i) ExpectEvent(ev[i], EventType::kAdded, PodKey("default", "b" + std::to_string(i)), revs[i]);
  ExpectEvent(ev[8], EventType::kModified, PodKey("default", "a"), leave);
  ExpectEvent(ev[9], EventType::kAdded, PodKey("default", "c"), live);

  // Selectors apply to the store's history too: a enters, then leaves (DELETED with its old
  // labels at the leaving revision).
  std::vector<Received> w = web.events();
  ASSERT_EQ(w.size(), 3u);
  ExpectEvent(w[0], EventType::kAdded, PodKey("default", "a"), r0);
  ExpectEvent(w[1], EventType::kDeleted, PodKey("default", "a"), leave);
  EXPECT_EQ(w[1].object->labels.at("app"), "web");
  ExpectEvent(w[2], EventType::kAdded, PodKey("default", "c"), live);
}

TEST_F(CacherWatchTest, WatchOlderThanTheStoreHistoryIsOutOfRange) {
  StartCacherKeeping(3);
  const int64_t r0 = Put({.name = "a"});
  for (int i = 0; i < 8; ++i) Put({.name = "a", .phase = "P" + std::to_string(i)});
  Sync();
  ASSERT_TRUE(store_->Compact(*store_->CurrentRevision()).ok());

  RecordingSink sink;
  absl::StatusOr<std::unique_ptr<WatchHandle>> h = cacher_->Watch({.start_revision = r0}, &sink);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), absl::StatusCode::kOutOfRange);
  // Upstream's wording, with the oldest revision a watch can still resume from (the ring holds
  // the last 3 of 9 writes).
  EXPECT_EQ(h.status().message(),
            "too old resource version: " + std::to_string(r0) + " (" + std::to_string(r0 + 5) + ")");
  // The newest revisions are still in the ring.
  auto ok = WatchOrDie({.start_revision = r0 + 6}, &sink);
  EXPECT_NE(ok, nullptr);
}

TEST_F(CacherWatchTest, SelectorEnterAndLeaveBecomeAddedAndDeleted) {
  Put({.name = "p", .labels = {{"app", "web"}}});
  StartCacher();
  RecordingSink everything;  // also the barrier: the dispatcher has handled what it has seen
  RecordingSink on_n1;
  RecordingSink front;
  auto h0 = WatchOrDie({}, &everything);
  auto h1 = WatchOrDie({.fields = Fields("spec.nodeName=n1")}, &on_n1);
  auto h2 = WatchOrDie({.labels = Labels("app=web,tier=front")}, &front);

  const int64_t r1 = Put({.name = "p", .labels = {{"app", "web"}}, .node = "n1"});
  const int64_t r2 = Put({.name = "p", .labels = {{"app", "web"}}, .node = "n1", .phase = "Running"});
  const int64_t r3 = Put({.name = "p", .labels = {{"app", "web"}}, .node = "n2", .phase = "Running"});
  const int64_t r4 = Put({.name = "p", .labels = {{"app", "web"}, {"tier", "front"}}, .node = "n2"});
  const int64_t r5 = Put({.name = "p", .labels = {{"app", "web"}}, .node = "n2"});
  const int64_t r6 = Put({.name = "p", .labels = {{"app", "web"}}, .node = "n3"});
  ASSERT_TRUE(everything.WaitForRevision(r6));
  EXPECT_EQ(everything.events().size(), 7u);

  std::vector<Received> n1 = on_n1.events();
  ASSERT_EQ(n1.size(), 3u);
  ExpectEvent(n1[0], EventType::kAdded, PodKey("default", "p"), r1);
  ExpectEvent(n1[1], EventType::kModified, PodKey("default", "p"), r2);
  // Leaving: the old state (still on n1, Running) at the revision it left.
  ExpectEvent(n1[2], EventType::kDeleted, PodKey("default", "p"), r3);
  EXPECT_EQ(n1[2].object->fields.at("spec.nodeName"), "n1");
  EXPECT_EQ(n1[2].object->object->GetString({"spec", "nodeName"}), "n1");
  EXPECT_NE(n1[2].object->json.find("\"resourceVersion\":\"" + std::to_string(r3) + "\""), std::string::npos);

  std::vector<Received> f = front.events();
  ASSERT_EQ(f.size(), 2u);
  ExpectEvent(f[0], EventType::kAdded, PodKey("default", "p"), r4);
  ExpectEvent(f[1], EventType::kDeleted, PodKey("default", "p"), r5);
  EXPECT_EQ(f[1].object->labels.at("tier"), "front");
}

TEST_F(CacherWatchTest, BookmarksFollowTheClockOnlyForWatchersThatAskForThem) {
  CacherOptions o = Options();
  o.bookmark_interval = absl::Minutes(1);
  StartCacher(std::move(o));
  Put({.name = "a"});
  RecordingSink with;
  RecordingSink without;
  auto h1 = WatchOrDie({.allow_bookmarks = true}, &with);
  auto h2 = WatchOrDie({}, &without);
  ASSERT_TRUE(with.WaitForCount(1));
  ASSERT_TRUE(without.WaitForCount(1));

  clock_.Advance(absl::Seconds(59));
  const int64_t rb = Put({.name = "b"});
  ASSERT_TRUE(with.WaitForRevision(rb));
  ASSERT_EQ(with.events().size(), 2u);  // not due yet

  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(with.WaitForCount(3));
  Received bm = with.events()[2];
  EXPECT_EQ(bm.type, EventType::kBookmark);
  EXPECT_EQ(bm.revision, rb);
  EXPECT_EQ(bm.object, nullptr);
  EXPECT_FALSE(bm.initial_events_end);

  // A write to another resource moves the store's progress, and with it the next bookmark.
  const int64_t other = store_->Create("/registry/services/default/s", "{}").value().revision;
  ASSERT_TRUE(cacher_->WaitForRevision(other, testing::kWait).ok());
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(with.WaitForCount(4));
  EXPECT_EQ(with.events()[3].type, EventType::kBookmark);
  EXPECT_EQ(with.events()[3].revision, other);

  const int64_t rc = Put({.name = "c"});
  ASSERT_TRUE(without.WaitForRevision(rc));
  for (const Received& e : without.events()) EXPECT_NE(e.type, EventType::kBookmark);
}

TEST_F(CacherWatchTest, SendInitialEventsEndsWithTheInitialEventsEndBookmark) {
  Put({.name = "a", .labels = {{"app", "web"}}});
  Put({.name = "b", .labels = {{"app", "db"}}});
  const int64_t rc = Put({.name = "c", .labels = {{"app", "web"}}});
  StartCacher();
  for (int64_t start : {int64_t{0}, rc - 1}) {
    RecordingSink sink;
    auto h = WatchOrDie({.labels = Labels("app=web"), .start_revision = start, .send_initial_events = true,
                         .allow_bookmarks = true}, &sink);
    ASSERT_TRUE(sink.WaitForCount(3));
    std::vector<Received> ev = sink.events();
    ExpectEvent(ev[0], EventType::kAdded, PodKey("default", "a"), 1);
    ExpectEvent(ev[1], EventType::kAdded, PodKey("default", "c"), rc);
    EXPECT_EQ(ev[2].type, EventType::kBookmark);
    EXPECT_TRUE(ev[2].initial_events_end);
    EXPECT_EQ(ev[2].revision, rc);
  }
  RecordingSink sink;
  auto h = WatchOrDie({.send_initial_events = true}, &sink);
  ASSERT_TRUE(sink.WaitForCount(4));
  const int64_t rd = Put({.name = "d"});
  ASSERT_TRUE(sink.WaitForRevision(rd));
  std::vector<Received> ev = sink.events();
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_TRUE(ev[3].initial_events_end);
  ExpectEvent(ev[4], EventType::kAdded, PodKey("default", "d"), rd);
}

TEST_F(CacherWatchTest, StopEndsEveryWatchWithOnClosed) {
  StartCacherKeeping(2);
  const int64_t r0 = Put({.name = "a"});
  for (int i = 0; i < 5; ++i) Put({.name = "b" + std::to_string(i)});
  Sync();
  RecordingSink cached;
  RecordingSink from_store;
  auto h1 = WatchOrDie({}, &cached);
  auto h2 = WatchOrDie({.start_revision = r0}, &from_store);
  ASSERT_TRUE(cached.WaitForCount(6));
  ASSERT_TRUE(from_store.WaitForCount(5));
  cacher_->Stop();
  // A clean end, as upstream's: the client resumes elsewhere from its last revision.
  ASSERT_TRUE(cached.closed().has_value());
  EXPECT_TRUE(cached.closed()->ok()) << *cached.closed();
  ASSERT_TRUE(from_store.closed().has_value());
  EXPECT_TRUE(from_store.closed()->ok()) << *from_store.closed();
  // Handles outliving Stop are harmless.
  h1.reset();
  h2.reset();
}

}  // namespace
}  // namespace cubelet::storage::cacher::testing
