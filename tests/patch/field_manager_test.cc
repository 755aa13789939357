#include "patch/field_manager.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "common/strings.h"
#include "patch/conflict_message.h"
#include "patch/test_schema.h"

namespace cubelet::patch {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using testing::J;
using testing::kConfigMapType;
using testing::kPodType;
using testing::TestSchema;

absl::Time T(int seconds) { return absl::FromUnixSeconds(1700000000 + seconds); }
constexpr char kT0[] = "2023-11-14T22:13:20Z";
constexpr char kT60[] = "2023-11-14T22:14:20Z";

constexpr char kNginx[] = R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"nginx","namespace":"default","labels":{"app":"web"}},
    "spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}})";

std::string WithImage(std::string_view image) {
  return StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx","namespace":"default",
      "labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":")",
                image, R"("}]}})");
}

ApplyResult MustApply(const json::Value* live, std::string_view config, std::string manager, int at = 0,
                      bool force = false, std::string_view type = kPodType) {
  ApplyRequest request{.manager = std::move(manager), .api_version = "v1", .force = force, .now = T(at)};
  auto result = Apply(TestSchema(), type, live, J(config), request);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : ApplyResult();
}

json::Value Applied(const json::Value* live, std::string_view config, std::string manager, int at = 0,
                    bool force = false) {
  ApplyResult result = MustApply(live, config, std::move(manager), at, force);
  EXPECT_TRUE(result.conflicts.empty()) << result.conflicts.size() << " conflicts, first "
                                        << (result.conflicts.empty() ? "" : result.conflicts[0].field);
  return result.object;
}

std::string ApplyError(std::string_view config) {
  auto result = Apply(TestSchema(), kPodType, nullptr, J(config), ApplyRequest{.manager = "kubectl", .api_version = "v1"});
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(result.status().message());
}

// The entry of `manager` with `operation`, or null.
json::Value Entry(const json::Value& object, std::string_view manager, std::string_view operation = "Apply") {
  const json::Value* list = object.FindPath({"metadata", "managedFields"});
  if (list == nullptr) return json::Value();
  for (const json::Value& e : list->AsArray()) {
    if (e.GetString({"manager"}) == manager && e.GetString({"operation"}) == operation) return e;
  }
  return json::Value();
}

json::Value Fields(const json::Value& object, std::string_view manager, std::string_view operation = "Apply") {
  json::Value e = Entry(object, manager, operation);
  const json::Value* fields = e.Find("fieldsV1");
  return fields != nullptr ? *fields : json::Value();
}

json::Value Updated(const json::Value* old, json::Value updated, std::string_view manager, int at) {
  RecordUpdate(TestSchema(), kPodType, old, &updated, manager, "v1", T(at));
  return updated;
}

TEST(ApplyTest, CreatesTheObjectWhenNoneExists) {
  json::Value created = Applied(nullptr, kNginx, "kubectl");
  json::Value expected = J(kNginx);
  expected.FindPath({"metadata"})->Set("managedFields", J(StrCat(R"([{"manager":"kubectl","operation":"Apply",
      "apiVersion":"v1","time":")", kT0, R"(","fieldsType":"FieldsV1","fieldsV1":{
      "f:metadata":{"f:labels":{"f:app":{}}},
      "f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}])")));
  EXPECT_EQ(created, expected);
}

TEST(ApplyTest, SecondIdenticalApplyChangesNothing) {
  json::Value first = Applied(nullptr, kNginx, "kubectl", 0);
  json::Value second = Applied(&first, kNginx, "kubectl", 60);
  EXPECT_EQ(json::Write(second), json::Write(first));
  json::Value third = Applied(&second, kNginx, "kubectl", 120);
  EXPECT_EQ(json::Write(third), json::Write(first));
}

TEST(ApplyTest, AChangedFieldIsUpdated) {
  json::Value first = Applied(nullptr, kNginx, "kubectl", 0);
  json::Value second = Applied(&first, WithImage("nginx:1.26"), "kubectl", 60);
  EXPECT_EQ(second.FindPath({"spec", "containers"})->AsArray()[0].GetString({"image"}), "nginx:1.26");
  EXPECT_EQ(Entry(second, "kubectl").GetString({"time"}), kT60);
  EXPECT_EQ(Fields(second, "kubectl"), Fields(first, "kubectl"));
}

TEST(ApplyTest, AFieldDroppedFromTheConfigurationIsRemoved) {
  json::Value first = Applied(nullptr, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx",
      "labels":{"app":"web","tier":"fe"}},"spec":{"restartPolicy":"Never","containers":[{"name":"a"},{"name":"b"}]}})",
                              "kubectl");
  json::Value second = Applied(&first, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx",
      "labels":{"app":"web"}},"spec":{"containers":[{"name":"a"}]}})",
                               "kubectl", 60);
  EXPECT_EQ(*second.FindPath({"metadata", "labels"}), J(R"({"app":"web"})"));
  EXPECT_EQ(*second.Find("spec"), J(R"({"containers":[{"name":"a"}]})"));
  EXPECT_EQ(Fields(second, "kubectl"), J(R"({"f:metadata":{"f:labels":{"f:app":{}}},
      "f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:name":{}}}}})"));
}

TEST(ApplyTest, AFieldAnotherManagerOwnsStaysWhenDropped) {
  json::Value first = Applied(nullptr, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",
      "labels":{"app":"web","tier":"fe"}}})",
                              "alice");
  // Bob applies the same value: ownership is shared, no conflict.
  json::Value second = Applied(&first, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",
      "labels":{"tier":"fe"}}})",
                               "bob", 10);
  EXPECT_EQ(Fields(second, "bob"), J(R"({"f:metadata":{"f:labels":{"f:tier":{}}}})"));
  EXPECT_EQ(Fields(second, "alice"), J(R"({"f:metadata":{"f:labels":{"f:app":{},"f:tier":{}}}})"));
  json::Value third = Applied(&second, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",
      "labels":{"app":"web"}}})",
                              "alice", 20);
  EXPECT_EQ(*third.FindPath({"metadata", "labels"}), J(R"({"app":"web","tier":"fe"})"));
  EXPECT_EQ(Fields(third, "alice"), J(R"({"f:metadata":{"f:labels":{"f:app":{}}}})"));
  EXPECT_EQ(Fields(third, "bob"), J(R"({"f:metadata":{"f:labels":{"f:tier":{}}}})"));
}

TEST(ApplyTest, AnItemAnotherManagerChangedStaysWithItsKeys) {
  json::Value first = Applied(nullptr, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a","image":"a:1"},{"name":"web","image":"w:1","args":["x"]}]}})",
                              "kubectl", 0);
  json::Value edited = first;
  edited.FindPath({"spec", "containers"})->AsArray()[1].Set("image", "w:2");
  json::Value updated = Updated(&first, edited, "kubectl-edit", 10);
  json::Value dropped = Applied(&updated, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a","image":"a:1"}]}})",
                                "kubectl", 20);
  EXPECT_EQ(*dropped.FindPath({"spec", "containers"}),
            J(R"([{"name":"a","image":"a:1"},{"name":"web","image":"w:2"}])"));
}

TEST(ApplyTest, ConflictsWithAnUpdaterThatSetADifferentValue) {
  json::Value created = Updated(nullptr, J(kNginx), "kubectl-client-side-apply", 0);
  auto result = Apply(TestSchema(), kPodType, &created, J(WithImage("nginx:1.26")),
                      ApplyRequest{.manager = "kubectl", .api_version = "v1", .now = T(60)});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_THAT(result->conflicts,
              ElementsAre(AllOf(Field(&Conflict::manager, "kubectl-client-side-apply"),
                                Field(&Conflict::api_version, "v1"),
                                Field(&Conflict::field, R"(.spec.containers[name="nginx"].image)"))));
  EXPECT_EQ(ConflictMessage(result->conflicts),
            R"(Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: )"
            R"(.spec.containers[name="nginx"].image)");
  EXPECT_EQ(ConflictCauseMessage(result->conflicts[0]), R"(conflict with "kubectl-client-side-apply" using v1)");
}

TEST(ApplyTest, ForceTakesOwnershipFromTheOtherManager) {
  json::Value created = Updated(nullptr, J(kNginx), "kubectl-client-side-apply", 0);
  json::Value forced = Applied(&created, WithImage("nginx:1.26"), "kubectl", 60, /*force=*/true);
  EXPECT_EQ(forced.FindPath({"spec", "containers"})->AsArray()[0].GetString({"image"}), "nginx:1.26");
  EXPECT_EQ(Fields(forced, "kubectl-client-side-apply", "Update"),
            J(R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},
                  "f:spec":{"f:containers":{".":{},"k:{\"name\":\"nginx\"}":{".":{},"f:name":{}}}}})"));
  EXPECT_EQ(Fields(forced, "kubectl"), J(R"({"f:metadata":{"f:labels":{"f:app":{}}},
      "f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}})"));
  // Appliers sort before updaters.
  const json::Array& entries = forced.FindPath({"metadata", "managedFields"})->AsArray();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].GetString({"manager"}), "kubectl");
}

TEST(ApplyTest, EqualValuesAreSharedWithoutConflict) {
  json::Value created = Updated(nullptr, J(kNginx), "kubectl-client-side-apply", 0);
  json::Value applied = Applied(&created, kNginx, "kubectl", 60);
  EXPECT_EQ(Fields(applied, "kubectl-client-side-apply", "Update"), Fields(created, "kubectl-client-side-apply", "Update"));
  EXPECT_EQ(Fields(applied, "kubectl"), Fields(Applied(nullptr, kNginx, "kubectl"), "kubectl"));
}

TEST(ApplyTest, ConflictsWithAnotherApplierAndListsEveryConflict) {
  json::Value created = Updated(nullptr, J(kNginx), "m1", 0);
  json::Value second = Applied(&created, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx"},
      "spec":{"restartPolicy":"Always"}})",
                               "m2", 10);
  auto result = Apply(TestSchema(), kPodType, &second, J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx"},
      "spec":{"restartPolicy":"Never","containers":[{"name":"nginx","image":"other"}]}})"),
                      ApplyRequest{.manager = "kubectl", .api_version = "v1", .now = T(60)});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(ConflictMessage(result->conflicts),
            "Apply failed with 2 conflicts: conflicts with \"m1\" using v1:\n"
            "- .spec.containers[name=\"nginx\"].image\n"
            "conflicts with \"m2\":\n"
            "- .spec.restartPolicy");
}

TEST(RecordUpdateTest, TheUpdaterTakesTheFieldsItChanged) {
  json::Value applied = Applied(nullptr, kNginx, "kubectl", 0);
  json::Value changed = applied;
  changed.FindPath({"spec", "containers"})->AsArray()[0].Set("image", "nginx:1.26");
  json::Value updated = Updated(&applied, changed, "kubectl-edit", 60);
  EXPECT_EQ(Fields(updated, "kubectl-edit", "Update"),
            J(R"({"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{"f:image":{}}}}})"));
  EXPECT_EQ(Entry(updated, "kubectl-edit", "Update").GetString({"time"}), kT60);
  EXPECT_EQ(Fields(updated, "kubectl"), J(R"({"f:metadata":{"f:labels":{"f:app":{}}},
      "f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:name":{}}}}})"));
  // Applying the old image again now conflicts with the updater.
  auto result = Apply(TestSchema(), kPodType, &updated, J(kNginx),
                      ApplyRequest{.manager = "kubectl", .api_version = "v1", .now = T(120)});
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->conflicts.size(), 1u);
  EXPECT_EQ(result->conflicts[0].manager, "kubectl-edit");
}

TEST(RecordUpdateTest, CreateOwnsWhatTheObjectHolds) {
  json::Value created = Updated(nullptr, J(kNginx), "kubectl-create", 0);
  EXPECT_EQ(Entry(created, "kubectl-create", "Update"),
            J(StrCat(R"({"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":")", kT0,
                     R"(","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},
                        "f:spec":{"f:containers":{".":{},"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}})")));
}

TEST(RecordUpdateTest, RemovedFieldsLeaveEverySet) {
  json::Value applied = Applied(nullptr, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",
      "labels":{"app":"web","tier":"fe"}}})",
                                "kubectl", 0);
  json::Value changed = applied;
  changed.FindPath({"metadata", "labels"})->Erase("tier");
  json::Value updated = Updated(&applied, changed, "kubectl-label", 60);
  EXPECT_EQ(Fields(updated, "kubectl"), J(R"({"f:metadata":{"f:labels":{"f:app":{}}}})"));
  // The updater changed nothing that remains, so it gets no entry.
  EXPECT_TRUE(Entry(updated, "kubectl-label", "Update").is_null());
}

TEST(RecordUpdateTest, AnUnchangedObjectKeepsItsEntries) {
  json::Value created = Updated(nullptr, J(kNginx), "kubectl-create", 0);
  json::Value again = Updated(&created, created, "kubectl-create", 60);
  EXPECT_EQ(json::Write(again), json::Write(created));
  // A client that drops managedFields does not erase them.
  json::Value stripped = created;
  stripped.FindPath({"metadata"})->Erase("managedFields");
  EXPECT_EQ(Updated(&created, stripped, "kubectl-replace", 60), created);
}

TEST(RecordUpdateTest, ServerOwnedMetadataIsNeverTracked) {
  json::Value created = Updated(nullptr, J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d",
      "uid":"u1","resourceVersion":"1","creationTimestamp":"2024-01-01T00:00:00Z","generation":1}})"),
                                "kubectl-create", 0);
  EXPECT_TRUE(Entry(created, "kubectl-create", "Update").is_null());
  json::Value bumped = created;
  bumped.FindPath({"metadata"})->Set("resourceVersion", "2");
  EXPECT_TRUE(Entry(Updated(&created, bumped, "x", 60), "x", "Update").is_null());
  json::Value applied = Applied(&created, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d",
      "uid":"u1","labels":{"a":"b"}}})",
                                "kubectl", 60);
  EXPECT_EQ(Fields(applied, "kubectl"), J(R"({"f:metadata":{"f:labels":{"f:a":{}}}})"));
}

TEST(ApplyTest, ListsKeyedByContainerPortAndProtocol) {
  constexpr char kPorts[] = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"dns"},
      "spec":{"containers":[{"name":"dns","ports":[{"containerPort":53,"protocol":"UDP"},{"containerPort":53}]}]}})";
  json::Value created = Applied(nullptr, kPorts, "kubectl");
  EXPECT_EQ(Fields(created, "kubectl"), J(R"({"f:spec":{"f:containers":{"k:{\"name\":\"dns\"}":{".":{},"f:name":{},
      "f:ports":{"k:{\"containerPort\":53,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}},
                 "k:{\"containerPort\":53,\"protocol\":\"UDP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}})"));
  // The server defaults protocol; applying the same configuration again changes nothing.
  json::Value defaulted = created;
  defaulted.FindPath({"spec", "containers"})->AsArray()[0].Find("ports")->AsArray()[1].Set("protocol", "TCP");
  json::Value again = Applied(&defaulted, kPorts, "kubectl", 60);
  EXPECT_EQ(json::Write(again), json::Write(defaulted));
}

TEST(ApplyTest, SetsAreOwnedItemByItem) {
  constexpr char kPrefix[] = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","finalizers":)";
  json::Value first = Applied(nullptr, StrCat(kPrefix, R"(["a","b"]}})"), "alice", 0);
  EXPECT_EQ(Fields(first, "alice"), J(R"({"f:metadata":{"f:finalizers":{"v:\"a\"":{},"v:\"b\"":{}}}})"));
  json::Value second = Applied(&first, StrCat(kPrefix, R"(["c"]}})"), "bob", 10);
  EXPECT_EQ(*second.FindPath({"metadata", "finalizers"}), J(R"(["a","b","c"])"));
  json::Value third = Applied(&second, StrCat(kPrefix, R"(["a"]}})"), "alice", 20);
  EXPECT_EQ(*third.FindPath({"metadata", "finalizers"}), J(R"(["a","c"])"));
}

TEST(ApplyTest, AtomicListsAreOneLeaf) {
  json::Value created = Applied(nullptr, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a","args":["x","y"]}],"tolerations":[{"key":"k"}]}})",
                                "kubectl");
  EXPECT_EQ(Fields(created, "kubectl"), J(R"({"f:spec":{"f:tolerations":{},
      "f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:name":{},"f:args":{}}}}})"));
}

TEST(ApplyTest, NewItemsFollowTheConfigurationsOrder) {
  json::Value live = Updated(nullptr, J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a"},{"name":"sidecar"},{"name":"b"}]}})"),
                             "injector", 0);
  json::Value applied = Applied(&live, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a"},{"name":"new"},{"name":"b"}]}})",
                                "kubectl", 10);
  std::vector<std::string> names;
  for (const json::Value& c : applied.FindPath({"spec", "containers"})->AsArray()) names.push_back(c.GetString({"name"}));
  EXPECT_THAT(names, ElementsAre("a", "sidecar", "new", "b"));

  // Reordered items follow the configuration; the injected one keeps its place before "b".
  json::Value reordered = Applied(&applied, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"b"},{"name":"a"}]}})",
                                  "kubectl", 20);
  names.clear();
  for (const json::Value& c : reordered.FindPath({"spec", "containers"})->AsArray()) names.push_back(c.GetString({"name"}));
  EXPECT_THAT(names, ElementsAre("sidecar", "b", "a"));
}

TEST(ApplyTest, RejectsConfigurationsThatCannotBeApplied) {
  EXPECT_THAT(ApplyError(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"x"},{"name":"x"}]}})"),
              HasSubstr(R"(.spec.containers: duplicate entries for key [name="x"])"));
  EXPECT_THAT(ApplyError(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"image":"x"}]}})"),
              HasSubstr(R"(.spec.containers: associative list with keys has an element that omits key field "name")"));
  EXPECT_THAT(ApplyError(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","managedFields":[]}})"),
              HasSubstr("metadata.managedFields must be nil"));
  EXPECT_THAT(ApplyError("[]"), HasSubstr("must be an object"));
}

TEST(ApplyTest, AnEmptyConfigurationLeavesNoEntry) {
  json::Value created = Applied(nullptr, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}})", "kubectl");
  EXPECT_EQ(created.FindPath({"metadata", "managedFields"}), nullptr);
}

// A free-form value nested `depth` objects deep.
json::Value Nested(int depth) {
  json::Value v = "leaf";
  for (int i = 0; i < depth; ++i) {
    json::Value outer = json::Value::EmptyObject();
    outer.Set("n", std::move(v));
    v = std::move(outer);
  }
  return v;
}

TEST(ApplyTest, DeepFreeFormValuesAreTrackedOrRefused) {
  json::Value config = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})");
  config.Set("extra", Nested(900));
  ApplyRequest request{.manager = "kubectl", .api_version = "v1", .now = T(0)};
  auto deep = Apply(TestSchema(), kConfigMapType, nullptr, config, request);
  ASSERT_TRUE(deep.ok()) << deep.status();
  auto again = Apply(TestSchema(), kConfigMapType, &deep->object, config, request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->conflicts.empty());
  config.Set("extra", Nested(1500));
  auto too_deep = Apply(TestSchema(), kConfigMapType, nullptr, config, request);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_THAT(std::string(too_deep.status().message()), HasSubstr("nested too deeply"));
}

}  // namespace
}  // namespace cubelet::patch
