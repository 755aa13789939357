// Query parameters: booleans as Go's strconv.ParseBool reads them (what the reference asks for;
// kubectl sends "true", the Python client "True"), integers as strconv.ParseInt, selectors,
// dryRun, ListOptions and their validation (apimachinery internalversion/validation
// ValidateListOptions), and DeleteOptions from a body (JSON, YAML or the kubelet's protobuf) or
// else the query (handlers/delete.go, ValidateDeleteOptions).
#include "apiserver/query.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apiserver_test_util.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kproto/envelope.h"

namespace cubelet::apiserver::testing {
namespace {

absl::StatusOr<std::optional<bool>> Bookmarks(const std::string& query) {
  return QueryBool(Get(StrCat("/api/v1/pods?", query)), "allowWatchBookmarks");
}

TEST(QueryBoolTest, AbsentIsNullopt) {
  auto v = Bookmarks("watch=true");
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
}

TEST(QueryBoolTest, EveryStrconvParseBoolSpelling) {
  for (const char* t : {"true", "True", "TRUE", "1", "t", "T"}) {
    auto v = Bookmarks(StrCat("allowWatchBookmarks=", t));
    ASSERT_TRUE(v.ok()) << t << ": " << v.status();
    EXPECT_EQ(*v, std::optional<bool>(true)) << t;
  }
  for (const char* f : {"false", "False", "FALSE", "0", "f", "F"}) {
    auto v = Bookmarks(StrCat("allowWatchBookmarks=", f));
    ASSERT_TRUE(v.ok()) << f << ": " << v.status();
    EXPECT_EQ(*v, std::optional<bool>(false)) << f;
  }
}

TEST(QueryBoolTest, FirstValueWins) {
  auto v = Bookmarks("allowWatchBookmarks=true&allowWatchBookmarks=false");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, std::optional<bool>(true));
}

// Upstream's parameter codec (runtime.Convert_Slice_string_To_bool) would take these as true;
// cubelet-server answers 400 with strconv.ParseBool's error, naming the parameter.
TEST(QueryBoolTest, WhatParseBoolRefusesIsABadRequestNamingTheParameter) {
  for (const char* bad : {"yes", "on", "tRUE", "2", "true%20"}) {
    auto v = Bookmarks(StrCat("allowWatchBookmarks=", bad));
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_THAT(v.status(), IsApiError(400, "BadRequest")) << bad;
    EXPECT_THAT(StatusOf(v.status()).message, ::testing::HasSubstr("allowWatchBookmarks")) << bad;
    EXPECT_THAT(StatusOf(v.status()).message, ::testing::HasSubstr("strconv.ParseBool")) << bad;
  }
}

TEST(QueryIntTest, Values) {
  auto absent = QueryInt(Get("/api/v1/pods"), "limit");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  auto v = QueryInt(Get("/api/v1/pods?limit=500"), "limit");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, std::optional<int64_t>(500));
  auto negative = QueryInt(Get("/api/v1/pods?gracePeriodSeconds=-1"), "gracePeriodSeconds");
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(*negative, std::optional<int64_t>(-1));
  auto max = QueryInt(Get("/api/v1/pods?limit=9223372036854775807"), "limit");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, std::optional<int64_t>(INT64_MAX));
}

TEST(QueryIntTest, MalformedIsABadRequestNamingTheParameter) {
  struct Bad {
    const char* value;
    const char* why;
  };
  for (const Bad& b : {Bad{"abc", "invalid syntax"}, Bad{"1.5", "invalid syntax"}, Bad{"0x10", "invalid syntax"},
                       Bad{"5s", "invalid syntax"}, Bad{"99999999999999999999", "value out of range"}}) {
    auto v = QueryInt(Get(StrCat("/api/v1/pods?timeoutSeconds=", b.value)), "timeoutSeconds");
    EXPECT_THAT(v.status(), IsApiError(400, "BadRequest")) << b.value;
    std::string message = StatusOf(v.status()).message;
    EXPECT_THAT(message, ::testing::HasSubstr("timeoutSeconds"));
    EXPECT_THAT(message, ::testing::HasSubstr(StrCat("strconv.ParseInt: parsing \"", b.value, "\": ", b.why)));
  }
}

TEST(SelectorsTest, LabelAndFieldSelectors) {
  auto none = LabelSelectorOf(Get("/api/v1/pods"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto labels = LabelSelectorOf(Get("/api/v1/pods?labelSelector=app%3Ddemo%2Ctier+in+(a%2Cb)"));
  ASSERT_TRUE(labels.ok()) << labels.status();
  EXPECT_EQ(labels->requirements().size(), 2u);
  // The kubelet's pod watch and kubectl's non-terminated pods.
  auto fields = FieldSelectorOf(
      Get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode1%2Cstatus.phase!%3DSucceeded%2Cstatus.phase!%3DFailed"));
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_EQ(fields->RequiresExactMatch("spec.nodeName"), std::optional<std::string>("node1"));
  EXPECT_EQ(fields->requirements().size(), 3u);
}

TEST(SelectorsTest, MalformedSelectorsAreBadRequests) {
  auto labels = LabelSelectorOf(Get("/api/v1/pods?labelSelector=app+in+(a"));
  EXPECT_THAT(labels.status(), IsApiError(400, "BadRequest"));
  EXPECT_FALSE(StatusOf(labels.status()).message.empty());
  auto fields = FieldSelectorOf(Get("/api/v1/pods?fieldSelector=spec.nodeName"));
  EXPECT_THAT(fields.status(), IsApiError(400, "BadRequest"));
}

TEST(DryRunTest, OnlyAll) {
  EXPECT_FALSE(*DryRunOf(Get("/api/v1/pods")));
  EXPECT_TRUE(*DryRunOf(Get("/api/v1/pods?dryRun=All")));
  EXPECT_TRUE(*DryRunOf(Get("/api/v1/pods?dryRun=All&dryRun=All")));
  for (const char* bad : {"all", "", "true", "Server"}) {
    auto dry = DryRunOf(Get(StrCat("/api/v1/pods?dryRun=", bad)));
    EXPECT_THAT(dry.status(), IsApiError(422, "Invalid")) << bad;
    EXPECT_EQ(CausesOf(dry.status()),
              std::vector<std::string>({StrCat("dryRun: Unsupported value: \"", bad, "\": supported values: \"All\"")}));
  }
  EXPECT_FALSE(DryRunOf(Get("/api/v1/pods?dryRun=All&dryRun=bogus")).ok());
}

TEST(ListOptionsTest, ReadsEveryParameter) {
  auto o = ListOptionsOf(Get(
      "/api/v1/pods?limit=500&resourceVersion=42&resourceVersionMatch=NotOlderThan&labelSelector=app%3Dx&"
      "fieldSelector=spec.nodeName%3Dn1"));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->limit, 500);
  auto next_page = ListOptionsOf(Get("/api/v1/pods?limit=500&continue=abc"));
  ASSERT_TRUE(next_page.ok()) << next_page.status();
  EXPECT_EQ(next_page->continue_token, "abc");
  EXPECT_EQ(o->resource_version, "42");
  EXPECT_EQ(o->resource_version_match, "NotOlderThan");
  EXPECT_FALSE(o->labels.empty());
  EXPECT_EQ(o->fields.RequiresExactMatch("spec.nodeName"), std::optional<std::string>("n1"));
}

TEST(ListOptionsTest, KubectlShapes) {
  auto get = ListOptionsOf(Get("/api/v1/namespaces/default/pods?limit=500"));
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->limit, 500);
  EXPECT_EQ(get->resource_version, "");
  EXPECT_EQ(get->continue_token, "");
  auto wait = ListOptionsOf(Get("/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dx&limit=500&resourceVersion=0"));
  ASSERT_TRUE(wait.ok());
  EXPECT_EQ(wait->resource_version, "0");
  EXPECT_EQ(wait->fields.RequiresExactMatch("metadata.name"), std::optional<std::string>("x"));
  auto exact = ListOptionsOf(Get("/api/v1/pods?resourceVersion=5&resourceVersionMatch=Exact"));
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->resource_version_match, "Exact");
}

// A continue token is opaque: it is passed on byte for byte (kubectl's second page).
TEST(ListOptionsTest, ContinueTokenIsPassedOnDecoded) {
  auto o = ListOptionsOf(Get("/api/v1/pods?limit=2&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTJ9%3D%3D"));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->continue_token, "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTJ9==");
}

TEST(ListOptionsTest, NegativeOrZeroLimitIsNoLimit) {
  for (const char* limit : {"-3", "0", ""}) {
    auto o = ListOptionsOf(Get(StrCat("/api/v1/pods?limit=", limit)));
    ASSERT_TRUE(o.ok()) << limit;
    EXPECT_EQ(o->limit, 0) << limit;
  }
}

TEST(ListOptionsTest, MalformedLimitOrSelectorIsABadRequest) {
  for (const char* target : {"/api/v1/pods?limit=ten", "/api/v1/pods?labelSelector=a+in+(", "/api/v1/pods?fieldSelector=x"}) {
    EXPECT_THAT(ListOptionsOf(Get(target)).status(), IsApiError(400, "BadRequest")) << target;
  }
}

// The 422 ListOptions error of `query` has exactly the cause `cause`.
void ExpectInvalidListOptions(const std::string& query, const std::string& cause) {
  auto o = ListOptionsOf(Get(StrCat("/api/v1/pods?", query)));
  EXPECT_THAT(o.status(), IsApiError(422, "Invalid")) << query;
  apierrors::ApiStatus s = StatusOf(o.status());
  ASSERT_TRUE(s.details.has_value()) << query;
  EXPECT_EQ(s.details->group, "meta.k8s.io");
  EXPECT_EQ(s.details->kind, "ListOptions");
  EXPECT_EQ(CausesOf(o.status()), std::vector<std::string>({cause})) << query;
}

TEST(ListOptionsTest, ResourceVersionMatchIsValidated) {
  ExpectInvalidListOptions("resourceVersion=5&resourceVersionMatch=Newest",
                           "resourceVersionMatch: Unsupported value: \"Newest\": supported values: \"Exact\", "
                           "\"NotOlderThan\", \"\"");
  ExpectInvalidListOptions("resourceVersionMatch=NotOlderThan",
                           "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion "
                           "is provided");
}

// ValidateListOptions' other rules for a list.
TEST(ListOptionsTest, ResourceVersionMatchWithContinueOrExactZeroAndSendInitialEventsAreInvalid) {
  ExpectInvalidListOptions("resourceVersion=5&resourceVersionMatch=NotOlderThan&continue=tok",
                           "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided");
  ExpectInvalidListOptions("resourceVersion=0&resourceVersionMatch=Exact",
                           "resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for "
                           "resourceVersion \"0\"");
  ExpectInvalidListOptions("sendInitialEvents=true",
                           "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list");
}

// errors.NewInvalid prints the group-qualified kind (schema.GroupKind.String()).
TEST(ListOptionsTest, InvalidMessageNamesTheGroupQualifiedKind) {
  auto o = ListOptionsOf(Get("/api/v1/pods?resourceVersion=5&resourceVersionMatch=Newest"));
  EXPECT_EQ(StatusOf(o.status()).message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: \"Newest\": supported "
            "values: \"Exact\", \"NotOlderThan\", \"\"");
}

constexpr char kPod[] = "/api/v1/namespaces/default/pods/x";

httpserver::Request Delete(std::string target, std::string body = "", std::string content_type = "application/json") {
  return WithBody("DELETE", std::move(target), std::move(content_type), std::move(body));
}

TEST(DeleteOptionsTest, NoBodyNoQueryIsTheDefault) {
  auto o = DeleteOptionsOf(Delete(kPod, "", ""));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->grace_period_seconds.has_value());
  EXPECT_EQ(o->propagation_policy, "");
  EXPECT_FALSE(o->dry_run);
  EXPECT_FALSE(o->preconditions.uid.has_value());
  EXPECT_FALSE(o->preconditions.resource_version.has_value());
}

TEST(DeleteOptionsTest, FullBody) {
  auto o = DeleteOptionsOf(Delete(
      kPod, R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":30,"propagationPolicy":"Foreground",)"
            R"("preconditions":{"uid":"u-1","resourceVersion":"7"},"dryRun":["All"]})"));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->grace_period_seconds, std::optional<int64_t>(30));
  EXPECT_EQ(o->propagation_policy, "Foreground");
  EXPECT_EQ(o->preconditions.uid, std::optional<std::string>("u-1"));
  EXPECT_EQ(o->preconditions.resource_version, std::optional<std::string>("7"));
  EXPECT_TRUE(o->dry_run);
}

// The kubelet deletes a pod with a UID precondition (grace 0), as JSON or, from client-go's
// typed client, as protobuf.
TEST(DeleteOptionsTest, KubeletUidPreconditionInJsonAndProtobuf) {
  constexpr char kBody[] = R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0,"preconditions":{"uid":"6b1c"}})";
  auto json_body = DeleteOptionsOf(Delete(kPod, kBody));
  auto encoded = kproto::Encode(schema::Schema::BuiltIn(), "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
                                ParseJsonOrDie(kBody));
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  auto proto_body = DeleteOptionsOf(Delete(kPod, *encoded, "application/vnd.kubernetes.protobuf"));
  for (const auto* o : {&json_body, &proto_body}) {
    ASSERT_TRUE(o->ok()) << o->status();
    EXPECT_EQ((*o)->grace_period_seconds, std::optional<int64_t>(0));
    EXPECT_EQ((*o)->preconditions.uid, std::optional<std::string>("6b1c"));
    EXPECT_FALSE((*o)->preconditions.resource_version.has_value());
  }
}

// Where each client puts its options, and what they come to.
TEST(DeleteOptionsTest, FromTheBodyOrElseTheQuery) {
  struct Case {
    const char* why;
    httpserver::Request request;
    std::optional<int64_t> grace;
    const char* policy;
    bool dry_run;
  };
  const Case cases[] = {
      {"kubectl delete", Delete(kPod, R"({"propagationPolicy":"Background"})"), std::nullopt, "Background", false},
      {"kubectl delete --force", Delete(kPod, R"({"gracePeriodSeconds":0,"propagationPolicy":"Background"})"), 0,
       "Background", false},
      {"a YAML body", Delete(kPod, "gracePeriodSeconds: 3\npropagationPolicy: Orphan\n", "application/yaml"), 3,
       "Orphan", false},
      {"the Python client's query",
       Delete(StrCat(kPod, "?gracePeriodSeconds=5&propagationPolicy=Foreground&dryRun=All"), "", ""), 5, "Foreground",
       true},
      // delete.go: with a body, the query is not read at all.
      {"a body and a query", Delete(StrCat(kPod, "?gracePeriodSeconds=0&propagationPolicy=Orphan"), R"({"gracePeriodSeconds":5})"),
       5, "", false},
      // The deprecated orphanDependents becomes a policy.
      {"orphanDependents=True", Delete(StrCat(kPod, "?orphanDependents=True"), "", ""), std::nullopt, "Orphan", false},
      {"orphanDependents: true", Delete(kPod, R"({"orphanDependents":true})"), std::nullopt, "Orphan", false},
      {"orphanDependents: false", Delete(kPod, R"({"orphanDependents":false})"), std::nullopt, "Background", false},
  };
  for (const Case& c : cases) {
    auto o = DeleteOptionsOf(c.request);
    ASSERT_TRUE(o.ok()) << c.why << ": " << o.status();
    EXPECT_EQ(o->grace_period_seconds, c.grace) << c.why;
    EXPECT_EQ(o->propagation_policy, c.policy) << c.why;
    EXPECT_EQ(o->dry_run, c.dry_run) << c.why;
  }
}

// ValidateDeleteOptions: orphanDependents and propagationPolicy together is a 422 on
// propagationPolicy.
TEST(DeleteOptionsTest, OrphanDependentsAndPropagationPolicyCannotBothBeSet) {
  for (const httpserver::Request& r :
       {Delete(StrCat(kPod, "?orphanDependents=false&propagationPolicy=Foreground"), "", ""),
        Delete(kPod, R"({"orphanDependents":true,"propagationPolicy":"Orphan"})")}) {
    auto o = DeleteOptionsOf(r);
    EXPECT_THAT(o.status(), IsApiError(422, "Invalid")) << r.target << " " << r.body;
    std::vector<std::string> causes = CausesOf(o.status());
    ASSERT_EQ(causes.size(), 1u);
    EXPECT_THAT(causes[0], ::testing::StartsWith("propagationPolicy: "));
    EXPECT_THAT(causes[0], ::testing::HasSubstr("orphanDependents and deletionPropagation cannot be both set"));
  }
}

TEST(DeleteOptionsTest, BadDryRunIsInvalid) {
  EXPECT_THAT(DeleteOptionsOf(Delete(kPod, R"({"dryRun":["Server"]})")).status(), IsApiError(422, "Invalid"));
  EXPECT_THAT(DeleteOptionsOf(Delete(StrCat(kPod, "?dryRun=Server"), "", "")).status(), IsApiError(422, "Invalid"));
}

TEST(DeleteOptionsTest, MalformedBodiesAreBadRequests) {
  for (const char* body : {"[1,2]", "{", R"({"kind":"Pod"})", R"({"gracePeriodSeconds":"30"})",
                           R"({"gracePeriodSeconds":1.5})", R"({"propagationPolicy":3})", R"({"orphanDependents":"yes"})"}) {
    EXPECT_THAT(DeleteOptionsOf(Delete(kPod, body)).status(), IsApiError(400, "BadRequest")) << body;
  }
  EXPECT_THAT(DeleteOptionsOf(Delete(StrCat(kPod, "?gracePeriodSeconds=soon"), "", "")).status(),
              IsApiError(400, "BadRequest"));
}

TEST(DeleteOptionsTest, UnsupportedBodyTypeIs415) {
  EXPECT_THAT(DeleteOptionsOf(Delete(kPod, "x", "application/cbor")).status(), IsApiError(415, "UnsupportedMediaType"));
}

}  // namespace
}  // namespace cubelet::apiserver::testing
