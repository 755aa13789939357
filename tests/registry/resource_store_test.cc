#include "registry/resource_store.h"

#include <gtest/gtest.h>

#include "apierrors/apierrors.h"
#include "registry/registry_fixture.h"
#include "common/strings.h"
#include "json/write.h"

namespace cubelet::registry {
namespace {

using ResourceStoreTest = RegistryFixture;

constexpr char kPod[] = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},
  "spec":{"containers":[{"name":"c","image":"busybox"}]}})";

template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& s) { return s.status(); }

#define EXPECT_API_ERROR(expr, want_code, message_part)                               \
  do {                                                                                \
    auto _r = (expr);                                                                 \
    ASSERT_FALSE(StatusOf(_r).ok());                                                  \
    apierrors::ApiStatus _s = apierrors::FromStatus(StatusOf(_r));                    \
    EXPECT_EQ(_s.code, want_code) << _s.message;                                      \
    EXPECT_NE(_s.message.find(message_part), std::string::npos) << _s.message;        \
  } while (0)

TEST_F(ResourceStoreTest, CreateSetsServerFieldsAndDefaultsAPod) {
  auto created = Store("", "pods").Create("default", J(kPod), {});
  ASSERT_TRUE(created.ok()) << created.status();
  const json::Value& pod = *(*created)->object;
  EXPECT_EQ(pod.GetString({"metadata", "uid"}).size(), 36u);
  EXPECT_FALSE(pod.GetString({"metadata", "creationTimestamp"}).empty());
  EXPECT_EQ(pod.GetString({"metadata", "namespace"}), "default");
  EXPECT_EQ(pod.GetString({"metadata", "resourceVersion"}), std::to_string((*created)->mod_revision));
  EXPECT_EQ(pod.GetString({"status", "phase"}), "Pending");
  EXPECT_EQ(pod.GetString({"status", "qosClass"}), "BestEffort");
  EXPECT_EQ(pod.GetString({"spec", "restartPolicy"}), "Always");
  EXPECT_EQ(pod.GetString({"spec", "schedulerName"}), "default-scheduler");
  const json::Value* grace = pod.FindPath({"spec", "terminationGracePeriodSeconds"});
  ASSERT_NE(grace, nullptr);
  EXPECT_EQ(grace->AsInt64(), 30);
  EXPECT_EQ(pod.FindPath({"spec", "containers"})->AsArray()[0].GetString({"imagePullPolicy"}), "Always");
}

TEST_F(ResourceStoreTest, CreateRefusesDuplicatesAndNamespaceMismatch) {
  ASSERT_TRUE(Store("", "pods").Create("default", J(kPod), {}).ok());
  EXPECT_API_ERROR(Store("", "pods").Create("default", J(kPod), {}), 409, "pods \"web\" already exists");
  json::Value other = J(kPod);
  other["metadata"].Set("namespace", "kube-system");
  EXPECT_API_ERROR(Store("", "pods").Create("default", other, {}), 400, "does not match the namespace");
}

TEST_F(ResourceStoreTest, GenerateNameAppendsFiveCharacters) {
  json::Value cm = J(R"({"metadata":{"generateName":"cfg-"},"data":{"a":"b"}})");
  auto created = Store("", "configmaps").Create("default", cm, {});
  ASSERT_TRUE(created.ok()) << created.status();
  std::string name = (*created)->name;
  EXPECT_EQ(name.size(), 9u);
  EXPECT_EQ(name.substr(0, 4), "cfg-");
}

TEST_F(ResourceStoreTest, InvalidObjectsAreRefusedWithCausesAndNothingIsWritten) {
  int64_t before = Revision();
  EXPECT_API_ERROR(Store("", "configmaps").Create("default", J(R"({"metadata":{"name":"Bad_Name"}})"), {}), 422,
                   "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\"");
  EXPECT_API_ERROR(Store("", "pods").Create("default", J(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}})"), {}),
                   422, "spec.containers[0].image: Required value");
  EXPECT_API_ERROR(Store("", "configmaps").Create("default", J(R"({"metadata":{"name":"x","labels":{"a b":"c"}}})"), {}),
                   422, "metadata.labels: Invalid value: \"a b\"");
  EXPECT_EQ(Revision(), before);
}

TEST_F(ResourceStoreTest, StaleUpdateIsAConflictAndNoOpWritesNothing) {
  auto created = Store("", "configmaps").Create("default", J(R"({"metadata":{"name":"c"},"data":{"k":"1"}})"), {});
  ASSERT_TRUE(created.ok());
  json::Value v1 = *(*created)->object;
  json::Value changed = v1;
  changed.Set("data", J(R"({"k":"2"})"));
  auto updated = Store("", "configmaps").Update("default", "c", changed, {});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_GT((*updated)->mod_revision, (*created)->mod_revision);
  // The same body again carries the old resourceVersion.
  EXPECT_API_ERROR(Store("", "configmaps").Update("default", "c", changed, {}), 409,
                   "Operation cannot be fulfilled on configmaps \"c\": the object has been modified");
  int64_t before = Revision();
  json::Value same = *(*updated)->object;
  auto noop = Store("", "configmaps").Update("default", "c", same, {});
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ(Revision(), before);
  EXPECT_EQ((*noop)->mod_revision, (*updated)->mod_revision);
}

TEST_F(ResourceStoreTest, MainResourceKeepsStatusAndStatusSubresourceKeepsSpec) {
  ASSERT_TRUE(Store("", "pods").Create("default", J(kPod), {}).ok());
  auto status = Store("", "pods").UpdateStatus(
      "default", "web",
      J(R"({"metadata":{"name":"web"},"spec":{"containers":[{"name":"c","image":"changed"}]},"status":{"phase":"Running"}})"),
      {});
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ((*status)->object->GetString({"status", "phase"}), "Running");
  EXPECT_EQ((*status)->object->FindPath({"spec", "containers"})->AsArray()[0].GetString({"image"}), "busybox");
  json::Value pod = *(*status)->object;
  pod.Set("status", J(R"({"phase":"Failed"})"));
  pod["metadata"].Ensure({"labels"}).Set("x", "y");
  auto updated = Store("", "pods").Update("default", "web", pod, {});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ((*updated)->object->GetString({"status", "phase"}), "Running");
  EXPECT_EQ((*updated)->labels.at("x"), "y");
}

TEST_F(ResourceStoreTest, PodSpecChangesBeyondImagesAreForbidden) {
  auto created = Store("", "pods").Create("default", J(kPod), {});
  ASSERT_TRUE(created.ok());
  json::Value pod = *(*created)->object;
  pod["spec"]["containers"].AsArray()[0].Set("image", "busybox:2");
  auto image = Store("", "pods").Update("default", "web", pod, {});
  ASSERT_TRUE(image.ok()) << image.status();
  json::Value bad = *(*image)->object;
  bad["spec"]["containers"].AsArray()[0].Set("command", json::Array{json::Value("sh")});
  EXPECT_API_ERROR(Store("", "pods").Update("default", "web", bad, {}), 422,
                   "spec: Forbidden: pod updates may not change fields other than");
}

TEST_F(ResourceStoreTest, ListPagesAtOneRevisionWhileWritesContinue) {
  ResourceStore& cms = Store("", "configmaps");
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(cms.Create("default", J(cubelet::StrCat(R"({"metadata":{"name":"c)", i, R"("}})")), {}).ok());
  }
  ListOptions first;
  first.limit = 4;
  auto page1 = cms.List("default", first);
  ASSERT_TRUE(page1.ok()) << page1.status();
  ASSERT_EQ(page1->items.size(), 4u);
  ASSERT_FALSE(page1->continue_token.empty());
  EXPECT_EQ(page1->remaining, 6);
  // A write after the first page does not show up in later pages (they are at the same revision).
  ASSERT_TRUE(cms.Create("default", J(R"({"metadata":{"name":"c99"}})"), {}).ok());
  std::vector<std::string> names;
  for (const auto& o : page1->items) names.push_back(o->name);
  std::string token = page1->continue_token;
  while (!token.empty()) {
    ListOptions next;
    next.limit = 4;
    next.continue_token = token;
    auto page = cms.List("default", next);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->revision, page1->revision);
    for (const auto& o : page->items) names.push_back(o->name);
    token = page->continue_token;
  }
  EXPECT_EQ(names.size(), 10u);
  EXPECT_EQ(std::count(names.begin(), names.end(), "c99"), 0);
}

TEST_F(ResourceStoreTest, UnsupportedFieldSelectorIsABadRequest) {
  ListOptions options;
  options.fields = *selectors::FieldSelector::Parse("spec.bogus=x");
  EXPECT_API_ERROR(Store("", "pods").List("", options), 400, "field label not supported: spec.bogus");
}

TEST_F(ResourceStoreTest, PodsAreDeletedGracefullyWhenScheduledAndAtOnceOtherwise) {
  ResourceStore& pods = Store("", "pods");
  ASSERT_TRUE(pods.Create("default", J(kPod), {}).ok());
  auto gone = pods.Delete("default", "web", {});
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_TRUE(gone->removed);  // unscheduled
  json::Value scheduled = J(kPod);
  scheduled["spec"].Set("nodeName", "n1");
  auto created = pods.Create("default", scheduled, {});
  ASSERT_TRUE(created.ok());
  auto pending = pods.Delete("default", "web", {});
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_FALSE(pending->removed);
  EXPECT_EQ(pending->object->object->FindPath({"metadata", "deletionGracePeriodSeconds"})->AsInt64(), 30);
  EXPECT_FALSE(pending->object->object->GetString({"metadata", "deletionTimestamp"}).empty());
  // The kubelet confirms with grace 0 and the uid as precondition.
  DeleteOptions wrong_uid;
  wrong_uid.grace_period_seconds = 0;
  wrong_uid.preconditions.uid = "not-the-uid";
  EXPECT_API_ERROR(pods.Delete("default", "web", wrong_uid), 409, "Precondition failed: UID in precondition");
  DeleteOptions confirm;
  confirm.grace_period_seconds = 0;
  confirm.preconditions.uid = (*created)->object->GetString({"metadata", "uid"});
  auto removed = pods.Delete("default", "web", confirm);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(removed->removed);
  EXPECT_API_ERROR(pods.Get("default", "web", {}), 404, "pods \"web\" not found");
}

TEST_F(ResourceStoreTest, FinalizersKeepAnObjectUntilRemoved) {
  ResourceStore& cms = Store("", "configmaps");
  ASSERT_TRUE(cms.Create("default", J(R"({"metadata":{"name":"f","finalizers":["example.com/hold"]}})"), {}).ok());
  auto marked = cms.Delete("default", "f", {});
  ASSERT_TRUE(marked.ok());
  EXPECT_FALSE(marked->removed);
  json::Value obj = *marked->object->object;
  obj["metadata"]["finalizers"].AsArray().push_back("example.com/another");
  EXPECT_API_ERROR(cms.Update("default", "f", obj, {}), 422, "no new finalizers can be added");
  json::Value release = *marked->object->object;
  release["metadata"].Erase("finalizers");
  auto released = cms.Update("default", "f", release, {});
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_API_ERROR(cms.Get("default", "f", {}), 404, "not found");
}

TEST_F(ResourceStoreTest, NamespaceDeletionIsTerminatingUntilFinalized) {
  ResourceStore& ns = Store("", "namespaces");
  auto created = ns.Create("", J(R"({"metadata":{"name":"team"}})"), {});
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ((*created)->object->GetString({"status", "phase"}), "Active");
  auto marked = ns.Delete("", "team", {});
  ASSERT_TRUE(marked.ok());
  EXPECT_FALSE(marked->removed);
  EXPECT_EQ(marked->object->object->GetString({"status", "phase"}), "Terminating");
  // Deleting again changes nothing while spec.finalizers has "kubernetes".
  auto again = ns.Delete("", "team", {});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->removed);
  // An update of a Terminating namespace (a label) must not remove it while content remains.
  json::Value labelled = *again->object->object;
  labelled["metadata"].Ensure({"labels"}).Set("x", "y");
  auto updated = ns.Update("", "team", labelled, {});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_TRUE(ns.Get("", "team", {}).ok());
  EXPECT_EQ((*updated)->labels.at("kubernetes.io/metadata.name"), "team");
  auto finalized = ns.StorageUpdate("", "team", [](const json::Value& current) -> absl::StatusOr<json::Value> {
    json::Value next = current;
    next["spec"].Set("finalizers", json::Value::EmptyArray());
    return next;
  });
  ASSERT_TRUE(finalized.ok());
  auto removed = ns.Delete("", "team", {});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(removed->removed);
}

TEST_F(ResourceStoreTest, DryRunWritesNothing) {
  int64_t before = Revision();
  WriteOptions dry;
  dry.dry_run = true;
  auto created = Store("", "pods").Create("default", J(kPod), dry);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ((*created)->object->GetString({"status", "phase"}), "Pending");
  EXPECT_EQ(Revision(), before);
  EXPECT_API_ERROR(Store("", "pods").Get("default", "web", {}), 404, "not found");
}

TEST_F(ResourceStoreTest, SecretsFoldStringDataIntoData) {
  auto created = Store("", "secrets").Create("default", J(R"({"metadata":{"name":"s"},"stringData":{"user":"admin"}})"), {});
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ((*created)->object->GetString({"data", "user"}), "YWRtaW4=");
  EXPECT_EQ((*created)->object->Find("stringData"), nullptr);
  EXPECT_EQ((*created)->object->GetString({"type"}), "Opaque");
}

TEST_F(ResourceStoreTest, ManagedFieldsRecordTheManager) {
  WriteOptions options;
  options.field_manager = "kubectl-create";
  auto created = Store("", "configmaps").Create("default", J(R"({"metadata":{"name":"m"},"data":{"a":"b"}})"), options);
  ASSERT_TRUE(created.ok()) << created.status();
  const json::Value* managed = (*created)->object->FindPath({"metadata", "managedFields"});
  ASSERT_NE(managed, nullptr);
  ASSERT_EQ(managed->AsArray().size(), 1u);
  EXPECT_EQ(managed->AsArray()[0].GetString({"manager"}), "kubectl-create");
  EXPECT_EQ(managed->AsArray()[0].GetString({"operation"}), "Update");
  EXPECT_NE(json::Write(managed->AsArray()[0]).find("f:a"), std::string::npos);
}

}  // namespace
}  // namespace cubelet::registry
