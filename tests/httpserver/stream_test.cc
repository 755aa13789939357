// Streamed (chunked) responses: incremental delivery, client disconnects, slow clients, Stop
// with streams still held by other threads, and a thousand streams at once.
#include <atomic>
#include <malloc.h>

#include <fstream>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httpserver/server_fixture.h"
#include "httpserver/stream_collector.h"

namespace cubelet::httpserver::testing {
namespace {

using ::testing::HasSubstr;

// Heap bytes in use (glibc), to tell the server's share of memory from the test clients'.
long HeapInUse() { return static_cast<long>(mallinfo2().uordblks); }

TEST_F(HttpServerTest, StreamIsReceivedIncrementallyAndConnectionIsReusedAfterFinish) {
  auto collector = std::make_shared<StreamCollector>();
  StartServer(Options(), StreamCollector::NewHandler(collector));
  // The status line and headers come before any event.
  auto client = ConnectToStream(*collector, "/watch");
  ASSERT_NE(client, nullptr);
  ParsedResponse r = ParseResponse(client->received());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_TRUE(r.chunks.empty());

  std::shared_ptr<Stream> stream = collector->Find("/watch");
  EXPECT_TRUE(stream->Write(std::string(R"({"type":"ADDED"})" "\n")));
  ASSERT_TRUE(client->ReadUntil([](const std::string& s) { return ParseResponse(s).chunks.size() == 1; },
                                absl::Seconds(30)));
  EXPECT_TRUE(stream->Write(std::make_shared<const std::string>(R"({"type":"MODIFIED"})" "\n")));
  EXPECT_TRUE(stream->Write(std::string()));  // nothing to send; not the end of the body
  ASSERT_TRUE(client->ReadUntil([](const std::string& s) { return ParseResponse(s).chunks.size() == 2; },
                                absl::Seconds(30)));
  r = ParseResponse(client->received());
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.chunks[1], R"({"type":"MODIFIED"})" "\n");

  stream->Finish();
  EXPECT_TRUE(stream->closed());
  EXPECT_FALSE(stream->Write(std::string("late")));
  ASSERT_TRUE(client->ReadUntil([](const std::string& s) { return ParseResponse(s).complete; }, absl::Seconds(30)));

  // Keep-alive: the same connection serves the next request.
  client->received().clear();
  ASSERT_TRUE(client->Send(GetRequest("/watch-again")));
  ASSERT_TRUE(collector->AwaitStreams(2));
  collector->Find("/watch-again")->Finish();
  ASSERT_TRUE(client->ReadUntil([](const std::string& s) { return ParseResponse(s).complete; }, absl::Seconds(30)));
  EXPECT_FALSE(client->closed());
  EXPECT_EQ(collector->closed(), 0);  // Finish is not a close
}

TEST_F(HttpServerTest, RequestsPipelinedBehindAStreamAreServedAfterItsFinish) {
  auto collector = std::make_shared<StreamCollector>();
  StartServer(Options(), StreamCollector::NewHandler(collector));
  auto client = Connect();
  ASSERT_NE(client, nullptr);

  // The second request arrives with the first; the third while the second's stream is open.
  ASSERT_TRUE(client->Send(GetRequest("/first") + GetRequest("/second")));
  ASSERT_TRUE(collector->AwaitStreams(1));
  EXPECT_FALSE(collector->AwaitStreams(2, absl::Milliseconds(100)));  // one request at a time
  collector->Find("/first")->Finish();
  ASSERT_TRUE(collector->AwaitStreams(2));
  ASSERT_TRUE(client->Send(GetRequest("/third")));
  ASSERT_TRUE(collector->Find("/second")->Write(std::string("two")));
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponses(r).size() == 1; }, absl::Seconds(30)));
  collector->Find("/second")->Finish();
  ASSERT_TRUE(collector->AwaitStreams(3));
  collector->Find("/third")->Finish();
  ASSERT_TRUE(client->ReadUntil([](const std::string& r) { return ParseResponses(r).size() == 3; }, absl::Seconds(30)));
  EXPECT_EQ(ParseResponses(client->received())[1].body, "two");

  // The connection is still watched for the client leaving, with a read outstanding since the
  // second stream.
  ASSERT_TRUE(client->Send(GetRequest("/fourth")));
  ASSERT_TRUE(collector->AwaitStreams(4));
  client->Close();
  ASSERT_TRUE(collector->AwaitClosed(1));
  EXPECT_TRUE(collector->Find("/fourth")->closed());
}

TEST_F(HttpServerTest, ClientDisconnectRunsOnCloseWhileStreamIsIdle) {
  auto collector = std::make_shared<StreamCollector>();
  StartServer(Options(), StreamCollector::NewHandler(collector));
  auto client = ConnectToStream(*collector, "/watch");
  ASSERT_NE(client, nullptr);

  client->Close();  // the server has nothing to write; it must notice anyway

  ASSERT_TRUE(collector->AwaitClosed(1));
  std::shared_ptr<Stream> stream = collector->Find("/watch");
  EXPECT_TRUE(stream->closed());
  EXPECT_FALSE(stream->Write(std::string("nobody listens")));
}

TEST_F(HttpServerTest, SlowClientIsDroppedWhileFastClientKeepsReceiving) {
  auto collector = std::make_shared<StreamCollector>();
  ServerOptions options = Options();
  options.stream_buffer_bytes = 256 << 10;
  StartServer(options, StreamCollector::NewHandler(collector));
  auto slow = Connect(ClientContext("", "", 16 << 10));
  auto fast = Connect();
  ASSERT_NE(slow, nullptr);
  ASSERT_NE(fast, nullptr);
  ASSERT_TRUE(slow->Send(GetRequest("/slow")));
  ASSERT_TRUE(fast->Send(GetRequest("/fast")));
  ASSERT_TRUE(collector->AwaitStreams(2));
  std::shared_ptr<Stream> slow_stream = collector->Find("/slow");
  std::shared_ptr<Stream> fast_stream = collector->Find("/fast");

  // The fast client reads all the time on its own thread.
  std::atomic<size_t> fast_received{0};
  std::jthread reader([&] {
    fast->ReadUntil(
        [&](const std::string& r) {
          fast_received = r.size();
          return r.find("END-MARKER") != std::string::npos;
        },
        absl::Seconds(300));
    fast_received = fast->received().size();
  });

  constexpr size_t kChunk = 16 << 10;
  auto chunk = std::make_shared<const std::string>(kChunk, 'z');
  size_t writes = 0;
  bool fast_kept_up = true;
  // The slow client never reads, so its queue must pass 256 KiB once the kernel's buffers are
  // full (a few MiB at most). The fast stream is fed only as fast as its reader takes it, so its
  // queue stays far below the limit however the machine schedules the threads.
  while (slow_stream->Write(chunk) && writes < 50000) {
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (fast_received.load() + 4 * kChunk < writes * kChunk && absl::Now() < deadline) {
      absl::SleepFor(absl::Microseconds(200));
    }
    if (!fast_stream->Write(chunk)) {
      fast_kept_up = false;
      break;
    }
    ++writes;
  }
  EXPECT_TRUE(fast_kept_up);
  EXPECT_LT(writes, 50000u) << "the slow client was never dropped";
  EXPECT_TRUE(slow_stream->closed());
  ASSERT_TRUE(collector->AwaitClosed(1));
  EXPECT_FALSE(fast_stream->closed());
  EXPECT_TRUE(slow->WaitForClose(absl::Seconds(60)));

  // The fast client still gets everything, in order, after the slow one is gone.
  EXPECT_TRUE(fast_stream->Write(std::string("END-MARKER")));
  reader.join();
  const ParsedResponse r = ParseResponse(fast->received());
  ASSERT_FALSE(r.chunks.empty());
  EXPECT_EQ(r.chunks.back(), "END-MARKER");
  EXPECT_EQ(r.body.size(), writes * kChunk + std::string_view("END-MARKER").size());
  EXPECT_EQ(collector->closed(), 1);
  EXPECT_GE(log_sink_->Count("too slow"), 1);
}

TEST_F(HttpServerTest, StopClosesStreamsThatOtherThreadsStillHold) {
  auto collector = std::make_shared<StreamCollector>();
  StartServer(Options(), StreamCollector::NewHandler(collector));
  std::vector<std::unique_ptr<TlsTestClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(Connect());
    ASSERT_NE(clients.back(), nullptr);
    ASSERT_TRUE(clients.back()->Send(GetRequest(StrCat("/watch/", i))));
  }
  // Two requests whose handlers keep their Responder unanswered.
  auto holder = Connect();
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Send(GetRequest("/hold")));
  auto holder2 = Connect();
  ASSERT_NE(holder2, nullptr);
  ASSERT_TRUE(holder2->Send(GetRequest("/hold")));
  ASSERT_TRUE(collector->AwaitStreams(3));
  ASSERT_TRUE(collector->AwaitHeld(2));
  std::vector<std::shared_ptr<Stream>> streams = collector->All();

  // Another thread writes until its streams refuse.
  std::atomic<bool> writer_done{false};
  std::jthread writer([&] {
    auto event = std::make_shared<const std::string>("{\"type\":\"MODIFIED\"}\n");
    for (;;) {
      bool any = false;
      for (const auto& s : streams) any = s->Write(event) || any;
      if (!any) break;
      absl::SleepFor(absl::Milliseconds(1));
    }
    writer_done = true;
  });

  absl::SleepFor(absl::Milliseconds(50));
  server_->Stop();
  EXPECT_EQ(collector->closed(), 3);  // OnClose ran for every open stream, before Stop returned
  writer.join();
  EXPECT_TRUE(writer_done);
  for (auto& client : clients) EXPECT_TRUE(client->WaitForClose(absl::Seconds(30)));

  // The server is gone; handles kept by other threads stay safe to use.
  server_.reset();
  std::vector<std::shared_ptr<Responder>> held = collector->TakeHeld();
  held[0]->Send({.status = 200, .headers = {}, .body = "too late"});
  std::shared_ptr<Stream> late = held[1]->StartStream(200, {});
  EXPECT_TRUE(late->closed());
  EXPECT_FALSE(late->Write(std::string("x")));
  bool late_closed = false;
  late->OnClose([&] { late_closed = true; });
  EXPECT_TRUE(late_closed);  // closed before the callback was set: it runs at once
  for (const auto& s : streams) {
    EXPECT_FALSE(s->Write(std::string("after stop")));
    s->Finish();
  }
  held.clear();
  streams.clear();
}

TEST_F(HttpServerTest, ThousandConcurrentStreamsReceiveABroadcast) {
  constexpr int kStreams = 1200;
  const long limit = RaiseFileLimit();
  ASSERT_GE(limit, 2 * kStreams + 100) << "RLIMIT_NOFILE's hard limit is too low for this test";
  auto collector = std::make_shared<StreamCollector>();
  StartServer(Options(), StreamCollector::NewHandler(collector));
  std::shared_ptr<TlsClientContext> ctx = ClientContext();
  const long heap_before = HeapInUse();

  std::vector<std::unique_ptr<TlsTestClient>> clients;
  clients.reserve(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    clients.push_back(Connect(ctx));
    ASSERT_NE(clients.back(), nullptr) << "connection " << i;
    ASSERT_TRUE(clients.back()->Send(GetRequest(StrCat("/api/v1/pods?watch=true&i=", i))));
  }
  ASSERT_TRUE(collector->AwaitStreams(kStreams, absl::Seconds(120)));
  for (auto& client : clients) ASSERT_TRUE(client->ReadUntil(HeaderArrived, absl::Seconds(30)));
  const long heap_open = HeapInUse();

  // One buffer for every watcher.
  auto event = std::make_shared<const std::string>(R"({"type":"MODIFIED","object":{"kind":"Pod"}})" "\n");
  for (const auto& stream : collector->All()) EXPECT_TRUE(stream->Write(event));
  int received = 0;
  for (auto& client : clients) {
    received += client->ReadUntilContains(R"("type":"MODIFIED")", absl::Seconds(60)) ? 1 : 0;
  }
  EXPECT_EQ(received, kStreams);
  EXPECT_EQ(collector->closed(), 0);

  server_->Stop();
  EXPECT_EQ(collector->closed(), kStreams);
  // Stop freed the server's side of every connection; the clients are still open.
  const long heap_clients = HeapInUse();
  std::cout << "[ measure  ] heap per idle TLS stream: server " << (heap_open - heap_clients) / kStreams
            << " bytes, test client " << (heap_clients - heap_before) / kStreams << " bytes\n";
}

}  // namespace
}  // namespace cubelet::httpserver::testing
