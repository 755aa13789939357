#include "kproto/wire.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kproto/wire_bytes.h"

namespace cubelet::kproto {
namespace {

using ::testing::HasSubstr;
using testing::L;
using testing::V;

TEST(WireTest, WriterEncodesVarintsTagsAndLengths) {
  WireWriter w;
  w.VarintField(1, 300);
  w.BytesField(2, "hi");
  w.Fixed64Field(3, 0x0102030405060708);
  w.VarintField(4, static_cast<uint64_t>(int64_t{-1}));
  EXPECT_EQ(w.data(), std::string("\x08\xac\x02"
                                  "\x12\x02hi"
                                  "\x19\x08\x07\x06\x05\x04\x03\x02\x01"
                                  "\x20\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
                                  27));
}

TEST(WireTest, ReaderReturnsEachFieldWithItsPayload) {
  const std::string data = V(1, 300) + L(2, "hi") + testing::F64(3, 7) + std::string("\x25\x01\x00\x00\x00", 5);
  WireReader r(data);
  auto a = r.Next();
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->number, 1);
  EXPECT_EQ(a->type, WireType::kVarint);
  EXPECT_EQ(a->value, 300u);
  auto b = r.Next();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, WireType::kLengthDelimited);
  EXPECT_EQ(b->bytes, "hi");
  auto c = r.Next();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->type, WireType::kFixed64);
  EXPECT_EQ(c->value, 7u);
  auto d = r.Next();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->type, WireType::kFixed32);
  EXPECT_EQ(d->value, 1u);
  EXPECT_TRUE(r.done());
}

TEST(WireTest, GroupsAreSkippedWhole) {
  // Group 5 holding a varint and a nested group 6, then field 1.
  const std::string data = std::string("\x2b\x08\x01\x33\x10\x02\x34\x2c", 8) + V(1, 9);
  WireReader r(data);
  auto group = r.Next();
  ASSERT_TRUE(group.ok()) << group.status();
  EXPECT_EQ(group->type, WireType::kStartGroup);
  auto next = r.Next();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->number, 1);
  EXPECT_EQ(next->value, 9u);
}

struct Malformed {
  std::string bytes;
  std::string error;
};

class WireMalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(WireMalformedTest, IsAnErrorNamingTheByte) {
  WireReader r(GetParam().bytes);
  absl::Status status;
  while (!r.done() && status.ok()) status = r.Next().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, WireMalformedTest,
    ::testing::Values(Malformed{std::string("\x08\x80", 2), "truncated varint at byte 2"},
                      Malformed{std::string("\x12\x05" "abc", 5), "length 5 at byte 0 exceeds the 3 bytes left"},
                      Malformed{std::string("\x12\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11), "exceeds"},
                      Malformed{std::string("\x00\x01", 2), "invalid field number 0 at byte 0"},
                      Malformed{std::string("\x0e\x01", 2), "invalid wire type 6"},
                      Malformed{std::string("\x0c", 1), "end-group without a start"},
                      Malformed{std::string("\x0b\x08\x01", 3), "truncated varint"},
                      Malformed{std::string("\x0b\x14", 2), "end-group 2 does not close group 1"},
                      Malformed{std::string("\x09\x01\x02", 3), "truncated fixed64"},
                      Malformed{std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 11),
                                "varint longer than 64 bits"}));

TEST(WireTest, DeeplyNestedGroupsAreRefused) {
  std::string data;
  for (int i = 0; i < 40; ++i) data += "\x0b";
  WireReader r(data);
  EXPECT_THAT(std::string(r.Next().status().message()), HasSubstr("groups nested too deeply"));
}

}  // namespace
}  // namespace cubelet::kproto
