#include "config/http_source.h"

#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/manifest_server.h"
#include "config/pod_config.h"
#include "static_pods/manifest.h"
#include "static_pods/manifest_directory.h"
#include "testutil/golden_manifests.h"

namespace cubelet::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kWeb = cubelet::testing::kGoldenWebManifest;

std::string PodJson(const std::string& name, const std::string& image = "localhost/cubelet/testimage:1.0") {
  return StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")", name, R"("},"spec":{"containers":[{"name":"c","image":")", image,
                R"("}]}})");
}

class HttpSourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpSource> Source(std::map<std::string, std::vector<std::string>> header = {}) {
    auto source = HttpSource::Create({.url = server_.Url(), .header = std::move(header), .node_name = "Node-A",
                                      .timeout = absl::Seconds(5)},
                                     Logger(sink_, 0, &clock_), &timers_,
                                     [this](PodUpdate u) { updates_.push_back(std::move(u)); });
    EXPECT_TRUE(source.ok()) << source.status();
    return *std::move(source);
  }
  std::vector<std::string> LastSetNames() const {
    std::vector<std::string> out;
    if (updates_.empty()) return {"<no update>"};
    EXPECT_EQ(updates_.back().op, PodOperation::kSet);
    EXPECT_EQ(updates_.back().source, "http");
    for (const auto& p : updates_.back().pods) out.push_back(p->metadata.name);
    return out;
  }

  ManifestServer server_;
  FakeClock clock_;
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
  TimerQueue timers_{&clock_, Logger(sink_, 0, &clock_)};
  std::vector<PodUpdate> updates_;
};

TEST_F(HttpSourceTest, StartPollsAtOnceThenEveryHttpCheckFrequencyOnTheTimerQueue) {
  server_.Serve(kWeb);
  auto source = Source();  // httpCheckFrequency 20 s, the default
  source->Start();
  timers_.AwaitIdle();
  EXPECT_THAT(LastSetNames(), ElementsAre("web-node-a"));
  EXPECT_EQ(server_.Requests().size(), 1u);

  clock_.Advance(absl::Seconds(19));
  timers_.AwaitIdle();
  EXPECT_EQ(server_.Requests().size(), 1u) << "polled before httpCheckFrequency";
  server_.Serve(PodJson("db"));
  clock_.Advance(absl::Seconds(1));
  timers_.AwaitIdle();
  EXPECT_EQ(server_.Requests().size(), 2u);
  EXPECT_THAT(LastSetNames(), ElementsAre("db-node-a"));

  source.reset();  // stops the schedule
  clock_.Advance(absl::Seconds(60));
  timers_.AwaitIdle();
  EXPECT_EQ(server_.Requests().size(), 2u) << "polled after the source was destroyed";
}

TEST_F(HttpSourceTest, OnePodIsASetWithUpstreamsIdentityForAUrl) {
  server_.Serve(kWeb);
  auto source = Source();
  ASSERT_TRUE(source->Poll().ok());
  ASSERT_THAT(LastSetNames(), ElementsAre("web-node-a"));
  const api::Pod& pod = *updates_.back().pods[0];
  EXPECT_EQ(pod.metadata.namespace_, "default");
  EXPECT_EQ(pod.spec.node_name, "Node-A");
  EXPECT_EQ(pod.metadata.annotations.at("kubernetes.io/config.source"), "http");
  EXPECT_EQ(pod.metadata.annotations.at("kubernetes.io/config.hash"), pod.metadata.uid);
  // The UID hashes the pod and "url:<url>", as upstream's applyDefaults for the http source.
  auto as_url = static_pods::ParseStaticPodManifest(
      kWeb, static_pods::ManifestSource{static_pods::ManifestSource::Kind::kHttp, server_.Url()}, "Node-A");
  ASSERT_TRUE(as_url.ok()) << as_url.status();
  EXPECT_EQ(pod.metadata.uid, as_url->metadata.uid);
  EXPECT_NE(pod.metadata.uid, static_pods::ParseStaticPodManifest(kWeb, server_.Url(), "Node-A")->metadata.uid)
      << "a file at a path spelled like the URL is another pod";
}

TEST_F(HttpSourceTest, APodListIsOneSetAndABadPodInItIsSkippedAndNamed) {
  server_.Serve(StrCat(R"({"apiVersion":"v1","kind":"PodList","items":[)", PodJson("a"), ",", PodJson("bad", ""), ",",
                       PodJson("c"), "]}"));
  auto source = Source();
  ASSERT_TRUE(source->Poll().ok());
  EXPECT_THAT(LastSetNames(), ElementsAre("a-node-a", "c-node-a"));
  EXPECT_EQ(sink_->Count("Could not process pod from manifest URL"), 1);
  EXPECT_EQ(sink_->Count(StrCat(server_.Url(), R"(: items[1] (pod \"bad\"): spec.containers[0].image: Required value)")), 1)
      << ::testing::PrintToString(sink_->Lines());
  // Unchanged: no update, and the bad pod is not reported again.
  ASSERT_TRUE(source->Poll().ok());
  EXPECT_EQ(updates_.size(), 1u);
  EXPECT_EQ(sink_->Count("Could not process pod from manifest URL"), 1);
}

TEST_F(HttpSourceTest, APodListInYamlIsRead) {
  server_.Serve("apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: yaml}\n  spec:\n    containers:\n"
                "    - {name: c, image: 'i:1'}\n");
  auto source = Source();
  ASSERT_TRUE(source->Poll().ok());
  EXPECT_THAT(LastSetNames(), ElementsAre("yaml-node-a"));
}

TEST_F(HttpSourceTest, SendsEveryConfiguredHeaderValueInOrder) {
  server_.Serve(kWeb);
  auto source = Source({{"a", {"hello"}}, {"b", {"again", "beautiful"}}});
  ASSERT_TRUE(source->Poll().ok());
  auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  auto values = [&](const std::string& name) {
    std::vector<std::string> out;
    auto [begin, end] = requests[0].equal_range(name);
    for (auto it = begin; it != end; ++it) out.push_back(it->second);
    return out;
  };
  EXPECT_THAT(values("a"), ElementsAre("hello"));
  EXPECT_THAT(values("b"), ElementsAre("again", "beautiful"));
}

TEST_F(HttpSourceTest, AServerErrorOrAnUnreachableServerKeepsTheLastSet) {
  server_.Serve(kWeb);
  auto source = Source();
  ASSERT_TRUE(source->Poll().ok());
  ASSERT_EQ(updates_.size(), 1u);

  server_.Serve("oops", 500);
  absl::Status failed = source->Poll();
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.message()), HasSubstr(StrCat(server_.Url(), ": 500")));
  EXPECT_EQ(updates_.size(), 1u) << "no update: the pods keep running";
  EXPECT_EQ(sink_->Count("Failed to read pods from URL"), 1);

  // The same body as before the error is still the same: nothing to deliver.
  server_.Serve(kWeb);
  EXPECT_TRUE(source->Poll().ok());
  EXPECT_EQ(updates_.size(), 1u);
  EXPECT_EQ(sink_->Count("Successfully read pods from URL"), 1);

  server_.Stop();
  absl::Status unreachable = source->Poll();
  EXPECT_EQ(std::string(unreachable.message()), StrCat("Get \"", server_.Url(), "\": could not connect (Connection)"));
  EXPECT_EQ(updates_.size(), 1u);
}

TEST_F(HttpSourceTest, FailuresAreLoggedThreeTimesThenQuietly) {
  server_.Serve("", 503);
  auto source = Source();
  for (int i = 0; i < 6; ++i) EXPECT_FALSE(source->Poll().ok());
  EXPECT_EQ(sink_->Count("Failed to read pods from URL"), 4);  // 3, then the one saying it goes quiet
  EXPECT_EQ(sink_->Count("Dropping verbosity of this message to V(4)"), 1);
  EXPECT_THAT(updates_, IsEmpty());
}

TEST_F(HttpSourceTest, AChangedBodyIsANewSetAndAnEmptyBodyIsAnEmptySet) {
  server_.Serve(PodJson("a"));
  auto source = Source();
  ASSERT_TRUE(source->Poll().ok());
  server_.Serve(PodJson("a", "other:2"));
  ASSERT_TRUE(source->Poll().ok());
  ASSERT_EQ(updates_.size(), 2u);
  EXPECT_EQ(updates_[1].pods[0]->spec.containers[0].image, "other:2");
  server_.Serve("");
  ASSERT_TRUE(source->Poll().ok());
  ASSERT_EQ(updates_.size(), 3u);
  EXPECT_THAT(LastSetNames(), IsEmpty());
  // After an empty answer the earlier body is delivered again.
  server_.Serve(PodJson("a", "other:2"));
  ASSERT_TRUE(source->Poll().ok());
  EXPECT_THAT(LastSetNames(), ElementsAre("a-node-a"));
}

TEST_F(HttpSourceTest, ABodyThatIsNotPodsKeepsTheLastSetAndSaysWhy) {
  server_.Serve(PodJson("a"));
  auto source = Source();
  ASSERT_TRUE(source->Poll().ok());
  server_.Serve(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"}})");
  absl::Status wrong_kind = source->Poll();
  EXPECT_EQ(std::string(wrong_kind.message()),
            StrCat(server_.Url(), R"(: kind: Unsupported value: "Service": supported values: "Pod", "PodList")"));
  // A single pod that is invalid is not an empty set either.
  server_.Serve(PodJson("a", ""));
  absl::Status invalid = source->Poll();
  EXPECT_THAT(std::string(invalid.message()), HasSubstr("spec.containers[0].image: Required value"));
  EXPECT_EQ(updates_.size(), 1u);
  // Refused again while unchanged (and still counted as a failure).
  EXPECT_EQ(source->Poll(), invalid);
}

// The body limit is the manifest file limit (10 MiB): a body of exactly that size is read, one
// byte more is refused and the last set kept.
TEST_F(HttpSourceTest, ABodyAtTheSizeLimitIsReadAndOneByteMoreIsRefused) {
  auto padded = [](size_t size) {
    std::string body = StrCat(kWeb, "# ");
    body.append(size - body.size() - 1, 'x');
    body.push_back('\n');
    return body;
  };
  auto source = Source();
  server_.Serve(padded(static_pods::kMaxManifestBytes));
  ASSERT_TRUE(source->Poll().ok());
  EXPECT_THAT(LastSetNames(), ElementsAre("web-node-a"));
  server_.Serve(padded(static_pods::kMaxManifestBytes + 1));
  absl::Status over = source->Poll();
  EXPECT_THAT(std::string(over.message()), HasSubstr("larger than the 10 MiB limit"));
  EXPECT_EQ(updates_.size(), 1u) << "the last set was replaced";
}

TEST_F(HttpSourceTest, ThroughPodConfigAnEditedPodIsANewPodUnlessItNamesItsUid) {
  std::vector<std::string> ops;
  PodConfig config(&clock_, Logger(sink_, 0, &clock_), [&](const PodUpdate& u) {
    for (const auto& p : u.pods) ops.push_back(StrCat(OperationName(u.op), " ", p->metadata.name));
  });
  server_.Serve(PodJson("a"));
  auto created = HttpSource::Create({.url = server_.Url(), .node_name = "n"}, Logger(sink_, 0, &clock_), &timers_,
                                    config.Channel(kHttpSource));
  ASSERT_TRUE(created.ok());
  HttpSource& source = **created;
  EXPECT_FALSE(config.SeenAllSources());
  ASSERT_TRUE(source.Poll().ok());
  EXPECT_TRUE(config.SeenAllSources());
  server_.Serve(StrCat(R"({"metadata":{"name":"a","labels":{"v":"2"}},"apiVersion":"v1","kind":"Pod",)",
                       R"("spec":{"containers":[{"name":"c","image":"localhost/cubelet/testimage:1.0"}]}})"));
  ASSERT_TRUE(source.Poll().ok());
  EXPECT_THAT(ops, ElementsAre("ADD a-n", "REMOVE a-n", "ADD a-n"))
      << "the UID hashes the pod's content: an edited pod is a new pod, as for files";

  // A manifest that names its UID keeps it: an edit is an UPDATE, an unchanged body nothing.
  ops.clear();
  auto with_uid = [](const std::string& image) {
    return StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","uid":"fixed-uid"},)",
                  R"("spec":{"containers":[{"name":"c","image":")", image, R"("}]}})");
  };
  server_.Serve(with_uid("i:1"));
  ASSERT_TRUE(source.Poll().ok());
  server_.Serve(with_uid("i:2"));
  ASSERT_TRUE(source.Poll().ok());
  ASSERT_TRUE(source.Poll().ok());
  EXPECT_THAT(ops, ElementsAre("REMOVE a-n", "ADD a-n", "UPDATE a-n"));
}

// Redirects are followed only on the same origin: the request carries --manifest-url-header
// values, which must never reach another host.
TEST(HttpSourceRedirectTest, FollowsSameOriginRedirectsAndRefusesOthersWithoutSendingTheHeaders) {
  ManifestServer elsewhere;  // another port: another origin
  elsewhere.Serve(kWeb);
  httplib::Server server;
  server.Get("/pods", [](const httplib::Request&, httplib::Response& res) { res.set_content(kWeb, "application/yaml"); });
  server.Get("/moved", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/pods"); });
  server.Get("/away", [&](const httplib::Request&, httplib::Response& res) { res.set_redirect(elsewhere.Url()); });
  LoopbackListener listener(server);
  const int port = listener.port();

  FakeClock clock;
  Logger log(std::make_shared<CapturingLogSink>(), 0, &clock);
  TimerQueue timers(&clock, log);
  std::vector<PodUpdate> updates;
  auto source = [&](const std::string& path) {
    auto s = HttpSource::Create({.url = StrCat("http://127.0.0.1:", port, path),
                                 .header = {{"Authorization", {"Bearer secret"}}},
                                 .node_name = "n"},
                                log, &timers, [&](PodUpdate u) { updates.push_back(std::move(u)); });
    EXPECT_TRUE(s.ok()) << s.status();
    return *std::move(s);
  };
  EXPECT_TRUE(source("/moved")->Poll().ok());
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].pods.size(), 1u);

  absl::Status away = source("/away")->Poll();
  EXPECT_THAT(std::string(away.message()), HasSubstr("not on the same scheme, host and port"));
  EXPECT_TRUE(elsewhere.Requests().empty()) << "the headers were sent to another origin";
  EXPECT_EQ(updates.size(), 1u);
  listener.Stop();
}

// A chain of redirects on the same origin: 10 are followed, as Go's client does; the 11th is an
// error and nothing is delivered.
TEST(HttpSourceRedirectTest, FollowsAtMostTenRedirects) {
  httplib::Server server;
  server.Get(R"(/r/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    const int n = std::stoi(req.matches[1]);
    if (n == 0) {
      res.set_content(kWeb, "application/yaml");
    } else {
      res.set_redirect(StrCat("/r/", n - 1));
    }
  });
  LoopbackListener listener(server);
  const int port = listener.port();

  FakeClock clock;
  Logger log(std::make_shared<CapturingLogSink>(), 0, &clock);
  TimerQueue timers(&clock, log);
  int delivered = 0;
  auto poll = [&](int redirects) {
    auto s = HttpSource::Create({.url = StrCat("http://127.0.0.1:", port, "/r/", redirects), .node_name = "n"}, log,
                                &timers, [&](PodUpdate) { ++delivered; });
    EXPECT_TRUE(s.ok()) << s.status();
    return (*s)->Poll();
  };
  EXPECT_TRUE(poll(10).ok());
  EXPECT_EQ(delivered, 1);
  absl::Status eleven = poll(11);
  EXPECT_THAT(std::string(eleven.message()), HasSubstr("stopped after 10 redirects"));
  EXPECT_EQ(delivered, 1);
  listener.Stop();
}

TEST(HttpSourceCreateTest, RefusesUrlsItCannotFetch) {
  FakeClock clock;
  Logger log(std::make_shared<CapturingLogSink>(), 0, &clock);
  TimerQueue timers(&clock, log);
  auto error = [&](const std::string& url) {
    auto s = HttpSource::Create({.url = url}, log, &timers, [](PodUpdate) {});
    EXPECT_FALSE(s.ok()) << url;
    return std::string(s.status().message());
  };
  EXPECT_EQ(error("ftp://host/pods"),
            R"(manifest URL "ftp://host/pods": unsupported scheme "ftp": supported schemes: "http", "https")");
  EXPECT_EQ(error("host/pods"), R"(manifest URL "host/pods": must be an absolute http:// or https:// URL)");
  EXPECT_EQ(error("http:///pods"), R"(manifest URL "http:///pods": missing host)");
  EXPECT_EQ(error("http://host:99999/"),
            R"(manifest URL "http://host:99999/": invalid port "99999": must be between 1 and 65535, inclusive)");
  // Past int and int64: refused with the same message, never an exception from a number parser.
  EXPECT_EQ(error("http://host:99999999999999999999999/"),
            R"(manifest URL "http://host:99999999999999999999999/": invalid port "99999999999999999999999": must be between 1 and 65535, inclusive)");
  EXPECT_EQ(error("http://host:0/"), R"(manifest URL "http://host:0/": invalid port "0": must be between 1 and 65535, inclusive)");
  EXPECT_EQ(error("http://host:+80/"), R"(manifest URL "http://host:+80/": invalid port "+80": must be a number)");
  EXPECT_EQ(error("http://host:/"), R"(manifest URL "http://host:/": invalid port "": must be a number)");
  EXPECT_TRUE(HttpSource::Create({.url = "http://host:65535/"}, log, &timers, [](PodUpdate) {}).ok());
  EXPECT_TRUE(HttpSource::Create({.url = "http://host:00080/"}, log, &timers, [](PodUpdate) {}).ok());
  EXPECT_THAT(error("https://user:pw@host/"), HasSubstr("credentials in the URL are not supported"));
  EXPECT_TRUE(HttpSource::Create({.url = "https://[::1]:8443/pods?node=a#x"}, log, &timers, [](PodUpdate) {}).ok());
  EXPECT_TRUE(HttpSource::Create({.url = "HTTP://example.com"}, log, &timers, [](PodUpdate) {}).ok());
}

}  // namespace
}  // namespace cubelet::config
