#include "httpserver/internal/wire_format.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cubelet::httpserver::internal {
namespace {

TEST(WireFormatTest, HeadCarriesServerFraming) {
  Headers h;
  h.Add("Content-Type", "application/json");
  h.Add("content-length", "7");        // replaced by the server's
  h.Add("Connection", "upgrade");       // likewise
  EXPECT_EQ(FormatResponseHead({.http_minor = 1, .status = 404, .headers = &h, .content_length = 12}),
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n");
  EXPECT_EQ(FormatResponseHead({.http_minor = 1, .status = 200, .headers = &h, .framing = Framing::kChunked,
                                .keep_alive = false}),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_EQ(FormatResponseHead({.http_minor = 0, .status = 204, .framing = Framing::kNone}),
            "HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n");
}

TEST(WireFormatTest, HeadCannotBeSplitOrCarryAnInvalidStatus) {
  Headers h;
  constexpr char kValue[] = "one\r\nX-B: two\0three";
  h.Add("X-A", std::string(kValue, sizeof(kValue) - 1));
  h.Add("Bad:Name", "x");
  h.Add("", "x");
  const std::string head = FormatResponseHead({.status = 42, .headers = &h});
  EXPECT_EQ(head, "HTTP/1.1 500 Internal Server Error\r\nX-A: one  X-B: two three\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(FormatResponseHead({.status = 299}).substr(0, 21), "HTTP/1.1 299 Unknown\r");
}

TEST(WireFormatTest, ChunksAreFramedInHex) {
  std::string out;
  AppendChunk(out, "hello");
  AppendChunk(out, "");
  AppendChunk(out, std::string(0x1a2, 'x'));
  EXPECT_EQ(out.substr(0, 10), "5\r\nhello\r\n");
  EXPECT_EQ(out.substr(10, 5), "1a2\r\n");
  EXPECT_EQ(out.size(), 10 + 5 + 0x1a2 + 2);
}

TEST(WireFormatTest, BodylessResponses) {
  EXPECT_FALSE(ResponseHasBody("HEAD", 200));
  EXPECT_FALSE(ResponseHasBody("GET", 204));
  EXPECT_FALSE(ResponseHasBody("GET", 304));
  EXPECT_FALSE(ResponseHasBody("GET", 101));
  EXPECT_TRUE(ResponseHasBody("GET", 200));
  EXPECT_TRUE(ResponseHasBody("POST", 413));
}

}  // namespace
}  // namespace cubelet::httpserver::internal
