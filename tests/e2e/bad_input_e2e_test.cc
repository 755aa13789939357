// Hostile or broken requests, sent raw over HTTPS with the admin client certificate: each gets
// a v1 Status with upstream's reason and code, the store is unchanged afterwards (the lists of
// the kinds involved are identical, resourceVersion included), and the server keeps serving.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/write.h"

namespace cubelet::testing {
namespace {

constexpr char kPods[] = "/api/v1/namespaces/default/pods";
constexpr char kConfigMaps[] = "/api/v1/namespaces/default/configmaps";

const std::string kGoodPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"good"},"spec":{"containers":[{"name":"c","image":"busybox"}]}})";

class BadInputTest : public SharedServerTest<> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SharedServerTest::SetUp());
    admin_ = std::make_unique<HttpsClient>(HttpsClient::FromKubeconfig(server_->admin_kubeconfig(), scratch_.path()));
  }

  // What "the store is unchanged" is checked against: the raw lists (items and resourceVersion).
  std::string Snapshot() const {
    std::string s;
    for (const char* path : {kPods, kConfigMaps, "/api/v1/namespaces"}) {
      HttpResponse r = admin_->Get(path);
      EXPECT_EQ(r.code, 200) << r.Describe();
      s += r.body + "\n";
    }
    return s;
  }

  // Sends the request and checks the Status (HTTP code = Status code, reason) and that nothing
  // changed; returns the Status.
  json::Value ExpectRefused(const std::string& method, const std::string& path, const std::string& body, int code,
                            const std::string& reason, const std::string& content_type = "application/json") {
    std::string before = Snapshot();
    HttpResponse r = admin_->Request(method, path, body, content_type);
    EXPECT_EQ(r.code, code) << method << " " << path << ": " << r.Describe();
    json::Value status = r.Json();
    EXPECT_EQ(status.GetString({"kind"}), "Status") << r.Describe();
    EXPECT_EQ(status.GetString({"apiVersion"}), "v1");
    EXPECT_EQ(status.GetString({"status"}), "Failure");
    EXPECT_EQ(status.GetString({"reason"}), reason) << r.body.substr(0, 2000);
    if (status.Find("code") != nullptr) {
      EXPECT_EQ(status.Find("code")->AsInt64(), code);
    }
    EXPECT_FALSE(status.GetString({"message"}).empty());
    EXPECT_EQ(Snapshot(), before) << "the store changed after " << method << " " << path;
    EXPECT_EQ(admin_->Get("/readyz").code, 200) << "the server stopped serving";
    return status;
  }

  TempDir scratch_;
  std::unique_ptr<HttpsClient> admin_;
};

TEST_F(BadInputTest, MalformedJson) {
  json::Value s = ExpectRefused("POST", kPods, R"({"apiVersion":"v1","kind":"Pod",)", 400, "BadRequest");
  ExpectRefused("POST", kConfigMaps, "{not json", 400, "BadRequest");
  ExpectRefused("POST", kConfigMaps, R"({"apiVersion":"v1","kind":"ConfigMap"} trailing)", 400, "BadRequest");
  ExpectRefused("POST", kConfigMaps, "[]", 400, "BadRequest");
  ExpectRefused("POST", kConfigMaps, "\"just a string\"", 400, "BadRequest");
  ExpectRefused("POST", kConfigMaps, std::string("{\"a\":\"\xff\xfe\"}"), 400, "BadRequest");
  ExpectRefused("PUT", StrCat(kConfigMaps, "/x"), "{", 400, "BadRequest");
  ExpectRefused("PATCH", StrCat(kConfigMaps, "/x"), "{", 400, "BadRequest", "application/merge-patch+json");
}

TEST_F(BadInputTest, MalformedYaml) {
  ExpectRefused("POST", kConfigMaps, "apiVersion: v1\nkind: ConfigMap\nmetadata: [name: x\n", 400, "BadRequest",
                "application/yaml");
  ExpectRefused("POST", kConfigMaps, "apiVersion: v1\n  kind: ConfigMap\n\tmetadata: {\n", 400, "BadRequest",
                "application/yaml");
  // Well-formed YAML is accepted (upstream takes application/yaml bodies).
  HttpResponse ok = admin_->Request("POST", kConfigMaps, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n",
                                    "application/yaml");
  EXPECT_EQ(ok.code, 201) << ok.Describe();
  EXPECT_EQ(admin_->Request("DELETE", StrCat(kConfigMaps, "/from-yaml")).code, 200);
}

TEST_F(BadInputTest, WrongKindOrVersionForTheEndpoint) {
  json::Value s = ExpectRefused(
      "POST", kPods, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"wrongkind"}})", 400, "BadRequest");
  EXPECT_NE(s.GetString({"message"}).find("ConfigMap"), std::string::npos) << json::Write(s);
  ExpectRefused("POST", kPods,
                R"({"apiVersion":"apps/v1","kind":"Pod","metadata":{"name":"wrongversion"},)"
                R"("spec":{"containers":[{"name":"c","image":"busybox"}]}})",
                400, "BadRequest");
  // A body namespace other than the URL's.
  ExpectRefused("POST", kConfigMaps,
                R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"kube-system"}})", 400,
                "BadRequest");
  // A body name other than the URL's on update.
  HttpResponse created = admin_->Request("POST", kConfigMaps,
                                         R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"named"}})");
  ASSERT_EQ(created.code, 201) << created.Describe();
  ExpectRefused("PUT", StrCat(kConfigMaps, "/named"),
                R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}})", 400, "BadRequest");
  // Not a type the server decodes.
  ExpectRefused("POST", kConfigMaps, "a=b", 415, "UnsupportedMediaType", "text/plain");
  ExpectRefused("PATCH", StrCat(kConfigMaps, "/named"), R"({"data":{"a":"b"}})", 415, "UnsupportedMediaType",
                "application/json");
  EXPECT_EQ(admin_->Request("DELETE", StrCat(kConfigMaps, "/named")).code, 200);
}

TEST_F(BadInputTest, BodiesOverThreeMebibytesAre413) {
  std::string big = StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":")",
                           std::string(3 * 1024 * 1024 + 100, 'x'), "\"}}");
  ExpectRefused("POST", kConfigMaps, big, 413, "RequestEntityTooLarge");
  HttpResponse created =
      admin_->Request("POST", kConfigMaps, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"small"}})");
  ASSERT_EQ(created.code, 201) << created.Describe();
  ExpectRefused("PATCH", StrCat(kConfigMaps, "/small"),
                StrCat(R"({"data":{"a":")", std::string(4 * 1024 * 1024, 'y'), "\"}}"), 413, "RequestEntityTooLarge",
                "application/merge-patch+json");
  EXPECT_EQ(admin_->Request("DELETE", StrCat(kConfigMaps, "/small")).code, 200);
}

TEST_F(BadInputTest, UnknownFieldsUnderStrictValidation) {
  std::string pod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"strict"},)"
                    R"("spec":{"foo":1,"containers":[{"name":"c","image":"busybox","bar":true}]}})";
  json::Value s = ExpectRefused("POST", StrCat(kPods, "?fieldValidation=Strict"), pod, 400, "BadRequest");
  EXPECT_NE(s.GetString({"message"}).find("unknown field \"spec.foo\""), std::string::npos) << json::Write(s);
  EXPECT_NE(s.GetString({"message"}).find("unknown field \"spec.containers[0].bar\""), std::string::npos)
      << json::Write(s);
  // Duplicate fields too.
  json::Value dup = ExpectRefused(
      "POST", StrCat(kConfigMaps, "?fieldValidation=Strict"),
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d1","name":"d2"}})", 400, "BadRequest");
  EXPECT_NE(dup.GetString({"message"}).find("duplicate field \"metadata.name\""), std::string::npos)
      << json::Write(dup);

  // Warn: created, with a Warning header naming the field; Ignore: created silently.
  HttpResponse warn = admin_->Request("POST", StrCat(kPods, "?fieldValidation=Warn"), pod);
  EXPECT_EQ(warn.code, 201) << warn.Describe();
  EXPECT_NE(warn.headers.find("Warning: 299"), std::string::npos) << warn.headers;
  EXPECT_NE(warn.headers.find("spec.foo"), std::string::npos) << warn.headers;
  EXPECT_EQ(warn.Json().FindPath({"spec", "foo"}), nullptr) << "unknown fields are dropped";
  EXPECT_EQ(admin_->Request("DELETE", StrCat(kPods, "/strict")).code, 200);

  // kubectl validates through the server (it sends fieldValidation=Strict).
  CommandResult k = server_->Kubectl(
      {"create", "-f", "-"},
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: strict\nspec:\n  foo: 1\n  containers:\n  - name: c\n"
      "    image: busybox\n");
  EXPECT_NE(k.exit_code, 0);
  EXPECT_NE(k.err.find("unknown field \"spec.foo\""), std::string::npos) << k.Describe();
  // Strict applies to patches too.
  HttpResponse created = admin_->Request("POST", kPods, kGoodPod);
  ASSERT_EQ(created.code, 201) << created.Describe();
  json::Value p = ExpectRefused("PATCH", StrCat(kPods, "/good?fieldValidation=Strict"), R"({"spec":{"nope":1}})", 400,
                                "BadRequest", "application/merge-patch+json");
  EXPECT_NE(p.GetString({"message"}).find("spec.nope"), std::string::npos) << json::Write(p);
  EXPECT_EQ(admin_->Request("DELETE", StrCat(kPods, "/good")).code, 200);
}

TEST_F(BadInputTest, InvalidObjectsAre422WithTheField) {
  json::Value s = ExpectRefused("POST", kConfigMaps,
                                R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}})", 422, "Invalid");
  EXPECT_EQ(s.GetString({"details", "name"}), "Bad_Name");
  EXPECT_EQ(s.GetString({"details", "kind"}), "ConfigMap");
  const json::Value* causes = s.FindPath({"details", "causes"});
  ASSERT_TRUE(causes != nullptr && causes->size() >= 1) << json::Write(s);
  EXPECT_EQ(causes->AsArray()[0].GetString({"field"}), "metadata.name");
  EXPECT_EQ(causes->AsArray()[0].GetString({"reason"}), "FieldValueInvalid");

  ExpectRefused("POST", kConfigMaps, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})", 422, "Invalid");
  ExpectRefused("POST", kConfigMaps,
                StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")", std::string(254, 'a'), "\"}}"),
                422, "Invalid");
  json::Value pod = ExpectRefused(
      "POST", kPods, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"empty"},"spec":{"containers":[]}})", 422,
      "Invalid");
  EXPECT_NE(json::Write(pod).find("spec.containers"), std::string::npos) << json::Write(pod);
  ExpectRefused("POST", kPods,
                R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"badlabel","labels":{"-x-":"y"}},)"
                R"("spec":{"containers":[{"name":"c","image":"busybox"}]}})",
                422, "Invalid");
  // kubectl shows the field.
  CommandResult k = server_->Kubectl({"create", "-f", "-"}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n");
  EXPECT_NE(k.exit_code, 0);
  EXPECT_NE(k.err.find("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\""),
            std::string::npos)
      << k.Describe();
}

TEST_F(BadInputTest, DeepNestingAndHugeNumbersDoNotHurt) {
  const int depth = 10000;
  std::string arrays = StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"a":)",
                              std::string(depth, '['), std::string(depth, ']'), "}}");
  HttpResponse r1 = admin_->Request("POST", kConfigMaps, arrays);
  EXPECT_TRUE(r1.code == 400 || r1.code == 422) << r1.Describe();
  std::string objects = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep2","annotations":)";
  for (int i = 0; i < depth; ++i) objects += "{\"a\":";
  objects += "1";
  objects += std::string(depth, '}');
  objects += "}}";
  std::string before = Snapshot();
  HttpResponse r2 = admin_->Request("POST", kConfigMaps, objects);
  EXPECT_TRUE(r2.code == 400 || r2.code == 422) << r2.Describe();
  EXPECT_EQ(r2.Json().GetString({"kind"}), "Status") << r2.Describe();
  // Patches are parsed the same way.
  std::string patch = std::string(depth, '[') + std::string(depth, ']');
  HttpResponse r3 = admin_->Request("PATCH", StrCat(kConfigMaps, "/x"), patch, "application/json-patch+json");
  EXPECT_GE(r3.code, 400) << r3.Describe();
  EXPECT_LT(r3.code, 500) << r3.Describe();

  const std::string digits(400, '9');
  for (const std::string& number : {digits, StrCat("-", digits), StrCat("1e", digits), StrCat("0.", digits), std::string("1e400")}) {
    std::string body =
        StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"num"},"spec":{"terminationGracePeriodSeconds":)",
               number, R"(,"containers":[{"name":"c","image":"busybox"}]}})");
    HttpResponse r = admin_->Request("POST", kPods, body);
    EXPECT_TRUE(r.code == 400 || r.code == 422) << number.substr(0, 10) << ": " << r.Describe();
    EXPECT_EQ(r.Json().GetString({"kind"}), "Status") << r.Describe();
  }
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(admin_->Get("/readyz").code, 200);
  EXPECT_EQ(server_->Log().find("Check failed"), std::string::npos);
}

TEST_F(BadInputTest, BadSelectorsAre400) {
  json::Value l = ExpectRefused("GET", StrCat(kPods, "?labelSelector=a%20in%20("), "", 400, "BadRequest");
  ExpectRefused("GET", StrCat(kPods, "?labelSelector=%3D%3Dx"), "", 400, "BadRequest");
  json::Value f = ExpectRefused("GET", StrCat(kPods, "?fieldSelector=spec.foo%3Dbar"), "", 400, "BadRequest");
  EXPECT_NE(f.GetString({"message"}).find("field label not supported"), std::string::npos) << json::Write(f);
  json::Value cm = ExpectRefused("GET", StrCat(kConfigMaps, "?fieldSelector=spec.nodeName%3Dn1"), "", 400, "BadRequest");
  EXPECT_NE(cm.GetString({"message"}).find("field label not supported"), std::string::npos) << json::Write(cm);
  ExpectRefused("GET", StrCat(kPods, "?watch=true&fieldSelector=spec.foo%3Dbar"), "", 400, "BadRequest");
  ExpectRefused("GET", StrCat(kPods, "?limit=abc"), "", 400, "BadRequest");
  ExpectRefused("GET", StrCat(kPods, "?continue=not-a-token&limit=1"), "", 400, "BadRequest");

  CommandResult k = server_->Kubectl({"get", "pods", "--field-selector", "spec.foo=x"});
  EXPECT_NE(k.exit_code, 0);
  EXPECT_NE(k.err.find("field label not supported: spec.foo"), std::string::npos) << k.Describe();
  CommandResult kl = server_->Kubectl({"get", "pods", "-l", "a in ("});
  EXPECT_NE(kl.exit_code, 0) << kl.Describe();
}

TEST_F(BadInputTest, UnknownPathsAndMethods) {
  ExpectRefused("GET", "/api/v1/namespaces/default/widgets", "", 404, "NotFound");
  ExpectRefused("GET", "/apis/apps/v1/namespaces/default/deployments", "", 404, "NotFound");
  ExpectRefused("GET", StrCat(kConfigMaps, "/missing"), "", 404, "NotFound");
  ExpectRefused("DELETE", StrCat(kConfigMaps, "/missing"), "", 404, "NotFound");
  ExpectRefused("PUT", kConfigMaps, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}})", 405,
                "MethodNotAllowed");
  // Subresources that do not exist for the kind.
  ExpectRefused("GET", StrCat(kConfigMaps, "/x/status"), "", 404, "NotFound");
}

}  // namespace
}  // namespace cubelet::testing
