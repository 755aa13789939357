// Every bundled kubectl minor against a real cubelet-server: create (with server-side strict
// field validation), client-side apply twice, server-side apply, explain (from v3, and from v2
// with --output=plaintext-openapiv2) and get. kubectl 1.27 and 1.28 download the OpenAPI v2
// protobuf before anything else (create and apply fail without it); 1.29 and later read
// OpenAPI v3 and must keep working. The tests share
// one server; each minor uses its own object names.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "e2e/server_fixture.h"

namespace cubelet::testing {
namespace {

std::string PodManifest(const std::string& name, const std::string& label, const std::string& extra_field = "") {
  return StrCat("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ", name, "\n  labels:\n    app: ", label,
                "\nspec:\n  containers:\n  - name: c\n    image: busybox:1\n    command: [\"sleep\", \"3600\"]\n",
                extra_field.empty() ? "" : StrCat("    ", extra_field, "\n"));
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class KubectlOpenApiV2Test : public PerMinorServerTest {
 protected:
  std::string Name(const std::string& what) const { return StrCat("v2-", Tag(), "-", what); }
  bool ReadsOpenApiV2() const { return GetParam() == "1.27" || GetParam() == "1.28"; }
};

TEST_P(KubectlOpenApiV2Test, CreateValidatesOnTheServerAndGetListsThePod) {
  const std::string name = Name("create");
  // -v=6 logs every request: the OpenAPI v2 document must be fetched once, with no fallback.
  CommandResult r = Kubectl({"create", "-f", "-", "-v=6"}, PodManifest(name, "web"));
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, StrCat("pod/", name, " created"))) << r.Describe();
  if (ReadsOpenApiV2()) {
    EXPECT_TRUE(Contains(r.err, "/openapi/v2?timeout=32s 200 OK")) << r.err;
  }
  EXPECT_FALSE(Contains(r.err, "swagger-2.0.0.pb-v1")) << r.err;
  EXPECT_FALSE(Contains(r.err, "/openapi/v2?timeout=32s 404")) << r.err;

  // An unknown field is refused by the server (fieldValidation=Strict), not by the client.
  CommandResult bad = Kubectl({"create", "-f", "-", "-v=6"}, PodManifest(Name("bad"), "web", "bogusField: 1"));
  EXPECT_NE(bad.exit_code, 0) << bad.Describe();
  EXPECT_TRUE(Contains(bad.err, "unknown field")) << bad.Describe();
  EXPECT_TRUE(Contains(bad.err, "strict decoding error")) << bad.Describe();
  EXPECT_TRUE(Contains(bad.err, "fieldValidation=Strict")) << bad.Describe();

  CommandResult get = Kubectl({"get", "pods"});
  ASSERT_EQ(get.exit_code, 0) << get.Describe();
  EXPECT_TRUE(Contains(get.out, name)) << get.out;
  EXPECT_FALSE(Contains(get.out, Name("bad"))) << get.out;
}

TEST_P(KubectlOpenApiV2Test, ClientSideApplyTwiceIsUnchangedThenConfigures) {
  const std::string name = Name("apply");
  CommandResult first = Kubectl({"apply", "-f", "-"}, PodManifest(name, "web"));
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_TRUE(Contains(first.out, StrCat("pod/", name, " created"))) << first.Describe();

  CommandResult second = Kubectl({"apply", "-f", "-"}, PodManifest(name, "web"));
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  EXPECT_TRUE(Contains(second.out, StrCat("pod/", name, " unchanged"))) << second.Describe();

  // A changed label is sent as a strategic merge patch computed from the OpenAPI schema.
  CommandResult third = Kubectl({"apply", "-f", "-", "-v=6"}, PodManifest(name, "api"));
  ASSERT_EQ(third.exit_code, 0) << third.Describe();
  EXPECT_TRUE(Contains(third.out, StrCat("pod/", name, " configured"))) << third.Describe();
  EXPECT_FALSE(Contains(third.err, "warning: error calculating patch")) << third.err;
  CommandResult label = Kubectl({"get", "pod", name, "-o", "jsonpath={.metadata.labels.app}"});
  EXPECT_EQ(label.out, "api") << label.Describe();
}

TEST_P(KubectlOpenApiV2Test, ServerSideApplyCreatesAndConverges) {
  const std::string name = Name("ssa");
  CommandResult first = Kubectl({"apply", "--server-side", "-f", "-"}, PodManifest(name, "web"));
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_TRUE(Contains(first.out, StrCat("pod/", name, " serverside-applied"))) << first.Describe();
  CommandResult again = Kubectl({"apply", "--server-side", "-f", "-"}, PodManifest(name, "web"));
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_TRUE(Contains(again.out, StrCat("pod/", name, " serverside-applied"))) << again.Describe();
  CommandResult bad = Kubectl({"apply", "--server-side", "-f", "-"}, PodManifest(Name("ssa-bad"), "web", "bogus: 1"));
  EXPECT_NE(bad.exit_code, 0) << bad.Describe();
  EXPECT_TRUE(Contains(bad.err, "unknown field")) << bad.Describe();
}

TEST_P(KubectlOpenApiV2Test, ExplainDescribesContainerFields) {
  CommandResult r = Kubectl({"explain", "pod.spec.containers"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "KIND:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "Pod")) << r.out;
  EXPECT_TRUE(Contains(r.out, "DESCRIPTION:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "FIELDS:")) << r.out;
  EXPECT_TRUE(Contains(r.out, "image")) << r.out;
  EXPECT_TRUE(Contains(r.out, "ports")) << r.out;

  // The v1 explain walks the OpenAPI v2 definitions (default output reads v3); it names struct
  // types Object.
  CommandResult v2 = Kubectl({"explain", "pod.spec.containers", "--output=plaintext-openapiv2"});
  ASSERT_EQ(v2.exit_code, 0) << v2.Describe();
  EXPECT_TRUE(Contains(v2.out, "RESOURCE: containers <[]Object>")) << v2.out;
  EXPECT_TRUE(Contains(v2.out, "image\t<string>")) << v2.out;
  EXPECT_TRUE(Contains(v2.out, "ports\t<[]Object>")) << v2.out;
  CommandResult nested = Kubectl({"explain", "pod.spec.containers.ports.containerPort", "--output=plaintext-openapiv2"});
  ASSERT_EQ(nested.exit_code, 0) << nested.Describe();
  EXPECT_TRUE(Contains(nested.out, "FIELD:    containerPort <integer>")) << nested.out;

  CommandResult recursive = Kubectl({"explain", "pod.spec.containers.resources.limits"});
  ASSERT_EQ(recursive.exit_code, 0) << recursive.Describe();
  EXPECT_TRUE(Contains(recursive.out, "limits")) << recursive.out;
}

INSTANTIATE_TEST_SUITE_P(EveryBundledMinor, KubectlOpenApiV2Test, ::testing::ValuesIn(BundledKubectlMinors()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return "kubectl" + MinorTag(info.param);
                         });

}  // namespace
}  // namespace cubelet::testing
