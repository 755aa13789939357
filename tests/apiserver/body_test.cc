// Request bodies: JSON, YAML (with the JSON fast path kubectl's apply bodies take), protobuf,
// duplicate fields, hostile nesting and YAML alias bombs; then DecodeObject's apiVersion/kind
// checks, type errors and fieldValidation, with upstream's messages (handlers/create.go
// transformDecodeError, kubectl's "strict decoding error" output).
#include "apiserver/body.h"

#include <chrono>
#include <fstream>
#include <string>

#include "apiserver_test_util.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/write.h"
#include "kproto/envelope.h"

namespace cubelet::apiserver::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

const schema::Schema& Schema() { return schema::Schema::BuiltIn(); }

constexpr char kPodType[] = "io.k8s.api.core.v1.Pod";

TEST(ParseBodyTest, Json) {
  auto body = ParseBody(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"}})", BodyFormat::kJson);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->value.GetString({"metadata", "name"}), "web");
  EXPECT_TRUE(body->duplicate_fields.empty());
}

TEST(ParseBodyTest, MalformedJsonIsABadRequest) {
  for (const char* text : {"", "{", R"({"a":})", "{} {}", R"({"a":1,})", "nul"}) {
    auto body = ParseBody(text, BodyFormat::kJson);
    EXPECT_THAT(body.status(), IsApiError(400, "BadRequest")) << text;
  }
}

TEST(ParseBodyTest, Yaml) {
  auto body = ParseBody(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: \"123\"\nspec:\n  containers:\n  - name: c\n"
      "    image: nginx\n    ports:\n    - containerPort: 80\n",
      BodyFormat::kYaml);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->value.GetString({"metadata", "name"}), "web");
  EXPECT_EQ(body->value.GetString({"metadata", "labels", "app"}), "123");  // quoted stays a string
  const json::Value* port = &body->value.FindPath({"spec", "containers"})->AsArray()[0];
  port = &port->Find("ports")->AsArray()[0];
  EXPECT_EQ(port->Find("containerPort")->AsInt64(), std::optional<int64_t>(80));
}

TEST(ParseBodyTest, MalformedYamlIsABadRequest) {
  auto body = ParseBody("metadata:\n  name: [unclosed\n", BodyFormat::kYaml);
  EXPECT_THAT(body.status(), IsApiError(400, "BadRequest"));
}

// kubectl apply --server-side sends JSON as application/apply-patch+yaml; a YAML body that
// starts like JSON goes through the JSON parser, which reports duplicates.
TEST(ParseBodyTest, YamlThatIsJsonTakesTheJsonPath) {
  auto body = ParseBody("\n  {\"metadata\":{\"name\":\"a\",\"name\":\"b\"}}", BodyFormat::kYaml);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->value.GetString({"metadata", "name"}), "b");
  EXPECT_THAT(body->duplicate_fields, Contains("metadata.name"));
  auto array = ParseBody("[1, 2]", BodyFormat::kYaml);
  ASSERT_TRUE(array.ok()) << array.status();
  EXPECT_TRUE(array->value.is_array());
}

TEST(ParseBodyTest, DuplicateFieldsKeepTheLastAndAreReportedWithTheirPath) {
  auto body = ParseBody(
      R"({"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"c","image":"x","image":"y"}]}})",
      BodyFormat::kJson);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->value.GetString({"metadata", "name"}), "b");
  EXPECT_THAT(body->duplicate_fields, Contains("metadata.name"));
  EXPECT_THAT(body->duplicate_fields, Contains("spec.containers[0].image"));
  EXPECT_EQ(body->duplicate_fields.size(), 2u);
}

TEST(ParseBodyTest, DuplicateKeysInBlockYamlAreNotSilentlyLost) {
  auto body = ParseBody("metadata:\n  name: a\n  name: b\n", BodyFormat::kYaml);
  EXPECT_TRUE(!body.ok() || !body->duplicate_fields.empty())
      << "a duplicate key in a YAML body must be an error or a reported duplicate";
}

TEST(ParseBodyTest, DeepJsonNestingIsRefused) {
  std::string deep(200000, '[');
  auto body = ParseBody(deep, BodyFormat::kJson);
  EXPECT_THAT(body.status(), IsApiError(400, "BadRequest"));
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  auto nested = ParseBody(objects, BodyFormat::kJson);
  EXPECT_THAT(nested.status(), IsApiError(400, "BadRequest"));
}

TEST(ParseBodyTest, DeepYamlFlowNestingIsRefused) {
  auto body = ParseBody("spec: " + std::string(200000, '['), BodyFormat::kYaml);
  EXPECT_THAT(body.status(), IsApiError(400, "BadRequest"));
}

// "- - - - x" nests block sequences without indentation: 100,000 levels in 200 KB.
TEST(ParseBodyTest, DeepYamlBlockNestingIsRefusedWithoutExhaustingTheStack) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "- ";
  text += "x\n";
  auto body = ParseBody(text, BodyFormat::kYaml);
  EXPECT_THAT(body.status(), IsApiError(400, "BadRequest"));
}

size_t PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

// The billion laughs: nine levels of nine aliases each expand to 9^9 = 387,420,489 strings.
TEST(ParseBodyTest, YamlAliasBombIsRefusedQuicklyWithBoundedMemory) {
  std::string text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  const char names[] = "abcdefghi";
  for (int level = 1; level < 9; ++level) {
    std::string prev(1, names[level - 1]);
    text += StrCat(std::string(1, names[level]), ": &", std::string(1, names[level]), " [");
    for (int i = 0; i < 9; ++i) text += StrCat(i > 0 ? "," : "", "*", prev);
    text += "]\n";
  }
  const size_t rss_before = PeakRssKb();
  const auto start = std::chrono::steady_clock::now();
  auto body = ParseBody(text, BodyFormat::kYaml);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const size_t rss_after = PeakRssKb();
  EXPECT_THAT(body.status(), IsApiError(400, "BadRequest"));
  // Recorded, not asserted: a real expansion would take gigabytes (caught below) and hours (caught
  // by the test's timeout).
  RecordProperty("alias_bomb_seconds", std::to_string(seconds));
  RecordProperty("alias_bomb_peak_rss_growth_kb", std::to_string(rss_after - rss_before));
  EXPECT_LT(rss_after - rss_before, 512u * 1024u);
}

TEST(ParseBodyTest, ProtobufNeedsItsType) {
  auto body = ParseBody("k8s\0", BodyFormat::kProtobuf);
  EXPECT_THAT(body.status(), IsApiError(415, "UnsupportedMediaType"));
}

TEST(ParseBodyTest, ProtobufPodRoundTrips) {
  json::Value pod = ParseJsonOrDie(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"x"}},)"
      R"("spec":{"containers":[{"name":"c","image":"nginx"}]}})");
  auto encoded = kproto::Encode(Schema(), kPodType, pod);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  auto body = ParseBody(*encoded, BodyFormat::kProtobuf, Schema(), kPodType);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->value.GetString({"metadata", "name"}), "web");
  EXPECT_EQ(body->value.GetString({"metadata", "labels", "app"}), "x");
  EXPECT_EQ(body->value.GetString({"kind"}), "Pod");
  // JSON through the typed overload is plain JSON.
  auto json_body = ParseBody(json::Write(pod), BodyFormat::kJson, Schema(), kPodType);
  ASSERT_TRUE(json_body.ok());
  EXPECT_EQ(json_body->value, pod);
}

TEST(ParseBodyTest, MalformedProtobufIsABadRequest) {
  for (std::string text : {std::string("not protobuf"), std::string("k8s\0\x0a\xff", 6)}) {
    auto body = ParseBody(text, BodyFormat::kProtobuf, Schema(), kPodType);
    EXPECT_THAT(body.status(), IsApiError(400, "BadRequest"));
  }
}

TEST(FieldValidationTest, QueryParameter) {
  EXPECT_EQ(*FieldValidationOf(Get("/api/v1/pods")), FieldValidation::kWarn);
  EXPECT_EQ(*FieldValidationOf(Get("/api/v1/pods?fieldValidation=Strict")), FieldValidation::kStrict);
  EXPECT_EQ(*FieldValidationOf(Get("/api/v1/pods?fieldValidation=Warn")), FieldValidation::kWarn);
  EXPECT_EQ(*FieldValidationOf(Get("/api/v1/pods?fieldValidation=Ignore")), FieldValidation::kIgnore);
  // An empty value is the default (upstream's fieldValidation()).
  EXPECT_EQ(*FieldValidationOf(Get("/api/v1/pods?fieldValidation=")), FieldValidation::kWarn);
}

// Upstream answers a 422 CreateOptions/UpdateOptions/PatchOptions Invalid (it knows the verb);
// FieldValidationOf answers 400 with the same cause text, which is what kubectl prints.
TEST(FieldValidationTest, OtherValuesAreRefusedNamingTheSupportedOnes) {
  auto bad = FieldValidationOf(Get("/api/v1/pods?fieldValidation=strict"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(StatusOf(bad.status()).code / 100, 4);
  EXPECT_THAT(StatusOf(bad.status()).message,
              HasSubstr("fieldValidation: Unsupported value: \"strict\": supported values: \"Ignore\", \"Strict\", \"Warn\""));
}

struct Decoded {
  absl::Status status;
  json::Value object;
  std::vector<std::string> warnings;
};

// A pod body as a patch's result is decoded (`whole_object` false) or as a create or update
// body (true).
Decoded DecodePod(const std::string& text, FieldValidation validation = FieldValidation::kStrict,
                  bool whole_object = false) {
  auto body = ParseBody(text, BodyFormat::kJson);
  EXPECT_TRUE(body.ok()) << body.status();
  Decoded out;
  out.status = DecodeObject(Schema(), kPodType, "v1", "Pod", &*body, validation, &out.warnings, whole_object);
  out.object = body->value;
  return out;
}

Decoded DecodeWholePod(const std::string& text) { return DecodePod(text, FieldValidation::kStrict, true); }

TEST(DecodeObjectTest, AValidPodGetsItsTypeMeta) {
  Decoded d = DecodePod(R"({"metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"nginx"}]}})");
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_EQ(d.object.GetString({"apiVersion"}), "v1");
  EXPECT_EQ(d.object.GetString({"kind"}), "Pod");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(DecodeObjectTest, ApiVersionMismatch) {
  Decoded d = DecodePod(R"({"apiVersion":"apps/v1","kind":"Pod","metadata":{"name":"web"}})");
  EXPECT_THAT(d.status, IsApiError(400, "BadRequest"));
  apierrors::ApiStatus s = StatusOf(d.status);
  EXPECT_EQ(s.message, "the API version in the data (apps/v1) does not match the expected API version (v1)");
}

TEST(DecodeObjectTest, KindMismatch) {
  Decoded d = DecodePod(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"}})");
  EXPECT_THAT(d.status, IsApiError(400, "BadRequest"));
  apierrors::ApiStatus s = StatusOf(d.status);
  EXPECT_THAT(s.message, ::testing::AllOf(HasSubstr("Service"), HasSubstr("Pod")));
}

TEST(DecodeObjectTest, GroupKindsCheckTheirGroupVersion) {
  auto body = ParseBody(R"({"apiVersion":"coordination.k8s.io/v1beta1","kind":"Lease","metadata":{"name":"n"}})",
                        BodyFormat::kJson);
  ASSERT_TRUE(body.ok());
  std::vector<std::string> warnings;
  absl::Status s = DecodeObject(Schema(), "io.k8s.api.coordination.v1.Lease", "coordination.k8s.io/v1", "Lease",
                                &*body, FieldValidation::kStrict, &warnings);
  EXPECT_THAT(s, IsApiError(400, "BadRequest"));
  EXPECT_EQ(StatusOf(s).message,
            "the API version in the data (coordination.k8s.io/v1beta1) does not match the expected API version "
            "(coordination.k8s.io/v1)");
}

TEST(DecodeObjectTest, TypeErrorsAreUpstreamsCannotBeHandledMessage) {
  Decoded d = DecodePod(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":"nginx"}})");
  EXPECT_THAT(d.status, IsApiError(400, "BadRequest"));
  apierrors::ApiStatus s = StatusOf(d.status);
  EXPECT_THAT(s.message, ::testing::StartsWith("Pod in version \"v1\" cannot be handled as a Pod: "));
  EXPECT_THAT(s.message, HasSubstr("containers"));
  // Type errors are 400 even when unknown fields are ignored.
  Decoded ignored = DecodePod(R"({"spec":{"containers":[{"name":"c","image":5}]}})", FieldValidation::kIgnore);
  EXPECT_THAT(ignored.status, IsApiError(400, "BadRequest"));
}

TEST(DecodeObjectTest, TypeErrorsOfGroupKindsNameTheVersionOnly) {
  auto body = ParseBody(R"({"metadata":{"name":"n"},"spec":{"holderIdentity":5}})", BodyFormat::kJson);
  ASSERT_TRUE(body.ok());
  absl::Status s = DecodeObject(Schema(), "io.k8s.api.coordination.v1.Lease", "coordination.k8s.io/v1", "Lease",
                                &*body, FieldValidation::kStrict, nullptr);
  EXPECT_THAT(s, IsApiError(400, "BadRequest"));
  EXPECT_THAT(StatusOf(s).message, ::testing::StartsWith("Lease in version \"v1\" cannot be handled as a Lease: "));
}

TEST(DecodeObjectTest, NotAnObjectIsABadRequest) {
  for (const char* text : {"[1]", "3", "\"pod\"", "null"}) {
    auto body = ParseBody(text, BodyFormat::kJson);
    ASSERT_TRUE(body.ok()) << text;
    absl::Status s = DecodeObject(Schema(), kPodType, "v1", "Pod", &*body, FieldValidation::kStrict, nullptr);
    EXPECT_THAT(s, IsApiError(400, "BadRequest")) << text;
  }
}

// What kubectl users see (kubectl create/apply -f with fieldValidation=Strict):
//   Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"
// Upstream's create and update handlers wrap the strict error with transformDecodeError
// ("<Kind> in version ... cannot be handled as a <Kind>: "); its patch handler does not.
TEST(DecodeObjectTest, StrictUnknownFieldIsUpstreamsStrictDecodingError) {
  Decoded d = DecodeWholePod(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"foo":1,)"
                        R"("containers":[{"name":"c","image":"nginx","volumeMount":[]}]}})");
  EXPECT_THAT(d.status, IsApiError(400, "BadRequest"));
  apierrors::ApiStatus s = StatusOf(d.status);
  EXPECT_EQ(s.message,
            "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.foo\", "
            "unknown field \"spec.containers[0].volumeMount\"");
}

TEST(DecodeObjectTest, StrictDuplicateField) {
  Decoded d = DecodePod(R"({"metadata":{"name":"a","name":"b"}})");
  EXPECT_THAT(d.status, IsApiError(400, "BadRequest"));
  apierrors::ApiStatus s = StatusOf(d.status);
  EXPECT_THAT(s.message, HasSubstr("strict decoding error: "));
  EXPECT_THAT(s.message, HasSubstr("duplicate field \"metadata.name\""));
}

TEST(DecodeObjectTest, WarnKeepsGoingWithAWarningPerProblemAndDropsUnknownFields) {
  Decoded d = DecodePod(R"({"metadata":{"name":"a","name":"b"},"spec":{"foo":1,"containers":[{"name":"c","image":"i"}]}})",
                        FieldValidation::kWarn);
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_THAT(d.warnings, Contains("unknown field \"spec.foo\""));
  EXPECT_THAT(d.warnings, Contains("duplicate field \"metadata.name\""));
  EXPECT_EQ(d.warnings.size(), 2u);
  EXPECT_EQ(d.object.FindPath({"spec", "foo"}), nullptr);
  EXPECT_EQ(d.object.GetString({"metadata", "name"}), "b");
}

TEST(DecodeObjectTest, IgnoreDropsUnknownFieldsSilently) {
  Decoded d = DecodePod(R"({"metadata":{"name":"a","name":"b"},"spec":{"foo":1,"containers":[]}})",
                        FieldValidation::kIgnore);
  ASSERT_TRUE(d.status.ok()) << d.status;
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_EQ(d.object.FindPath({"spec", "foo"}), nullptr);
}

TEST(DecodeObjectTest, WarnWithoutAWarningsSinkDoesNotCrash) {
  auto body = ParseBody(R"({"spec":{"foo":1}})", BodyFormat::kJson);
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(DecodeObject(Schema(), kPodType, "v1", "Pod", &*body, FieldValidation::kWarn, nullptr).ok());
}

}  // namespace
}  // namespace cubelet::apiserver::testing
