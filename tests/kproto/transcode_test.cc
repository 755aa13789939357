// The schema-driven transcoder on hand-built bytes: each Kubernetes special type, zero values of
// value and pointer fields, maps, lists, embedded messages, unknown fields and malformed input.
#include "kproto/transcode.h"

#include <cstdint>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/write.h"
#include "kproto/wire_bytes.h"

namespace cubelet::kproto {
namespace {

using ::testing::HasSubstr;
using testing::F64;
using testing::L;
using testing::V;

constexpr char kMeta[] = R"(package io.k8s.apimachinery.pkg.apis.meta.v1
type ObjectMeta "Metadata."
  name  string  pb(1)  "Name."
  creationTimestamp  date-time  pb(8)  "Created."
  deletionTimestamp  date-time  pb(9,ptr)  "Deleted."
  labels  map[string]string  pb(11)  "Labels."
  managedFields  []ManagedFieldsEntry  pb(17)  "Managers."
type ManagedFieldsEntry "Entry."
  manager  string  pb(1)  "Manager."
  fieldsV1  any  pb(7,ptr)  "Fields."
)";

constexpr char kThing[] = R"(package a
type Thing gvk(,v1,Thing) "A type with a field of every kind."
  metadata  io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta  pb(1)  "Metadata."
  count  int32  pb(2)  "A value int32."
  big  int64  pb(3,ptr)  "A pointer int64."
  ok  boolean  pb(4)  "A value boolean."
  ratio  float64  pb(5)  "A float."
  blob  byte  pb(6)  "Bytes."
  when  micro-time  pb(7,ptr)  "A MicroTime."
  size  quantity  pb(8)  "A quantity."
  port  int-or-string  pb(9)  "An int-or-string."
  names  []string  pb(10)  "Strings."
  groups  []int64  pb(11)  "Numbers."
  limits  map[string]quantity  pb(12)  "Quantities by name."
  data  map[string]byte  pb(13)  "Bytes by name."
  must  string  required  pb(14)  "A required value string."
  sub  Sub  pb(15)  "A value struct."
  hostPath  Sub  pb(16.1,ptr)  "A pointer in the message embedded at 16."
  emptyDir  Sub  pb(16.2,ptr)  "Another in the same embedded message."
  extra  object  pb(17)  "Free-form."
  flag  boolean  pb(18,ptr)  "A pointer boolean."
  subs  []Sub  pb(19)  "Structs."
  chain  Chain  pb(20,ptr)  "A recursive type."
type Sub "A struct."
  path  string  pb(1)  "Path."
  mode  int32  pb(2,ptr)  "Mode."
type Chain "Nests itself."
  next  Chain  pb(1,ptr)  "Next."
)";

const schema::Schema& TestSchema() {
  static const schema::Schema* schema = [] {
    auto parsed = schema::Schema::Parse({{"meta.schema", kMeta}, {"thing.schema", kThing}});
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return new schema::Schema(std::move(*parsed));
  }();
  return *schema;
}

json::Value J(const char* text) {
  auto v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status() << " in " << text;
  return v.ok() ? *v : json::Value();
}

json::Value DecodeThing(const std::string& bytes) {
  auto v = DecodeMessage(TestSchema(), "a.Thing", bytes);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : json::Value();
}

std::string DecodeError(const std::string& bytes) {
  auto v = DecodeMessage(TestSchema(), "a.Thing", bytes);
  EXPECT_FALSE(v.ok()) << json::Write(*v);
  return v.ok() ? "" : std::string(v.status().message());
}

// 2024-01-02T03:04:05Z
constexpr uint64_t kSeconds = 1704164645;

TEST(TranscodeDecodeTest, ScalarsOfEveryKind) {
  const std::string bytes = V(2, 7) + V(3, static_cast<uint64_t>(int64_t{-5})) + V(4, 1) + F64(5, 0x3ff8000000000000) +
                            L(6, std::string("\x00\xff", 2)) + L(14, "here") + V(18, 1);
  EXPECT_EQ(DecodeThing(bytes),
            J(R"({"count":7,"big":-5,"ok":true,"ratio":1.5,"blob":"AP8=","must":"here","flag":true})"));
}

TEST(TranscodeDecodeTest, Int32IsTheLow32BitsAsGoTruncates) {
  // -1 as an int32 travels sign-extended to ten bytes.
  EXPECT_EQ(DecodeThing(V(2, static_cast<uint64_t>(int64_t{-1}))), J(R"({"count":-1})"));
}

TEST(TranscodeDecodeTest, ZeroValueFieldsAreDroppedAsOmitemptyButPointersAndRequiredKeepThem) {
  // count, ok and sub.path are value fields: their zeros are what Go writes for "unset".
  const std::string bytes = V(2, 0) + V(4, 0) + V(3, 0) + V(18, 0) + L(14, "") + L(15, L(1, "") + V(2, 0));
  EXPECT_EQ(DecodeThing(bytes), J(R"({"big":0,"flag":false,"must":"","sub":{"mode":0}})"));
}

TEST(TranscodeDecodeTest, ValueStructsStayAsEmptyObjects) {
  EXPECT_EQ(DecodeThing(L(15, "")), J(R"({"sub":{}})"));
}

TEST(TranscodeDecodeTest, TimeKeepsWholeSecondsAndZeroTimeIsDropped) {
  const std::string meta = L(8, V(1, kSeconds) + V(2, 999)) + L(9, "") + L(1, "n");
  EXPECT_EQ(DecodeThing(L(1, meta)), J(R"({"metadata":{"creationTimestamp":"2024-01-02T03:04:05Z","name":"n"}})"));
  // Go's zero time written out in full is dropped too.
  const uint64_t zero = static_cast<uint64_t>(int64_t{-62135596800});
  EXPECT_EQ(DecodeThing(L(1, L(8, V(1, zero) + V(2, 0)))), J(R"({"metadata":{}})"));
}

TEST(TranscodeDecodeTest, MicroTimeHasSixFractionalDigits) {
  EXPECT_EQ(DecodeThing(L(7, V(1, kSeconds) + V(2, 123456789))), J(R"({"when":"2024-01-02T03:04:05.123456Z"})"));
  EXPECT_EQ(DecodeThing(L(7, V(1, 0))), J(R"({"when":"1970-01-01T00:00:00.000000Z"})"));
}

TEST(TranscodeDecodeTest, TimesOutsideGoJsonRangeAreErrors) {
  EXPECT_THAT(DecodeError(L(7, V(1, uint64_t{1} << 40))), HasSubstr("when: time"));
}

TEST(TranscodeDecodeTest, QuantityIsAStringMessage) {
  EXPECT_EQ(DecodeThing(L(8, L(1, "100m"))), J(R"({"size":"100m"})"));
  // An empty message is the zero quantity (a map value keeps it).
  EXPECT_EQ(DecodeThing(L(12, L(1, "cpu") + L(2, ""))), J(R"({"limits":{"cpu":"0"}})"));
  EXPECT_THAT(DecodeError(L(8, L(1, "lots"))), HasSubstr("size: "));
}

TEST(TranscodeDecodeTest, IntOrStringByItsType) {
  EXPECT_EQ(DecodeThing(L(9, V(1, 0) + V(2, 8080) + L(3, ""))), J(R"({"port":8080})"));
  EXPECT_EQ(DecodeThing(L(9, V(1, 1) + V(2, 0) + L(3, "http"))), J(R"({"port":"http"})"));
  EXPECT_THAT(DecodeError(L(9, V(1, 2))), HasSubstr("port: int-or-string of type 2"));
}

TEST(TranscodeDecodeTest, MapsAreKeyValueEntries) {
  const std::string bytes = L(12, L(1, "memory") + L(2, L(1, "1Gi"))) + L(12, L(1, "cpu") + L(2, L(1, "1"))) +
                            L(12, L(1, "cpu") + L(2, L(1, "2"))) + L(13, L(1, "k") + L(2, "v")) + L(13, L(1, "empty"));
  EXPECT_EQ(DecodeThing(bytes), J(R"({"limits":{"memory":"1Gi","cpu":"2"},"data":{"k":"dg==","empty":""}})"));
}

TEST(TranscodeDecodeTest, ListsAcceptRepeatedAndPackedNumbers) {
  const std::string packed = testing::Varint(3) + testing::Varint(static_cast<uint64_t>(int64_t{-4}));
  const std::string bytes = L(10, "a") + L(10, "") + V(11, 1) + L(11, packed) + V(11, 2);
  EXPECT_EQ(DecodeThing(bytes), J(R"({"names":["a",""],"groups":[1,3,-4,2]})"));
}

TEST(TranscodeDecodeTest, ListsOfStructsAndMergedRepeatedMessages) {
  // A non-repeated message field that appears twice is merged, as protobuf does.
  const std::string bytes = L(19, L(1, "/a")) + L(19, V(2, 0)) + L(15, L(1, "/x")) + L(15, V(2, 5));
  EXPECT_EQ(DecodeThing(bytes), J(R"({"subs":[{"path":"/a"},{"mode":0}],"sub":{"path":"/x","mode":5}})"));
}

TEST(TranscodeDecodeTest, EmbeddedMessageFieldsLandInTheOuterObject) {
  // Field 16 is the embedded message (upstream's VolumeSource); 1 and 2 inside it are hostPath
  // and emptyDir of the outer JSON object.
  const std::string bytes = L(16, L(1, L(1, "/data")) + L(2, ""));
  EXPECT_EQ(DecodeThing(bytes), J(R"({"hostPath":{"path":"/data"},"emptyDir":{}})"));
}

TEST(TranscodeDecodeTest, RawFieldsHoldJson) {
  const std::string entry = L(1, "kubectl") + L(7, L(1, R"({"f:metadata":{"f:labels":{}}})"));
  EXPECT_EQ(DecodeThing(L(1, L(17, entry)) + L(17, L(1, R"({"any":[1,"x"]})"))),
            J(R"({"metadata":{"managedFields":[{"manager":"kubectl","fieldsV1":{"f:metadata":{"f:labels":{}}}}]},
                 "extra":{"any":[1,"x"]}})"));
  EXPECT_THAT(DecodeError(L(17, L(1, "{not json"))), HasSubstr("extra: raw JSON"));
}

TEST(TranscodeDecodeTest, UnknownFieldNumbersAreSkipped) {
  const std::string bytes = V(99, 1) + L(98, "x") + F64(97, 1) + std::string("\xad\x06\x01\x00\x00\x00", 6) +
                            std::string("\xb3\x06\x08\x01\xb4\x06", 6) + V(2, 3) + L(15, V(50, 1));
  EXPECT_EQ(DecodeThing(bytes), J(R"({"count":3,"sub":{}})"));
}

TEST(TranscodeDecodeTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(DecodeThing(L(14, std::string("a\xff" "b", 3))), J("{\"must\":\"a\xef\xbf\xbd" "b\"}"));
}

TEST(TranscodeDecodeTest, MalformedInputIsAnErrorNamingThePath) {
  EXPECT_THAT(DecodeError(L(15, std::string("\x0a\x05" "ab", 4))), HasSubstr("sub: length 5 at byte 0 exceeds"));
  EXPECT_THAT(DecodeError(L(19, "") + L(19, std::string("\x80", 1))), HasSubstr("subs[1]: truncated varint at byte 1"));
  EXPECT_THAT(DecodeError(L(2, "x")), HasSubstr("count: wire type length-delimited for field 2 where varint"));
  EXPECT_THAT(DecodeError(V(15, 1)), HasSubstr("sub: wire type varint"));
  EXPECT_THAT(DecodeError(std::string("\x08", 1)), HasSubstr("truncated varint"));
  EXPECT_THAT(DecodeError(F64(5, 0x7ff0000000000000)), HasSubstr("ratio: a float64 that is not finite"));
  EXPECT_THAT(DecodeError(L(12, L(1, "cpu") + L(2, L(1, "x1")))), HasSubstr("limits[cpu]: "));
}

TEST(TranscodeDecodeTest, NestingIsBounded) {
  std::string bytes;
  for (int i = 0; i < kMaxDepth + 5; ++i) bytes = L(1, bytes);
  EXPECT_THAT(DecodeError(L(20, bytes)), HasSubstr("nested deeper than"));
}

TEST(TranscodeDecodeTest, UnknownTypeIsAnError) {
  EXPECT_FALSE(DecodeMessage(TestSchema(), "a.Nope", "").ok());
}

std::string Encode(const char* json_text) {
  auto bytes = EncodeMessage(TestSchema(), "a.Thing", J(json_text));
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

// The message upstream embeds at 16 is a value struct: written even when empty, after the
// fields numbered below it.
const std::string kEmpty16 = L(16, "");

TEST(TranscodeEncodeTest, WritesUpstreamsBytesForEachSpecialType) {
  EXPECT_EQ(Encode(R"({"size":"100m"})"), L(8, L(1, "100m")) + kEmpty16);
  EXPECT_EQ(Encode(R"({"size":2})"), L(8, L(1, "2")) + kEmpty16);
  EXPECT_EQ(Encode(R"({"port":8080})"), L(9, V(1, 0) + V(2, 8080) + L(3, "")) + kEmpty16);
  EXPECT_EQ(Encode(R"({"port":"http"})"), L(9, V(1, 1) + V(2, 0) + L(3, "http")) + kEmpty16);
  EXPECT_EQ(Encode(R"({"when":"2024-01-02T03:04:05.123456Z"})"), L(7, V(1, kSeconds) + V(2, 123456000)) + kEmpty16);
  EXPECT_EQ(Encode(R"({"metadata":{"creationTimestamp":"2024-01-02T04:04:05+01:00"}})"),
            L(1, L(8, V(1, kSeconds) + V(2, 0))) + kEmpty16);
  EXPECT_EQ(Encode(R"({"blob":"AP8="})"), L(6, std::string("\x00\xff", 2)) + kEmpty16);
  EXPECT_EQ(Encode(R"({"ratio":1.5})"), F64(5, 0x3ff8000000000000) + kEmpty16);
  EXPECT_EQ(Encode(R"({"count":-1})"), V(2, static_cast<uint64_t>(int64_t{-1})) + kEmpty16);
  EXPECT_EQ(Encode(R"({"extra":{"a":1}})"), kEmpty16 + L(17, L(1, R"({"a":1})")));
}

TEST(TranscodeEncodeTest, FieldsInNumberOrderAndMapEntriesByKey) {
  EXPECT_EQ(Encode(R"({"must":"m","count":1,"limits":{"memory":"1Gi","cpu":"1"},"names":["b","a"]})"),
            V(2, 1) + L(10, "b") + L(10, "a") + L(12, L(1, "cpu") + L(2, L(1, "1"))) +
                L(12, L(1, "memory") + L(2, L(1, "1Gi"))) + L(14, "m") + kEmpty16);
}

TEST(TranscodeEncodeTest, EmbeddedMessagesGroupTheirFields) {
  EXPECT_EQ(Encode(R"({"emptyDir":{},"hostPath":{"path":"/d"}})"), L(16, L(1, L(1, "/d")) + L(2, "")));
}

TEST(TranscodeEncodeTest, NullsUnknownMembersAndTypeMetaAreNotWritten) {
  EXPECT_EQ(Encode(R"({"apiVersion":"v1","kind":"Thing","count":null,"bogus":1,"ok":false})"), V(4, 0) + kEmpty16);
}

TEST(TranscodeEncodeTest, MismatchedJsonTypesAreErrors) {
  auto bytes = EncodeMessage(TestSchema(), "a.Thing", J(R"({"sub":{"path":3}})"));
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().message(), "sub.path: expected a string, got number");
  EXPECT_FALSE(EncodeMessage(TestSchema(), "a.Thing", J(R"({"count":3000000000})")).ok());
  EXPECT_FALSE(EncodeMessage(TestSchema(), "a.Thing", J(R"({"blob":"!!"})")).ok());
  EXPECT_FALSE(EncodeMessage(TestSchema(), "a.Thing", J(R"({"when":"yesterday"})")).ok());
}

TEST(TranscodeRoundTripTest, EveryKindSurvivesEncodeThenDecode) {
  const json::Value object = J(R"({
    "metadata": {"name": "n", "creationTimestamp": "2024-01-02T03:04:05Z", "labels": {"a": "b"},
                 "managedFields": [{"manager": "m", "fieldsV1": {"f:spec": {}}}]},
    "count": 3, "big": 0, "ok": true, "ratio": 0.25, "blob": "aGk=", "when": "2024-01-02T03:04:05.000001Z",
    "size": "1500m", "port": "web", "names": ["x", "y"], "groups": [0, -1, 9007199254740993],
    "limits": {"cpu": "2"}, "data": {"k": ""}, "must": "", "sub": {"path": "/p", "mode": 0},
    "hostPath": {"path": "/h"}, "extra": {"nested": [true, null]}, "flag": false,
    "subs": [{}, {"path": "q"}], "chain": {"next": {"next": {}}}})");
  auto bytes = EncodeMessage(TestSchema(), "a.Thing", object);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(DecodeThing(*bytes), object);
}

}  // namespace
}  // namespace cubelet::kproto
