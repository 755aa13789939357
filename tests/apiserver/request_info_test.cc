// ParseRequestInfo against the path shapes upstream's RequestInfoFactory handles
// (apiserver/pkg/endpoints/request/requestinfo.go and its requestinfo_test.go): the verb,
// group, version, namespace, resource, subresource and name that authorization and routing see.
// ParseGoBool against Go's strconv.ParseBool.
#include "apiserver/request_info.h"

#include <ostream>
#include <string>
#include <vector>

#include "apiserver_test_util.h"
#include "gtest/gtest.h"

namespace cubelet::apiserver::testing {
namespace {

// One request and the RequestInfo upstream derives from it. The API prefix is the path's first
// segment.
struct PathCase {
  const char* method;
  const char* target;
  const char* verb;
  const char* group;
  const char* version;
  const char* namespace_;
  const char* resource;
  const char* subresource;
  const char* name;
};

void PrintTo(const PathCase& c, std::ostream* os) { *os << c.method << " " << c.target; }

// Every path shape a client of cubelet-server sends, as one table.
constexpr PathCase kResourcePaths[] = {
    // Core resources, namespaced and cluster-scoped; HEAD is a GET.
    {"GET", "/api/v1/namespaces", "list", "", "v1", "", "namespaces", "", ""},
    {"GET", "/api/v1/namespaces/other/pods", "list", "", "v1", "other", "pods", "", ""},
    {"GET", "/api/v1/namespaces/other/pods/foo", "get", "", "v1", "other", "pods", "", "foo"},
    {"HEAD", "/api/v1/namespaces/other/pods/foo", "get", "", "v1", "other", "pods", "", "foo"},
    {"GET", "/api/v1/pods", "list", "", "v1", "", "pods", "", ""},
    {"HEAD", "/api/v1/pods", "list", "", "v1", "", "pods", "", ""},
    {"GET", "/api/v1/nodes/node1", "get", "", "v1", "", "nodes", "", "node1"},
    // Subresources: the kubelet's node and pod status, kubectl logs, the scheduler's binding,
    // kubectl drain's eviction.
    {"PATCH", "/api/v1/nodes/node1/status", "patch", "", "v1", "", "nodes", "status", "node1"},
    {"GET", "/api/v1/namespaces/other/pods/foo/status", "get", "", "v1", "other", "pods", "status", "foo"},
    {"PATCH", "/api/v1/namespaces/other/pods/foo/status", "patch", "", "v1", "other", "pods", "status", "foo"},
    {"GET", "/api/v1/namespaces/other/pods/foo/log", "get", "", "v1", "other", "pods", "log", "foo"},
    {"POST", "/api/v1/namespaces/other/pods/foo/binding", "create", "", "v1", "other", "pods", "binding", "foo"},
    {"POST", "/api/v1/namespaces/other/pods/foo/eviction", "create", "", "v1", "other", "pods", "eviction", "foo"},
    // Verbs follow the method and whether a name is given.
    {"PUT", "/api/v1/namespaces/other/pods/foo", "update", "", "v1", "other", "pods", "", "foo"},
    {"DELETE", "/api/v1/namespaces/other/pods/foo", "delete", "", "v1", "other", "pods", "", "foo"},
    {"POST", "/api/v1/namespaces/other/pods", "create", "", "v1", "other", "pods", "", ""},
    {"DELETE", "/api/v1/nodes", "deletecollection", "", "v1", "", "nodes", "", ""},
    {"DELETE", "/api/v1/namespaces", "deletecollection", "", "v1", "", "namespaces", "", ""},
    {"DELETE", "/api/v1/namespaces/other/pods", "deletecollection", "", "v1", "other", "pods", "", ""},
    // Group paths: /apis/<group>/<version>/...
    {"DELETE", "/apis/extensions/v1/namespaces/other/pods", "deletecollection", "extensions", "v1", "other", "pods", "",
     ""},
    {"POST", "/apis/extensions/v1beta3/namespaces/other/pods", "create", "extensions", "v1beta3", "other", "pods", "",
     ""},
    {"GET", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node1", "get", "coordination.k8s.io", "v1",
     "kube-node-lease", "leases", "", "node1"},
    {"PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node1", "update", "coordination.k8s.io",
     "v1", "kube-node-lease", "leases", "", "node1"},
    {"GET", "/apis/storage.k8s.io/v1/csinodes", "list", "storage.k8s.io", "v1", "", "csinodes", "", ""},
    {"GET", "/apis/batch/v1/job/foo/scale", "get", "batch", "v1", "", "job", "scale", "foo"},
    // /api/v1/namespaces/<ns>/status and /finalize are subresources of the namespace, which is
    // named by (and lives in) itself.
    {"PUT", "/api/v1/namespaces/other/finalize", "update", "", "v1", "other", "namespaces", "finalize", "other"},
    {"PUT", "/api/v1/namespaces/other/status", "update", "", "v1", "other", "namespaces", "status", "other"},
    {"GET", "/api/v1/namespaces/other/status", "get", "", "v1", "other", "namespaces", "status", "other"},
    // The deprecated /watch/ prefix.
    {"GET", "/api/v1/watch/pods", "watch", "", "v1", "", "pods", "", ""},
    {"GET", "/api/v1/watch/namespaces/other/pods", "watch", "", "v1", "other", "pods", "", ""},
    {"GET", "/api/v1/watch/namespaces/other/pods/foo", "watch", "", "v1", "other", "pods", "", "foo"},
    {"GET", "/apis/coordination.k8s.io/v1/watch/leases", "watch", "coordination.k8s.io", "v1", "", "leases", "", ""},
    // ?watch= with the spellings clients send: kubectl and client-go "true", the Python client
    // Python's str(True) "True".
    {"GET", "/api/v1/pods?watch=true", "watch", "", "v1", "", "pods", "", ""},
    {"GET", "/api/v1/pods?watch=false", "list", "", "v1", "", "pods", "", ""},
    {"GET", "/api/v1/namespaces/other/pods?watch=1", "watch", "", "v1", "other", "pods", "", ""},
    {"GET", "/api/v1/namespaces/other/pods?watch=0", "list", "", "v1", "other", "pods", "", ""},
    {"GET", "/api/v1/namespaces/other/pods?watch=True", "watch", "", "v1", "other", "pods", "", ""},
    {"GET", "/api/v1/namespaces/other/pods?watch=False", "list", "", "v1", "other", "pods", "", ""},
    {"GET", "/api/v1/pods?watch=FALSE", "list", "", "v1", "", "pods", "", ""},
    {"GET", "/api/v1/pods?limit=500&resourceVersion=7&watch=true", "watch", "", "v1", "", "pods", "", ""},
    // A watch of one object by its URL; a field selector on a GET of a name is ignored.
    {"GET", "/api/v1/namespaces/a/pods/web?watch=true", "watch", "", "v1", "a", "pods", "", "web"},
    {"GET", "/api/v1/namespaces/a/pods/web?fieldSelector=metadata.name=other", "get", "", "v1", "a", "pods", "", "web"},
    // A trailing slash changes nothing.
    {"GET", "/api/v1/namespaces/a/pods/", "list", "", "v1", "a", "pods", "", ""},
};

class ResourcePathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(ResourcePathTest, ParsesLikeUpstreamsRequestInfoFactory) {
  const PathCase& c = GetParam();
  RequestInfo info = ParseRequestInfo(MakeRequest(c.method, c.target));
  EXPECT_TRUE(info.resource_request);
  EXPECT_EQ(info.verb, c.verb);
  EXPECT_EQ(info.api_prefix, std::string(c.target).rfind("/apis/", 0) == 0 ? "apis" : "api");
  EXPECT_EQ(info.api_group, c.group);
  EXPECT_EQ(info.api_version, c.version);
  EXPECT_EQ(info.namespace_, c.namespace_);
  EXPECT_EQ(info.resource, c.resource);
  EXPECT_EQ(info.subresource, c.subresource);
  EXPECT_EQ(info.name, c.name);
}

INSTANTIATE_TEST_SUITE_P(RequestInfoTest, ResourcePathTest, ::testing::ValuesIn(kResourcePaths));

// TODO(bug): upstream sets Namespace for /api/v1/namespaces/<name> as for its /status (the
// namespace object lives in itself), so a 403 there says `in the namespace "other"`;
// cubelet-server leaves the namespace empty and says "at the cluster scope". Fixing it in
// request_info.cc needs the resource handler to read cluster-scoped objects with no namespace.
TEST(RequestInfoTest, NamespaceObjectPathCarriesTheNamespace) {
  GTEST_SKIP() << "bug: GET /api/v1/namespaces/other has an empty namespace (upstream: \"other\")";
  for (const char* method : {"GET", "DELETE", "PATCH", "PUT"}) {
    RequestInfo info = ParseRequestInfo(MakeRequest(method, "/api/v1/namespaces/other"));
    EXPECT_EQ(info.namespace_, "other") << method;
    EXPECT_EQ(info.resource, "namespaces") << method;
    EXPECT_EQ(info.name, "other") << method;
  }
}

// Upstream decodes ?watch with its parameter codec (anything but "false" and "0" is true);
// cubelet-server reads it with Go's strconv.ParseBool like its other boolean parameters, so a
// value ParseBool refuses is no watch here. Clients only send true/True/1 and their opposites;
// what matters is that the authorizer's verb and the handler agree, and the handler routes on
// this verb.
TEST(RequestInfoTest, WatchFollowsParseGoBool) {
  for (const char* value : {"1", "t", "T", "TRUE", "true", "True"}) {
    EXPECT_EQ(ParseRequestInfo(Get(std::string("/api/v1/pods?watch=") + value)).verb, "watch") << value;
  }
  for (const char* value : {"0", "f", "F", "FALSE", "false", "False"}) {
    EXPECT_EQ(ParseRequestInfo(Get(std::string("/api/v1/pods?watch=") + value)).verb, "list") << value;
  }
  // The first value counts, as in Go's url.Values.Get.
  EXPECT_EQ(ParseRequestInfo(Get("/api/v1/pods?watch=true&watch=false")).verb, "watch");
}

// The kubelet's node informer and kubectl delete's wait list and watch one object by name; the
// Node authorizer decides on that name.
TEST(RequestInfoTest, MetadataNameFieldSelectorNamesListsAndWatches) {
  RequestInfo list = ParseRequestInfo(Get("/apis/group/version/resource?fieldSelector=metadata.name=name1"));
  EXPECT_EQ(list.verb, "list");
  EXPECT_EQ(list.name, "name1");
  RequestInfo watch = ParseRequestInfo(Get("/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1"));
  EXPECT_EQ(watch.verb, "watch");
  EXPECT_EQ(watch.name, "name1");
  RequestInfo node = ParseRequestInfo(Get("/api/v1/nodes?fieldSelector=metadata.name%3Dnode1&limit=500&resourceVersion=0"));
  EXPECT_EQ(node.verb, "list");
  EXPECT_EQ(node.resource, "nodes");
  EXPECT_EQ(node.name, "node1");
  RequestInfo kubectl = ParseRequestInfo(
      Get("/api/v1/namespaces/default/pods?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dx&resourceVersion=5&"
          "timeoutSeconds=420&watch=true"));
  EXPECT_EQ(kubectl.verb, "watch");
  EXPECT_EQ(kubectl.name, "x");
  EXPECT_EQ(kubectl.namespace_, "default");
  EXPECT_EQ(ParseRequestInfo(Get("/api/v1/pods?fieldSelector=metadata.name==x")).name, "x");
}

TEST(RequestInfoTest, FieldSelectorsThatDoNotPinTheNameLeaveItEmpty) {
  for (const char* target : {
           "/apis/group/version/resource?fieldSelector=foo=bar",
           "/apis/group/version/resource?fieldSelector=metadata.name!=name1",
           // Invalid selector: upstream's decode fails and no name is set.
           "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo",
           "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true",
       }) {
    EXPECT_EQ(ParseRequestInfo(Get(target)).name, "") << target;
  }
  // The verb survives a bad selector.
  EXPECT_EQ(ParseRequestInfo(Get("/apis/g/v/r?fieldSelector=metadata.name=name1,foo&watch=true")).verb, "watch");
  EXPECT_EQ(ParseRequestInfo(Get("/apis/g/v/r?fieldSelector=metadata.name=name1,foo&watch=false")).verb, "list");
}

// TODO(bug): upstream takes fields.Selector.RequiresExactMatch("metadata.name"), which finds the
// name among other requirements; cubelet-server only reads a selector of one requirement.
TEST(RequestInfoTest, MetadataNameIsFoundAmongOtherRequirements) {
  GTEST_SKIP() << "bug: fieldSelector=metadata.name=x,spec.nodeName=n1 gives no name (upstream: \"x\")";
  EXPECT_EQ(ParseRequestInfo(Get("/api/v1/pods?fieldSelector=metadata.name=x,spec.nodeName=n1")).name, "x");
  EXPECT_EQ(ParseRequestInfo(Get("/api/v1/pods?fieldSelector=spec.nodeName=n1,metadata.name=x")).name, "x");
}

// TODO(bug): upstream sets the name only when path.IsValidPathSegmentName accepts it (no "/",
// "%", "." or ".."), so an authorizer never sees a name no URL could carry.
TEST(RequestInfoTest, MetadataNameThatIsNoPathSegmentIsIgnored) {
  GTEST_SKIP() << "bug: fieldSelector=metadata.name=a/b names \"a/b\" (upstream: no name)";
  for (const char* target : {"/api/v1/pods?fieldSelector=metadata.name%3Da%2Fb",
                             "/api/v1/pods?fieldSelector=metadata.name%3D..",
                             "/api/v1/pods?fieldSelector=metadata.name%3Da%25b"}) {
    EXPECT_EQ(ParseRequestInfo(Get(target)).name, "") << target;
  }
}

// TODO(bug): requestinfo_test.go "selector on deprecated root type watch is not parsed": the
// /watch/ prefix sets the verb before the selector is read, so no name comes from it.
TEST(RequestInfoTest, DeprecatedWatchPathIgnoresTheFieldSelector) {
  GTEST_SKIP() << "bug: /api/v1/watch/pods?fieldSelector=metadata.name=foo names \"foo\" (upstream: no name)";
  RequestInfo info = ParseRequestInfo(Get("/api/v1/watch/pods?fieldSelector=metadata.name=foo"));
  EXPECT_EQ(info.verb, "watch");
  EXPECT_EQ(info.name, "");
}

TEST(RequestInfoTest, NonResourcePathsKeepTheLowerCaseMethod) {
  for (const char* target :
       {"/", "/api", "/api/", "/api/v1", "/api/v1/", "/apis", "/apis/extensions", "/apis/extensions/v1beta1",
        "/apis/extensions/v1beta1/", "/apis/version/resource", "/not-api/version/resource", "/healthz", "/version",
        "/openapi/v3", "/openapi/v3/api/v1", "/livez/etcd"}) {
    RequestInfo info = ParseRequestInfo(Get(target));
    EXPECT_FALSE(info.resource_request) << target;
    EXPECT_EQ(info.verb, "get") << target;
    EXPECT_EQ(info.resource, "") << target;
  }
  RequestInfo post = ParseRequestInfo(MakeRequest("POST", "/healthz"));
  EXPECT_FALSE(post.resource_request);
  EXPECT_EQ(post.verb, "post");
  EXPECT_EQ(post.path, "/healthz");
}

// Discovery is served from the segments after /api or /apis.
TEST(RequestInfoTest, DiscoveryPathsKeepTheirSegments) {
  RequestInfo core = ParseRequestInfo(Get("/api/v1"));
  EXPECT_FALSE(core.resource_request);
  EXPECT_EQ(core.parts, std::vector<std::string>({"v1"}));
  RequestInfo group = ParseRequestInfo(Get("/apis/coordination.k8s.io"));
  EXPECT_FALSE(group.resource_request);
  EXPECT_EQ(group.parts, std::vector<std::string>({"coordination.k8s.io"}));
  RequestInfo gv = ParseRequestInfo(Get("/apis/coordination.k8s.io/v1"));
  EXPECT_FALSE(gv.resource_request);
  EXPECT_EQ(gv.parts, std::vector<std::string>({"coordination.k8s.io", "v1"}));
}

// Upstream keeps only the first segment after the name as the subresource and lets the router
// 404 the rest; cubelet-server keeps them all, so .../status/extra is never served as /status.
TEST(RequestInfoTest, DeeperPathsAreNotAKnownSubresource) {
  RequestInfo deep = ParseRequestInfo(MakeRequest("PUT", "/api/v1/namespaces/a/pods/p/status/extra"));
  EXPECT_TRUE(deep.resource_request);
  EXPECT_EQ(deep.resource, "pods");
  EXPECT_EQ(deep.name, "p");
  EXPECT_NE(deep.subresource, "status");
}

TEST(RequestInfoTest, TruncatedPathsNeverCrash) {
  for (const char* target : {"/api/v1/watch", "/api/v1/watch/", "/apis/g/v/watch", "/api/v1/namespaces/",
                             "/api/v1/namespaces//pods", "/api/v1/watch/namespaces", "//api//v1//pods"}) {
    RequestInfo info = ParseRequestInfo(Get(target));
    EXPECT_NE(info.verb, "") << target;
  }
}

TEST(ParseGoBoolTest, AcceptsExactlyWhatStrconvParseBoolAccepts) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    bool v = false;
    EXPECT_TRUE(ParseGoBool(t, &v)) << t;
    EXPECT_TRUE(v) << t;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    bool v = true;
    EXPECT_TRUE(ParseGoBool(f, &v)) << f;
    EXPECT_FALSE(v) << f;
  }
  for (const char* bad : {"", "yes", "no", "tRUE", "fALSE", "2", " true", "true ", "on", "y"}) {
    bool v = true;
    EXPECT_FALSE(ParseGoBool(bad, &v)) << "'" << bad << "'";
    EXPECT_TRUE(v) << "the output is untouched on error: '" << bad << "'";
  }
}

}  // namespace
}  // namespace cubelet::apiserver::testing
