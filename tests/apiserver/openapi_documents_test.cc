// The OpenAPI v3 documents checked the way kubectl reads them: the root's hashes, the PATCH
// operation with fieldValidation that decides server-side validation
// (cli-runtime query_param_verifier_v3.go), the kind schema explain finds by
// x-kubernetes-group-version-kind, $refs, and handler3's caching and redirects. The end-to-end
// tests run the real kubectl against a throwaway HTTP server that serves these documents with a
// hand-written discovery.
#include "apiserver/openapi_documents.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/clock.h"
#include "common/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "json/parse.h"
#include "json/write.h"
#include "openapiv2/document.h"
#include "registry/resources.h"
#include "schema/openapi.h"
#include "schema/schema.h"

namespace cubelet::apiserver {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<registry::ResourceInfo> ServedResources() {
  std::vector<registry::ResourceInfo> out;
  for (auto& def : registry::BuiltInResources(absl::Hours(1))) out.push_back(def.info);
  return out;
}

std::string GvPath(const registry::ResourceInfo& info) {
  return info.group.empty() ? StrCat("api/", info.version) : StrCat("apis/", info.group, "/", info.version);
}

httpserver::Request Get(std::string path, std::vector<std::pair<std::string, std::string>> query = {}) {
  httpserver::Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.target = r.path;
  r.query = std::move(query);
  return r;
}

std::string Sha512Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha512(), nullptr);
  constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kDigits[digest[i] >> 4]);
    out.push_back(kDigits[digest[i] & 0xf]);
  }
  return out;
}

void CollectRefs(const json::Value& v, std::vector<std::string>* out) {
  if (v.is_array()) {
    for (const json::Value& item : v.AsArray()) CollectRefs(item, out);
  } else if (v.is_object()) {
    for (const auto& [key, member] : v.AsObject()) {
      if (key == "$ref" && member.is_string()) out->push_back(member.AsString());
      CollectRefs(member, out);
    }
  }
}

class OpenApiDocumentsTest : public ::testing::Test {
 protected:
  OpenApiDocumentsTest()
      : resources_(ServedResources()), docs_(schema::Schema::BuiltIn(), resources_, "v1.32.0", &clock_) {}

  const json::Value& Doc(const registry::ResourceInfo& info) {
    const json::Value* doc = docs_.Document(GvPath(info));
    EXPECT_NE(doc, nullptr) << GvPath(info);
    static const json::Value kEmpty = json::Value::EmptyObject();
    return doc != nullptr ? *doc : kEmpty;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 25, 10, 0, 0), absl::UTCTimeZone())};
  std::vector<registry::ResourceInfo> resources_;
  OpenApiDocuments docs_;
};

TEST_F(OpenApiDocumentsTest, BuiltInTablesBuildCompleteDocuments) {
  EXPECT_TRUE(docs_.build_status().ok()) << docs_.build_status();
  const json::Value* core = docs_.Document("api/v1");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->GetString({"openapi"}), "3.0.0");
  EXPECT_EQ(core->GetString({"info", "title"}), "Kubernetes");
  EXPECT_EQ(core->GetString({"info", "version"}), "v1.32.0");
}

TEST_F(OpenApiDocumentsTest, RootListsEveryServedGroupVersionWithTheHashOfItsDocument) {
  std::optional<httpserver::Response> root = docs_.Serve(Get("/openapi/v3"));
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(root->headers.Get("ETag"), StrCat("\"", Sha512Hex(root->body), "\""));
  absl::StatusOr<json::Value> parsed = json::Parse(root->body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();

  std::set<std::string> want;
  for (const auto& info : resources_) want.insert(GvPath(info));
  std::set<std::string> got;
  for (const auto& [path, entry] : parsed->Find("paths")->AsObject()) {
    got.insert(path);
    std::optional<httpserver::Response> doc = docs_.Serve(Get(StrCat("/openapi/v3/", path)));
    ASSERT_TRUE(doc.has_value()) << path;
    std::string hash = Sha512Hex(doc->body);
    EXPECT_EQ(hash.size(), 128u);
    EXPECT_EQ(entry.GetString({"serverRelativeURL"}), StrCat("/openapi/v3/", path, "?hash=", hash));
    EXPECT_EQ(docs_.Hash(path), hash);
  }
  EXPECT_EQ(got, want);
  EXPECT_THAT(got, ::testing::IsSupersetOf({"api/v1", "apis/coordination.k8s.io/v1", "apis/storage.k8s.io/v1"}));
}

// What kubectl's queryParamVerifierV3 does for every kind it creates or applies: the first PATCH
// operation (in Go's random map order) carrying the kind decides, so every one of them must
// declare fieldValidation. Client-side apply also needs the strategic merge patch content type.
TEST_F(OpenApiDocumentsTest, EveryKindHasPatchOperationsDeclaringFieldValidation) {
  for (const auto& info : resources_) {
    json::Value gvk = schema::GroupVersionKindJson({info.group, info.version, info.kind});
    int patch_operations = 0;
    for (const auto& [path, item] : Doc(info).Find("paths")->AsObject()) {
      const json::Value* patch = item.Find("patch");
      if (patch == nullptr || !(*patch->Find("x-kubernetes-group-version-kind") == gvk)) continue;
      ++patch_operations;
      bool field_validation = false;
      for (const json::Value& p : patch->Find("parameters")->AsArray()) {
        if (p.GetString({"name"}) == "fieldValidation") field_validation = p.GetString({"in"}) == "query";
      }
      EXPECT_TRUE(field_validation) << path;
      EXPECT_NE(patch->FindPath({"requestBody", "content", "application/strategic-merge-patch+json"}), nullptr) << path;
      EXPECT_NE(patch->FindPath({"requestBody", "content", "application/apply-patch+yaml"}), nullptr) << path;
    }
    EXPECT_GE(patch_operations, 1) << info.resource << "." << info.GroupVersion();
  }
}

TEST_F(OpenApiDocumentsTest, KindSchemasCarryTheirGroupVersionKindAndDescriptions) {
  for (const auto& info : resources_) {
    const json::Value* kind = Doc(info).FindPath({"components", "schemas", info.schema_type});
    ASSERT_NE(kind, nullptr) << info.schema_type;
    json::Value gvk = schema::GroupVersionKindJson({info.group, info.version, info.kind});
    const json::Value* gvks = kind->Find("x-kubernetes-group-version-kind");
    ASSERT_NE(gvks, nullptr) << info.schema_type;
    EXPECT_THAT(gvks->AsArray(), ::testing::Contains(gvk)) << info.schema_type;
    EXPECT_NE(kind->GetString({"description"}), "") << info.schema_type;
    for (const auto& [name, field] : kind->Find("properties")->AsObject()) {
      EXPECT_NE(field.GetString({"description"}), "") << info.schema_type << "." << name;
    }
    // The list kind, as clients decode list responses.
    const json::Value* list = Doc(info).FindPath({"components", "schemas", info.schema_type + "List"});
    ASSERT_NE(list, nullptr) << info.schema_type << "List";
    EXPECT_EQ(list->GetString({"properties", "items", "items", "$ref"}), schema::SchemaRef(info.schema_type));
    json::Value list_gvk = schema::GroupVersionKindJson({info.group, info.version, info.kind + "List"});
    EXPECT_THAT(list->Find("x-kubernetes-group-version-kind")->AsArray(), ::testing::Contains(list_gvk));
  }
}

TEST_F(OpenApiDocumentsTest, EveryRefResolvesWithinItsDocument) {
  for (const std::string& path : docs_.GroupVersionPaths()) {
    const json::Value* doc = docs_.Document(path);
    std::vector<std::string> refs;
    CollectRefs(*doc, &refs);
    EXPECT_FALSE(refs.empty());
    for (const std::string& ref : refs) {
      ASSERT_THAT(ref, ::testing::StartsWith("#/components/schemas/")) << path;
      std::string name = ref.substr(std::string("#/components/schemas/").size());
      EXPECT_NE(doc->FindPath({"components", "schemas", name}), nullptr) << path << ": " << ref;
    }
  }
}

// kubectl explain's template: the kind comes from an operation on one of four paths of the
// resource, then the component whose x-kubernetes-group-version-kind contains it (deep equality).
TEST_F(OpenApiDocumentsTest, ExplainFindsEveryKindThroughItsResourcePaths) {
  for (const auto& info : resources_) {
    std::string prefix = info.group.empty() ? "/api" : StrCat("/apis/", info.group);
    std::vector<std::string> search = {
        StrCat(prefix, "/", info.version, "/", info.resource),
        StrCat(prefix, "/", info.version, "/", info.resource, "/{name}"),
        StrCat(prefix, "/", info.version, "/namespaces/{namespace}/", info.resource),
        StrCat(prefix, "/", info.version, "/namespaces/{namespace}/", info.resource, "/{name}")};
    const json::Value* found = nullptr;
    for (const std::string& p : search) {
      const json::Value* item = Doc(info).FindPath({"paths", p});
      for (std::string_view method : {"get", "post", "put", "patch", "delete"}) {
        if (found == nullptr && item != nullptr && item->Find(method) != nullptr) {
          found = item->Find(method)->Find("x-kubernetes-group-version-kind");
        }
      }
    }
    ASSERT_NE(found, nullptr) << info.resource;
    EXPECT_EQ(*found, schema::GroupVersionKindJson({info.group, info.version, info.kind}));
    int matches = 0;
    for (const auto& [name, s] : Doc(info).FindPath({"components", "schemas"})->AsObject()) {
      const json::Value* gvks = s.Find("x-kubernetes-group-version-kind");
      if (gvks == nullptr) continue;
      for (const json::Value& g : gvks->AsArray()) matches += g == *found ? 1 : 0;
    }
    EXPECT_EQ(matches, 1) << info.resource;
  }
}

TEST_F(OpenApiDocumentsTest, PathsAndOperationsFollowUpstreamNaming) {
  const json::Value& core = *docs_.Document("api/v1");
  auto op = [&](std::string_view path, std::string_view method) -> const json::Value* {
    const json::Value* item = core.FindPath({"paths", path});
    return item == nullptr ? nullptr : item->Find(method);
  };
  ASSERT_NE(op("/api/v1/namespaces/{namespace}/pods/{name}", "patch"), nullptr);
  EXPECT_EQ(op("/api/v1/namespaces/{namespace}/pods/{name}", "patch")->GetString({"operationId"}),
            "patchCoreV1NamespacedPod");
  EXPECT_EQ(op("/api/v1/namespaces/{namespace}/pods/{name}", "patch")->GetString({"x-kubernetes-action"}), "patch");
  EXPECT_EQ(op("/api/v1/namespaces/{namespace}/pods/{name}", "get")->GetString({"operationId"}),
            "readCoreV1NamespacedPod");
  EXPECT_EQ(op("/api/v1/namespaces/{namespace}/pods", "get")->GetString({"operationId"}), "listCoreV1NamespacedPod");
  EXPECT_EQ(op("/api/v1/namespaces/{namespace}/pods", "delete")->GetString({"operationId"}),
            "deleteCoreV1CollectionNamespacedPod");
  EXPECT_EQ(op("/api/v1/pods", "get")->GetString({"operationId"}), "listCoreV1PodForAllNamespaces");
  EXPECT_EQ(op("/api/v1/pods", "get")->GetString({"x-kubernetes-action"}), "list");
  EXPECT_EQ(op("/api/v1/pods", "post"), nullptr);
  EXPECT_EQ(op("/api/v1/nodes/{name}/status", "patch")->GetString({"operationId"}), "patchCoreV1NodeStatus");
  EXPECT_EQ(op("/api/v1/namespaces/{namespace}/pods/{name}/status", "put")->GetString({"operationId"}),
            "replaceCoreV1NamespacedPodStatus");
  EXPECT_EQ(op("/api/v1/namespaces/{namespace}/pods/{name}/log", "get")->GetString({"operationId"}),
            "readCoreV1NamespacedPodLog");
  EXPECT_NE(op("/api/v1/namespaces/{namespace}/pods/{name}/log", "get")
                ->FindPath({"responses", "200", "content", "text/plain"}),
            nullptr);
  EXPECT_EQ(op("/api/v1/namespaces/{name}/finalize", "put")->GetString({"operationId"}),
            "replaceCoreV1NamespaceFinalize");
  // Namespaces are not deleted as a collection.
  EXPECT_EQ(op("/api/v1/namespaces", "delete"), nullptr);
  const json::Value* eviction = op("/api/v1/namespaces/{namespace}/pods/{name}/eviction", "post");
  ASSERT_NE(eviction, nullptr);
  EXPECT_EQ(eviction->GetString({"operationId"}), "createCoreV1NamespacedPodEviction");
  EXPECT_EQ(*eviction->Find("x-kubernetes-group-version-kind"), schema::GroupVersionKindJson({"policy", "v1", "Eviction"}));
  EXPECT_NE(core.FindPath({"components", "schemas", "io.k8s.api.policy.v1.Eviction"}), nullptr);
  EXPECT_EQ(op("/api/v1/namespaces/{namespace}/pods/{name}/binding", "post")->GetString({"operationId"}),
            "createCoreV1NamespacedPodBinding");

  const json::Value& leases = *docs_.Document("apis/coordination.k8s.io/v1");
  const json::Value* lease_list = leases.FindPath({"paths", "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases", "get"});
  ASSERT_NE(lease_list, nullptr);
  EXPECT_EQ(lease_list->GetString({"operationId"}), "listCoordinationV1NamespacedLease");
  EXPECT_EQ(lease_list->Find("tags")->AsArray().front(), json::Value("coordination_v1"));
  const json::Value* path_params = leases.FindPath({"paths", "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}", "parameters"});
  ASSERT_NE(path_params, nullptr);
  std::vector<std::string> names;
  for (const json::Value& p : path_params->AsArray()) names.push_back(p.GetString({"name"}));
  EXPECT_THAT(names, ::testing::ElementsAre("name", "namespace", "pretty"));
  EXPECT_NE(docs_.Document("apis/storage.k8s.io/v1")->FindPath({"paths", "/apis/storage.k8s.io/v1/csinodes/{name}", "patch"}),
            nullptr);
}

// The v2 document (kubectl 1.27 and 1.28) and the v3 documents publish the same operations:
// both are written from one list (openapi/operations.h), each in its version's shape.
TEST_F(OpenApiDocumentsTest, TheV2DocumentPublishesTheSameOperations) {
  openapiv2::Document v2 = openapiv2::BuildDocument(schema::Schema::BuiltIn(), resources_, "v1.32.0");
  ASSERT_TRUE(v2.status.ok()) << v2.status;
  const json::Value* v2_paths = v2.swagger.Find("paths");
  ASSERT_NE(v2_paths, nullptr);
  size_t v3_paths = 0;
  for (const std::string& gv : docs_.GroupVersionPaths()) {
    for (const auto& [path, item] : docs_.Document(gv)->Find("paths")->AsObject()) {
      ++v3_paths;
      const json::Value* v2_item = v2_paths->Find(path);
      ASSERT_NE(v2_item, nullptr) << path;
      EXPECT_EQ(v2_item->size(), item.size()) << path;
      for (const auto& [method, op] : item.AsObject()) {
        const json::Value* v2_op = v2_item->Find(method);
        ASSERT_NE(v2_op, nullptr) << path << " " << method;
        if (method == "parameters") continue;
        EXPECT_EQ(v2_op->GetString({"operationId"}), op.GetString({"operationId"})) << path << " " << method;
        EXPECT_EQ(*v2_op->Find("x-kubernetes-group-version-kind"), *op.Find("x-kubernetes-group-version-kind"))
            << path << " " << method;
        std::vector<std::string> v2_query, v3_query;
        if (const json::Value* params = v2_op->Find("parameters")) {
          for (const json::Value& p : params->AsArray()) {
            if (p.GetString({"in"}) == "query") v2_query.push_back(p.GetString({"name"}));
          }
        }
        if (const json::Value* params = op.Find("parameters")) {
          for (const json::Value& p : params->AsArray()) v3_query.push_back(p.GetString({"name"}));
        }
        EXPECT_EQ(v2_query, v3_query) << path << " " << method;
      }
    }
  }
  EXPECT_EQ(v2_paths->size(), v3_paths);
}

TEST_F(OpenApiDocumentsTest, MatchingHashIsServedAsImmutable) {
  std::string hash = docs_.Hash("api/v1");
  std::optional<httpserver::Response> r = docs_.Serve(Get("/openapi/v3/api/v1", {{"hash", hash}, {"timeout", "32s"}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(r->headers.Get("ETag"), StrCat("\"", hash, "\""));
  EXPECT_EQ(r->headers.Get("Cache-Control"), "public, immutable");
  EXPECT_EQ(r->headers.Get("Expires"), "Thu, 25 Nov 2027 10:00:00 GMT");
  EXPECT_EQ(r->headers.Get("Vary"), "Accept");
  EXPECT_EQ(Sha512Hex(r->body), hash);
}

TEST_F(OpenApiDocumentsTest, WithoutHashTheDocumentIsNotMarkedImmutable) {
  std::optional<httpserver::Response> r = docs_.Serve(Get("/openapi/v3/apis/coordination.k8s.io/v1"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.Get("Cache-Control"), std::nullopt);
  EXPECT_EQ(r->headers.Get("ETag"), StrCat("\"", docs_.Hash("apis/coordination.k8s.io/v1"), "\""));
}

TEST_F(OpenApiDocumentsTest, StaleHashRedirectsToTheCurrentDocument) {
  std::optional<httpserver::Response> r = docs_.Serve(Get("/openapi/v3/api/v1", {{"hash", "0123ABCD"}}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->headers.Get("Location"), StrCat("/openapi/v3/api/v1?hash=", docs_.Hash("api/v1")));
  EXPECT_EQ(r->headers.Get("Cache-Control"), std::nullopt);
}

TEST_F(OpenApiDocumentsTest, IfNoneMatchWithTheCurrentETagAnswersNotModified) {
  httpserver::Request request = Get("/openapi/v3/api/v1");
  request.headers.Add("If-None-Match", StrCat("\"stale\", \"", docs_.Hash("api/v1"), "\""));
  std::optional<httpserver::Response> r = docs_.Serve(request);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->body, "");

  httpserver::Request root = Get("/openapi/v3");
  std::string etag(*docs_.Serve(root)->headers.Get("ETag"));
  root.headers.Add("If-None-Match", etag);
  EXPECT_EQ(docs_.Serve(root)->status, 304);
}

TEST_F(OpenApiDocumentsTest, OnlyJsonIsNegotiated) {
  auto status_for = [&](std::string accept) {
    httpserver::Request request = Get("/openapi/v3/api/v1");
    request.headers.Add("Accept", std::move(accept));
    return docs_.Serve(request)->status;
  };
  EXPECT_EQ(status_for("application/json"), 200);
  EXPECT_EQ(status_for("application/com.github.proto-openapi.spec.v3.v1.0+protobuf, */*;q=0.5"), 200);
  EXPECT_EQ(status_for("application/*"), 200);
  EXPECT_EQ(status_for("application/com.github.proto-openapi.spec.v3.v1.0+protobuf"), 406);
  EXPECT_EQ(status_for("application/json;q=0"), 406);
}

TEST_F(OpenApiDocumentsTest, OtherPathsAndMethodsAreLeftToTheCaller) {
  EXPECT_FALSE(docs_.Serve(Get("/openapi/v3/apis/batch/v1")).has_value());
  EXPECT_FALSE(docs_.Serve(Get("/openapi/v3/")).has_value());
  EXPECT_FALSE(docs_.Serve(Get("/openapi/v2")).has_value());
  EXPECT_FALSE(docs_.Serve(Get("/api/v1")).has_value());
  httpserver::Request post = Get("/openapi/v3");
  post.method = "POST";
  EXPECT_FALSE(docs_.Serve(post).has_value());
  httpserver::Request head = Get("/openapi/v3/api/v1");
  head.method = "HEAD";
  EXPECT_EQ(docs_.Serve(head)->status, 200);
  EXPECT_EQ(docs_.Serve(head)->body, "");
}

TEST_F(OpenApiDocumentsTest, DocumentsAreTheSameOnEveryBuild) {
  OpenApiDocuments again(schema::Schema::BuiltIn(), resources_, "v1.32.0");
  for (const std::string& path : docs_.GroupVersionPaths()) EXPECT_EQ(again.Hash(path), docs_.Hash(path)) << path;
  OpenApiDocuments other_version(schema::Schema::BuiltIn(), resources_, "v1.32.1");
  EXPECT_NE(other_version.Hash("api/v1"), docs_.Hash("api/v1"));
}

// ---------------------------------------------------------------------------------------------
// The real kubectl against a throwaway server: discovery written here from the served
// resources, the documents above, and a recorder for writes.
// ---------------------------------------------------------------------------------------------

constexpr char kDispatcher[] = "/usr/bin/kubectl";
constexpr char kSdkBin[] = "/usr/lib/google-cloud-sdk/bin/";

struct Recorded {
  std::string method, path, query, content_type, body;
};

json::Value ResourceList(const std::string& group_version, const std::vector<registry::ResourceInfo>& infos) {
  json::Value list = json::Value::EmptyObject();
  list.Set("kind", "APIResourceList");
  list.Set("apiVersion", "v1");
  list.Set("groupVersion", group_version);
  json::Value resources = json::Value::EmptyArray();
  for (const auto& info : infos) {
    if (info.GroupVersion() != group_version) continue;
    json::Value r = json::Value::EmptyObject();
    r.Set("name", info.resource);
    r.Set("singularName", info.singular);
    r.Set("namespaced", info.namespaced);
    r.Set("kind", info.kind);
    json::Value verbs = json::Value::EmptyArray();
    for (const auto& v : info.verbs) verbs.Append(v);
    r.Set("verbs", std::move(verbs));
    json::Value short_names = json::Value::EmptyArray();
    for (const auto& s : info.short_names) short_names.Append(s);
    r.Set("shortNames", std::move(short_names));
    resources.Append(std::move(r));
  }
  list.Set("resources", std::move(resources));
  return list;
}

class KubectlAgainstDocumentsTest : public OpenApiDocumentsTest {
 protected:
  void SetUp() override {
    if (access(kDispatcher, X_OK) != 0) GTEST_SKIP() << kDispatcher << " is not installed";
    char tmpl[] = "/tmp/openapi-kubectl-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    home_ = tmpl;
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) { Answer(req, res); });
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { Answer(req, res); });
    server_.Patch(".*", [this](const httplib::Request& req, httplib::Response& res) { Answer(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  void TearDown() override {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
    if (!home_.empty()) std::filesystem::remove_all(home_);
  }

  void Answer(const httplib::Request& req, httplib::Response& res) {
    std::string query;
    for (const auto& [k, v] : req.params) StrAppend(&query, query.empty() ? "" : "&", k, "=", v);
    {
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back({req.method, req.path, query, req.get_header_value("Content-Type"), req.body});
    }
    auto json = [&](int status, const json::Value& v) {
      res.status = status;
      res.set_content(json::Write(v), "application/json");
    };
    if (req.method == "GET" && req.path == "/version") {
      return json(200, *json::Parse(R"({"major":"1","minor":"32","gitVersion":"v1.32.0","gitCommit":"0",
          "gitTreeState":"clean","buildDate":"2026-01-01T00:00:00Z","goVersion":"go1.23","compiler":"gc",
          "platform":"linux/amd64"})"));
    }
    if (req.method == "GET" && req.path == "/api") {
      return json(200, *json::Parse(R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":
          [{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]})"));
    }
    if (req.method == "GET" && req.path == "/apis") {
      json::Value groups = json::Value::EmptyArray();
      std::set<std::string> seen;
      for (const auto& info : resources_) {
        if (info.group.empty() || !seen.insert(info.group).second) continue;
        json::Value version = json::Value::EmptyObject();
        version.Set("groupVersion", info.GroupVersion());
        version.Set("version", info.version);
        json::Value group = json::Value::EmptyObject();
        group.Set("name", info.group);
        json::Value versions = json::Value::EmptyArray();
        versions.Append(version);
        group.Set("versions", std::move(versions));
        group.Set("preferredVersion", version);
        groups.Append(std::move(group));
      }
      json::Value list = json::Value::EmptyObject();
      list.Set("kind", "APIGroupList");
      list.Set("apiVersion", "v1");
      list.Set("groups", std::move(groups));
      return json(200, list);
    }
    if (req.method == "GET" && req.path == "/api/v1") return json(200, ResourceList("v1", resources_));
    if (req.method == "GET" && req.path.rfind("/apis/", 0) == 0 && std::count(req.path.begin(), req.path.end(), '/') == 3) {
      return json(200, ResourceList(req.path.substr(6), resources_));
    }
    if (req.path.rfind("/openapi/v3", 0) == 0) {
      httpserver::Request r = Get(req.path);
      for (const auto& [k, v] : req.params) r.query.emplace_back(k, v);
      for (const auto& [k, v] : req.headers) r.headers.Add(k, v);
      if (std::optional<httpserver::Response> answer = docs_.Serve(r)) {
        res.status = answer->status;
        for (const auto& [k, v] : answer->headers.entries()) {
          if (k != "Content-Type") res.set_header(k, v);
        }
        res.set_content(answer->body, std::string(answer->headers.Get("Content-Type").value_or("text/plain")));
        return;
      }
    }
    if (req.path == "/api/v1/namespaces/default/pods/nginx" && !live_pod_.empty()) {
      return json(200, *json::Parse(live_pod_));  // GET and PATCH answer the live object
    }
    if (req.method == "POST" && !req.body.empty()) {
      res.status = 201;
      res.set_content(req.body, "application/json");
      return;
    }
    json(404, *json::Parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
        "message":"the server could not find the requested resource","reason":"NotFound","code":404})"));
  }

  struct Result {
    int exit_code = -1;
    std::string out, err;
  };

  // Runs `binary` with `args` (plus --server) in a clean environment: no kubeconfig, a fresh HOME.
  Result Kubectl(const std::string& binary, std::vector<std::string> args) {
    args.insert(args.begin(), StrCat("--server=http://127.0.0.1:", port_));
    std::string out_file = home_ + "/stdout", err_file = home_ + "/stderr";
    pid_t pid = fork();
    if (pid == 0) {
      std::vector<std::string> argv_s = {"/usr/bin/timeout", "120", binary};
      argv_s.insert(argv_s.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      std::string home = "HOME=" + home_;
      std::string path = "PATH=/usr/local/bin:/usr/bin:/bin";
      std::string kubeconfig = "KUBECONFIG=/dev/null";
      char* envp[] = {home.data(), path.data(), kubeconfig.data(), nullptr};
      freopen(out_file.c_str(), "w", stdout);
      freopen(err_file.c_str(), "w", stderr);
      execve(argv[0], argv.data(), envp);
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    Result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out_file);
    r.err = ReadFile(err_file);
    return r;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string WriteManifest(const std::string& name, const std::string& text) {
    std::string path = home_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // The requests so far, one per line, for failure messages.
  std::string Requests() {
    std::string out;
    for (const Recorded& r : Log()) StrAppend(&out, r.method, " ", r.path, "?", r.query, "\n");
    return out;
  }

  std::vector<Recorded> Log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string home_;
  std::string live_pod_;
  std::mutex mu_;
  std::vector<Recorded> log_;
};

constexpr char kPodManifest[] = R"(apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx:1.27
  - name: sidecar
    image: busybox
)";

TEST_F(KubectlAgainstDocumentsTest, ExplainReadsPodAndLeaseFields) {
  Result pod = Kubectl(kDispatcher, {"explain", "pod.spec.containers"});
  ASSERT_EQ(pod.exit_code, 0) << pod.out << pod.err;
  EXPECT_THAT(pod.out, HasSubstr("KIND:       Pod"));
  EXPECT_THAT(pod.out, HasSubstr("FIELD: containers <[]Container>"));
  EXPECT_THAT(pod.out, HasSubstr("image\t<string>"));
  EXPECT_THAT(pod.out, HasSubstr("name\t<string> -required-"));
  EXPECT_THAT(pod.out, HasSubstr("resources\t<ResourceRequirements>"));

  Result lease = Kubectl(kDispatcher, {"explain", "lease.spec"});
  ASSERT_EQ(lease.exit_code, 0) << lease.out << lease.err;
  EXPECT_THAT(lease.out, HasSubstr("GROUP:      coordination.k8s.io"));
  EXPECT_THAT(lease.out, HasSubstr("holderIdentity\t<string>"));
  EXPECT_THAT(lease.out, HasSubstr("renewTime\t<string>"));
}

// kubectl 1.29 is the oldest bundled client that reads OpenAPI v3 for explain and validation;
// 1.27 and 1.28 ask for /openapi/v2 (protobuf only) first, which cubelet-server does not serve.
TEST_F(KubectlAgainstDocumentsTest, ExplainWorksWithTheOldestAndNewestV3Clients) {
  for (std::string version : {"1.29", "1.33"}) {
    std::string binary = StrCat(kSdkBin, "kubectl.", version);
    if (access(binary.c_str(), X_OK) != 0) {
      ADD_FAILURE() << binary << " is missing";
      continue;
    }
    Result r = Kubectl(binary, {"explain", "pods.spec.containers.livenessProbe"});
    ASSERT_EQ(r.exit_code, 0) << version << ": " << r.out << r.err << Requests();
    EXPECT_THAT(r.out, HasSubstr("httpGet\t<HTTPGetAction>")) << version;
    Result node = Kubectl(binary, {"explain", "node.status.conditions"});
    ASSERT_EQ(node.exit_code, 0) << version << ": " << node.out << node.err;
    EXPECT_THAT(node.out, HasSubstr("lastHeartbeatTime")) << version;
  }
}

TEST_F(KubectlAgainstDocumentsTest, CreateSendsStrictFieldValidation) {
  Result r = Kubectl(kDispatcher, {"create", "-f", WriteManifest("pod.yaml", kPodManifest)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("pod/nginx created"));
  std::vector<Recorded> posts;
  for (const Recorded& rec : Log()) {
    if (rec.method == "POST") posts.push_back(rec);
  }
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].path, "/api/v1/namespaces/default/pods");
  EXPECT_THAT(posts[0].query, HasSubstr("fieldValidation=Strict"));
}

// Client-side apply of a changed object: kubectl computes the strategic merge patch from the v3
// document (merge keys from x-kubernetes-patch-merge-key) without falling back to /openapi/v2
// or warning that the schema could not be used.
TEST_F(KubectlAgainstDocumentsTest, ClientSideApplyComputesThePatchFromTheDocument) {
  std::string original = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"nginx","namespace":"default"},)"
                         R"("spec":{"containers":[{"image":"nginx:1.26","name":"nginx"}]}})";
  json::Value live = *json::Parse(original);
  live.Ensure({"metadata", "annotations"}).Set("kubectl.kubernetes.io/last-applied-configuration", original);
  live.Ensure({"metadata"}).Set("uid", "0e6b2f4c-8d7a-4d55-9b7e-3c1f0a2b4c5d");
  live.Ensure({"metadata"}).Set("resourceVersion", "12");
  live.Ensure({"status"}).Set("phase", "Running");
  live_pod_ = json::Write(live);

  Result r = Kubectl(kDispatcher, {"apply", "-f", WriteManifest("pod.yaml", kPodManifest)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("pod/nginx configured"));
  EXPECT_THAT(r.err, Not(HasSubstr("error calculating patch")));
  std::vector<Recorded> patches;
  for (const Recorded& rec : Log()) {
    EXPECT_NE(rec.path, "/openapi/v2") << "kubectl fell back to OpenAPI v2";
    if (rec.method == "PATCH") patches.push_back(rec);
  }
  ASSERT_EQ(patches.size(), 1u);
  EXPECT_EQ(patches[0].content_type, "application/strategic-merge-patch+json");
  EXPECT_THAT(patches[0].query, HasSubstr("fieldValidation=Strict"));
  EXPECT_THAT(patches[0].body, HasSubstr("\"$setElementOrder/containers\":[{\"name\":\"nginx\"},{\"name\":\"sidecar\"}]"));
}

}  // namespace
}  // namespace cubelet::apiserver
