// Response shapes: the v1 Status body and HTTP code of each error as kubectl and client-go read
// them (apimachinery/pkg/api/errors, responsewriters.ErrorNegotiated), Retry-After, success
// Statuses, Warning headers as client-go's ParseWarningHeader reads them, lists written from
// serialized items, PartialObjectMetadata and meta.k8s.io Tables (kubectl get's only input).
#include "apiserver/responses.h"

#include <string>
#include <vector>

#include "apiserver_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httpserver/http_server.h"
#include "json/write.h"

namespace cubelet::apiserver::testing {
namespace {

using ::testing::ElementsAre;

TEST(JsonResponseTest, CarriesTheCodeAndTheJsonContentType) {
  httpserver::Response r = JsonResponse(201, "{}");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers.Get("Content-Type"), std::optional<std::string_view>("application/json"));
  EXPECT_EQ(r.body, "{}");
}

// kubectl -v=8 shows these bodies byte for byte from kube-apiserver.
TEST(ErrorResponseTest, NotFoundIsUpstreamsStatusByteForByte) {
  httpserver::Response r = ErrorResponse(apierrors::NotFound({"", "pods"}, "x"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.headers.Get("Content-Type"), std::optional<std::string_view>("application/json"));
  EXPECT_EQ(r.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found",)"
            R"("reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404})");
}

TEST(ErrorResponseTest, GroupResourcesAreQualified) {
  httpserver::Response r = ErrorResponse(apierrors::AlreadyExists({"coordination.k8s.io", "leases"}, "n1"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body,
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"leases.coordination.k8s.io \"n1\" already exists","reason":"AlreadyExists",)"
            R"("details":{"name":"n1","group":"coordination.k8s.io","kind":"leases"},"code":409})");
}

// The HTTP code, reason and message of every error the HTTP layer produces; clients branch on
// the code and reason (client-go's errors.IsNotFound, IsConflict, IsTooManyRequests, ...).
TEST(ErrorResponseTest, EachErrorHasItsCodeAndReason) {
  struct Case {
    absl::Status error;
    int code;
    const char* reason;
    const char* message;
  };
  const Case cases[] = {
      {apierrors::BadRequest("bad"), 400, "BadRequest", "bad"},
      {apierrors::Unauthorized("Unauthorized"), 401, "Unauthorized", "Unauthorized"},
      {apierrors::Forbidden({"", "pods"}, "x", "User \"u\" cannot get resource \"pods\""), 403, "Forbidden",
       "pods \"x\" is forbidden: User \"u\" cannot get resource \"pods\""},
      {apierrors::MethodNotSupported({"", "pods"}, "update"), 405, "MethodNotAllowed",
       "update is not supported on resources of kind \"pods\""},
      {apierrors::NotAcceptable("only JSON"), 406, "NotAcceptable", "only JSON"},
      {apierrors::StaleConflict({"", "pods"}, "web"), 409, "Conflict",
       "Operation cannot be fulfilled on pods \"web\": the object has been modified; please apply your changes to the "
       "latest version and try again"},
      {apierrors::Expired("too old resource version: 5 (100)"), 410, "Expired", "too old resource version: 5 (100)"},
      {apierrors::RequestEntityTooLarge("limit is 3145728"), 413, "RequestEntityTooLarge",
       "Request entity too large: limit is 3145728"},
      {apierrors::UnsupportedMediaType("text/plain"), 415, "UnsupportedMediaType",
       "the body of the request was in an unknown format - accepted media types include: application/json, "
       "application/yaml (got \"text/plain\")"},
      {apierrors::Invalid("", "Pod", "web", {apierrors::RequiredCause("spec.containers")}), 422, "Invalid",
       "Pod \"web\" is invalid: spec.containers: Required value"},
      {apierrors::ServiceUnavailable("not ready"), 503, "ServiceUnavailable", "not ready"},
      {absl::InternalError("disk on fire"), 500, "InternalError", "Internal error occurred: disk on fire"},
  };
  for (const Case& c : cases) {
    httpserver::Response r = ErrorResponse(c.error);
    json::Value body = ParseJsonOrDie(r.body);
    EXPECT_EQ(r.status, c.code) << r.body;
    EXPECT_EQ(body.GetString({"kind"}), "Status") << r.body;
    EXPECT_EQ(body.GetString({"status"}), "Failure") << r.body;
    EXPECT_EQ(body.GetString({"reason"}), c.reason) << r.body;
    EXPECT_EQ(body.GetString({"message"}), c.message) << r.body;
    ASSERT_NE(body.Find("code"), nullptr) << r.body;
    EXPECT_EQ(body.Find("code")->AsInt64(), std::optional<int64_t>(c.code)) << r.body;
  }
}

TEST(ErrorResponseTest, InvalidCarriesOneCausePerFieldError) {
  httpserver::Response r = ErrorResponse(apierrors::Invalid(
      "", "Pod", "web",
      {apierrors::RequiredCause("spec.containers[0].image"),
       apierrors::InvalidCause("metadata.name", json::Value(std::string("Web")), "a lowercase RFC 1123 subdomain")}));
  EXPECT_EQ(r.status, 422);
  json::Value body = ParseJsonOrDie(r.body);
  EXPECT_EQ(body.GetString({"details", "name"}), "web");
  EXPECT_EQ(body.GetString({"details", "kind"}), "Pod");
  const json::Value* causes = body.FindPath({"details", "causes"});
  ASSERT_NE(causes, nullptr) << r.body;
  ASSERT_EQ(causes->AsArray().size(), 2u);
  EXPECT_EQ(causes->AsArray()[0].GetString({"reason"}), "FieldValueRequired");
  EXPECT_EQ(causes->AsArray()[0].GetString({"field"}), "spec.containers[0].image");
  EXPECT_EQ(causes->AsArray()[1].GetString({"reason"}), "FieldValueInvalid");
  EXPECT_EQ(causes->AsArray()[1].GetString({"field"}), "metadata.name");
  EXPECT_EQ(causes->AsArray()[1].GetString({"message"}), "Invalid value: \"Web\": a lowercase RFC 1123 subdomain");
}

// client-go waits Retry-After seconds before retrying a 429 or a 504 Timeout.
TEST(ErrorResponseTest, RetryAfterHeaderAndDetails) {
  for (const absl::Status& s : {apierrors::TooManyRequests("slow down", 3), apierrors::Timeout("took too long", 3)}) {
    httpserver::Response r = ErrorResponse(s);
    EXPECT_EQ(r.headers.Get("Retry-After"), std::optional<std::string_view>("3")) << r.body;
    EXPECT_EQ(ParseJsonOrDie(r.body).FindPath({"details", "retryAfterSeconds"})->AsInt64(), std::optional<int64_t>(3));
  }
  EXPECT_EQ(ErrorResponse(apierrors::BadRequest("x")).headers.Get("Retry-After"), std::nullopt);
}

// client-go's reflector relists when a watch's Timeout carries this cause.
TEST(ErrorResponseTest, TooLargeResourceVersionHasTheCauseTheReflectorLooksFor) {
  httpserver::Response r = ErrorResponse(apierrors::TooLargeResourceVersion(50, 7));
  EXPECT_EQ(r.status, 504);
  json::Value body = ParseJsonOrDie(r.body);
  EXPECT_EQ(body.GetString({"reason"}), "Timeout");
  EXPECT_EQ(body.GetString({"message"}), "Too large resource version: 50, current: 7");
  const json::Value* causes = body.FindPath({"details", "causes"});
  ASSERT_NE(causes, nullptr) << r.body;
  EXPECT_EQ(causes->AsArray()[0].GetString({"reason"}), "ResourceVersionTooLarge");
}

// kube-apiserver's MaxRequestBodyBytes: bodies over 3 MiB are refused with 413 before any
// handler runs (the HTTP front's default; tests/httpserver covers the refusal itself).
TEST(RequestLimitsTest, BodiesAreLimitedTo3MiB) {
  EXPECT_EQ(httpserver::ServerOptions{}.max_body_bytes, size_t{3} * 1024 * 1024);
}

TEST(SuccessStatusTest, BindingsAndEvictionsGetA201Success) {
  httpserver::Response r = SuccessStatus(201);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201})");
}

// store.go finalizeDelete: details.kind is the resource, not the kind.
TEST(SuccessStatusTest, DeletedObjectsAreNamedByResourceAndUid) {
  registry::ResourceInfo leases = BuiltInResource("coordination.k8s.io", "leases");
  httpserver::Response r = SuccessStatus(200, &leases, "n1", "u-1");
  EXPECT_EQ(r.status, 200);
  json::Value body = ParseJsonOrDie(r.body);
  EXPECT_EQ(body.GetString({"status"}), "Success");
  EXPECT_EQ(body.GetString({"details", "name"}), "n1");
  EXPECT_EQ(body.GetString({"details", "group"}), "coordination.k8s.io");
  EXPECT_EQ(body.GetString({"details", "kind"}), "leases");
  EXPECT_EQ(body.GetString({"details", "uid"}), "u-1");
}

// client-go's warning handler parses `299 - "<text>"` with Go's strconv.Unquote rules.
TEST(AddWarningsTest, OneQuotedWarningHeaderPerWarning) {
  httpserver::Response r = JsonResponse(200, "{}");
  AddWarnings(&r, {"unknown field \"spec.foo\"", "duplicate field \"metadata.name\"", "back\\slash"});
  EXPECT_THAT(r.headers.GetAll("Warning"),
              ElementsAre(R"(299 - "unknown field \"spec.foo\"")", R"(299 - "duplicate field \"metadata.name\"")",
                          R"(299 - "back\\slash")"));
  httpserver::Response none = JsonResponse(200, "{}");
  AddWarnings(&none, {});
  EXPECT_TRUE(none.headers.GetAll("Warning").empty());
}

TEST(ListJsonTest, CoreListFromSerializedItems) {
  registry::ResourceInfo pods = BuiltInResource("", "pods");
  std::string a = R"({"kind":"Pod","metadata":{"name":"a"}})";
  std::string b = R"({"kind":"Pod","metadata":{"name":"b"}})";
  std::string out = ListJson(pods, {"42", "", std::nullopt}, {&a, &b});
  EXPECT_EQ(out, R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[)" + a + "," + b +
                     "]}");
}

// The Python client and kubectl read `items` even when nothing matched: it is [] never absent.
TEST(ListJsonTest, EmptyGroupListWithContinueAndRemainingCount) {
  registry::ResourceInfo leases = BuiltInResource("coordination.k8s.io", "leases");
  json::Value list = ParseJsonOrDie(ListJson(leases, {"7", "tok", 3}, {}));
  EXPECT_EQ(list.GetString({"kind"}), "LeaseList");
  EXPECT_EQ(list.GetString({"apiVersion"}), "coordination.k8s.io/v1");
  EXPECT_EQ(list.GetString({"metadata", "resourceVersion"}), "7");
  EXPECT_EQ(list.GetString({"metadata", "continue"}), "tok");
  EXPECT_EQ(list.FindPath({"metadata", "remainingItemCount"})->AsInt64(), std::optional<int64_t>(3));
  ASSERT_NE(list.Find("items"), nullptr);
  EXPECT_TRUE(list.Find("items")->is_array());
  EXPECT_TRUE(list.Find("items")->AsArray().empty());
}

json::Value WebPod() {
  return ParseJsonOrDie(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","uid":"u-1",)"
      R"("resourceVersion":"9","creationTimestamp":"2025-11-24T16:00:00Z","labels":{"app":"web"}},)"
      R"("spec":{"nodeName":"n1","containers":[{"name":"c","image":"nginx"}]},)"
      R"("status":{"phase":"Running","podIP":"10.0.0.5","containerStatuses":[{"name":"c","ready":true,)"
      R"("restartCount":2,"image":"nginx","imageID":"","state":{"running":{}}}]}})");
}

TEST(PartialObjectMetadataTest, KeepsOnlyTheMetadata) {
  json::Value pom = PartialObjectMetadata(WebPod());
  EXPECT_EQ(json::Write(pom),
            R"({"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"web",)"
            R"("namespace":"default","uid":"u-1","resourceVersion":"9","creationTimestamp":"2025-11-24T16:00:00Z",)"
            R"("labels":{"app":"web"}}})");
}

const absl::Time kNow = absl::FromUnixSeconds(1764000000 + 300);  // five minutes after creation

// kubectl get pods: a meta.k8s.io/v1 Table with column definitions, one row per object whose
// cells follow the columns and whose object is the PartialObjectMetadata kubectl names rows by.
TEST(TableTest, KubectlGetPods) {
  registry::ResourceInfo pods = BuiltInResource("", "pods");
  json::Value pod = WebPod();
  OutputFormat format{OutputKind::kTable, "v1", "Metadata"};
  json::Value table = Table(pods, {&pod}, format, {"12", "", std::nullopt}, /*with_columns=*/true, kNow);
  EXPECT_EQ(table.GetString({"kind"}), "Table");
  EXPECT_EQ(table.GetString({"apiVersion"}), "meta.k8s.io/v1");
  EXPECT_EQ(table.GetString({"metadata", "resourceVersion"}), "12");
  const json::Value* columns = table.Find("columnDefinitions");
  ASSERT_NE(columns, nullptr);
  std::vector<std::string> names;
  for (const json::Value& c : columns->AsArray()) names.push_back(c.GetString({"name"}));
  ASSERT_GE(names.size(), 5u);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 5),
            std::vector<std::string>({"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(columns->AsArray()[0].GetString({"format"}), "name");
  const json::Value& row = table.Find("rows")->AsArray().at(0);
  const std::vector<json::Value>& cells = row.Find("cells")->AsArray();
  ASSERT_EQ(cells.size(), names.size());
  EXPECT_EQ(cells[0].AsString(), "web");
  EXPECT_EQ(cells[1].AsString(), "1/1");
  EXPECT_EQ(cells[2].AsString(), "Running");
  EXPECT_EQ(cells[4].AsString(), "5m");
  EXPECT_EQ(row.Find("object")->GetString({"kind"}), "PartialObjectMetadata");
  EXPECT_EQ(row.Find("object")->GetString({"metadata", "name"}), "web");
}

// includeObject=None/Object (kubectl get -o custom-columns asks for Object); v1beta1 when asked;
// watch events after the first leave the columns out.
TEST(TableTest, IncludeObjectVersionAndColumnsFollowTheRequest) {
  registry::ResourceInfo pods = BuiltInResource("", "pods");
  json::Value pod = WebPod();
  json::Value none = Table(pods, {&pod}, {OutputKind::kTable, "v1beta1", "None"}, {"1"}, false, kNow);
  EXPECT_EQ(none.GetString({"apiVersion"}), "meta.k8s.io/v1beta1");
  EXPECT_EQ(none.Find("columnDefinitions"), nullptr);
  EXPECT_EQ(none.Find("rows")->AsArray().at(0).Find("object"), nullptr);
  json::Value object = Table(pods, {&pod}, {OutputKind::kTable, "v1", "Object"}, {"1"}, true, kNow);
  EXPECT_EQ(*object.Find("rows")->AsArray().at(0).Find("object"), pod);
  json::Value empty = Table(pods, {}, {OutputKind::kTable, "v1", "Metadata"}, {"1"}, true, kNow);
  EXPECT_TRUE(empty.Find("rows")->AsArray().empty());
}

}  // namespace
}  // namespace cubelet::apiserver::testing
