// Protobuf request bodies against the real cubelet-server: kubectl 1.32's imperative commands
// (typed clients writing application/vnd.kubernetes.protobuf; drain's evictions), and the writes
// a kubelet or scheduler makes in protobuf (binding, eviction, DeleteOptions, update), sent raw
// through curl.
// Each object is read back with `kubectl get -o json` to check the fields landed.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/e2e_util.h"
#include "e2e/server_fixture.h"
#include "json/parse.h"
#include "json/write.h"
#include "kproto/envelope.h"
#include "schema/schema.h"

namespace cubelet::testing {
namespace {

constexpr char kProtobuf[] = "application/vnd.kubernetes.protobuf";

class KubectlProtobufTest : public SharedServerTest<> {
 protected:
  json::Value Get(const std::vector<std::string>& args) const { return KubectlJson(*server_, args); }

  HttpsClient Client() const { return HttpsClient::FromKubeconfig(server_->admin_kubeconfig(), scratch_.path()); }
  // The object as a protobuf body, built from JSON with the built-in schema.
  static std::string Body(const std::string& type, const char* json_text) {
    auto object = json::Parse(json_text);
    EXPECT_TRUE(object.ok()) << object.status();
    auto body = kproto::Encode(schema::Schema::BuiltIn(), type, *object);
    EXPECT_TRUE(body.ok()) << body.status();
    return body.ok() ? *body : "";
  }

  TempDir scratch_;
};

TEST_F(KubectlProtobufTest, CreateNamespace) {
  EXPECT_EQ(MustKubectl({"create", "namespace", "proto-ns"}), "namespace/proto-ns created\n");
  json::Value ns = Get({"get", "namespace", "proto-ns", "-o", "json"});
  EXPECT_EQ(ns.GetString({"kind"}), "Namespace");
  EXPECT_EQ(ns.GetString({"metadata", "name"}), "proto-ns");
  EXPECT_FALSE(ns.GetString({"metadata", "uid"}).empty());
  EXPECT_FALSE(ns.GetString({"metadata", "creationTimestamp"}).empty());
  EXPECT_EQ(ns.GetString({"status", "phase"}), "Active");
}

TEST_F(KubectlProtobufTest, CreateConfigMapFromLiterals) {
  EXPECT_EQ(MustKubectl({"create", "configmap", "proto-cm", "--from-literal=a=1", "--from-literal=b=two"}),
            "configmap/proto-cm created\n");
  json::Value cm = Get({"get", "configmap", "proto-cm", "-o", "json"});
  EXPECT_EQ(cm.GetString({"data", "a"}), "1");
  EXPECT_EQ(cm.GetString({"data", "b"}), "two");
  EXPECT_EQ(cm.GetString({"metadata", "namespace"}), "default");
}

TEST_F(KubectlProtobufTest, CreateGenericSecret) {
  EXPECT_EQ(MustKubectl({"create", "secret", "generic", "proto-secret", "--from-literal=password=hunter2"}),
            "secret/proto-secret created\n");
  json::Value secret = Get({"get", "secret", "proto-secret", "-o", "json"});
  EXPECT_EQ(secret.GetString({"data", "password"}), "aHVudGVyMg==");  // base64("hunter2")
  EXPECT_EQ(secret.GetString({"type"}), "Opaque");
}

TEST_F(KubectlProtobufTest, CreateClusterIpService) {
  EXPECT_EQ(MustKubectl({"create", "service", "clusterip", "proto-svc", "--tcp=80:8080"}),
            "service/proto-svc created\n");
  json::Value svc = Get({"get", "service", "proto-svc", "-o", "json"});
  EXPECT_EQ(svc.GetString({"spec", "type"}), "ClusterIP");
  EXPECT_FALSE(svc.GetString({"spec", "clusterIP"}).empty()) << json::Write(svc);
  const json::Value* ports = svc.FindPath({"spec", "ports"});
  ASSERT_TRUE(ports != nullptr && ports->is_array() && ports->size() == 1) << json::Write(svc);
  const json::Value& port = ports->AsArray()[0];
  EXPECT_EQ(port.Find("port")->AsInt64(), 80);
  EXPECT_EQ(port.Find("targetPort")->AsInt64(), 8080);
  EXPECT_EQ(port.GetString({"protocol"}), "TCP");
  EXPECT_EQ(port.GetString({"name"}), "80-8080");
  EXPECT_EQ(svc.GetString({"spec", "selector", "app"}), "proto-svc");
}

TEST_F(KubectlProtobufTest, CreateServiceAccount) {
  EXPECT_EQ(MustKubectl({"create", "serviceaccount", "proto-sa"}), "serviceaccount/proto-sa created\n");
  json::Value sa = Get({"get", "serviceaccount", "proto-sa", "-o", "json"});
  EXPECT_EQ(sa.GetString({"metadata", "name"}), "proto-sa");
}

TEST_F(KubectlProtobufTest, CreatePriorityClassesIncludingValueZero) {
  EXPECT_EQ(MustKubectl({"create", "priorityclass", "proto-high", "--value=1000", "--description=important"}),
            "priorityclass.scheduling.k8s.io/proto-high created\n");
  json::Value high = Get({"get", "priorityclass", "proto-high", "-o", "json"});
  EXPECT_EQ(high.Find("value")->AsInt64(), 1000);
  EXPECT_EQ(high.GetString({"description"}), "important");
  EXPECT_EQ(high.GetString({"preemptionPolicy"}), "PreemptLowerPriority");
  // A value of 0 travels as a zero varint: it must not read as "no value".
  EXPECT_EQ(MustKubectl({"create", "priorityclass", "proto-zero", "--value=0"}),
            "priorityclass.scheduling.k8s.io/proto-zero created\n");
  json::Value zero = Get({"get", "priorityclass", "proto-zero", "-o", "json"});
  ASSERT_NE(zero.Find("value"), nullptr) << json::Write(zero);
  EXPECT_EQ(zero.Find("value")->AsInt64(), 0);
}

TEST_F(KubectlProtobufTest, SchedulerBindingKubeletUpdateAndEvictionInProtobuf) {
  const HttpsClient client = Client();
  // A pod created in protobuf, as a controller would.
  HttpResponse created = client.Request("POST", "/api/v1/namespaces/default/pods",
                                        Body("io.k8s.api.core.v1.Pod", R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"proto-pod","labels":{"app":"p"}},
      "spec":{"containers":[{"name":"c","image":"busybox","ports":[{"containerPort":80}],
              "resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}],
              "terminationGracePeriodSeconds":0,"automountServiceAccountToken":false}})"),
                                        kProtobuf);
  ASSERT_EQ(created.code, 201) << created.Describe();
  json::Value pod = Get({"get", "pod", "proto-pod", "-o", "json"});
  const json::Value* containers = pod.FindPath({"spec", "containers"});
  ASSERT_TRUE(containers != nullptr && containers->size() == 1) << json::Write(pod);
  EXPECT_EQ(containers->AsArray()[0].GetString({"image"}), "busybox");
  EXPECT_EQ(containers->AsArray()[0].GetString({"resources", "requests", "cpu"}), "100m");
  // Pointer fields set to their zero value arrive and stay.
  ASSERT_NE(pod.FindPath({"spec", "terminationGracePeriodSeconds"}), nullptr) << json::Write(pod);
  EXPECT_EQ(pod.FindPath({"spec", "terminationGracePeriodSeconds"})->AsInt64(), 0);
  ASSERT_NE(pod.FindPath({"spec", "automountServiceAccountToken"}), nullptr);
  EXPECT_FALSE(pod.FindPath({"spec", "automountServiceAccountToken"})->AsBool());

  // The scheduler's binding.
  HttpResponse bound = client.Request("POST", "/api/v1/namespaces/default/pods/proto-pod/binding",
                                      Body("io.k8s.api.core.v1.Binding", R"({"apiVersion":"v1","kind":"Binding",
      "metadata":{"name":"proto-pod"},"target":{"apiVersion":"v1","kind":"Node","name":"node-a"}})"),
                                      kProtobuf);
  ASSERT_EQ(bound.code, 201) << bound.Describe();
  EXPECT_EQ(KubectlJsonpath(*server_, {"get", "pod", "proto-pod"}, "{.spec.nodeName}"), "node-a");

  // An update (PUT) in protobuf, as a kubelet renews its Lease.
  MustKubectl({"create", "-f", "-"}, R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
      "metadata":{"name":"proto-lease"},"spec":{"holderIdentity":"node-a","leaseDurationSeconds":40}})");
  const std::string rv = KubectlJsonpath(*server_, {"get", "lease", "proto-lease"}, "{.metadata.resourceVersion}");
  const std::string lease = std::string(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
      "metadata":{"name":"proto-lease","namespace":"default","resourceVersion":")") + rv + R"("},
      "spec":{"holderIdentity":"node-a","leaseDurationSeconds":40,"renewTime":"2025-03-04T05:06:07.123456Z"}})";
  HttpResponse renewed = client.Request("PUT", "/apis/coordination.k8s.io/v1/namespaces/default/leases/proto-lease",
                                        Body("io.k8s.api.coordination.v1.Lease", lease.c_str()), kProtobuf);
  ASSERT_EQ(renewed.code, 200) << renewed.Describe();
  EXPECT_EQ(KubectlJsonpath(*server_, {"get", "lease", "proto-lease"}, "{.spec.renewTime}"),
            "2025-03-04T05:06:07.123456Z");

  // A drain's eviction, with DeleteOptions inside.
  const std::string uid = KubectlJsonpath(*server_, {"get", "pod", "proto-pod"}, "{.metadata.uid}");
  const std::string eviction = std::string(R"({"apiVersion":"policy/v1","kind":"Eviction",
      "metadata":{"name":"proto-pod","namespace":"default"},
      "deleteOptions":{"gracePeriodSeconds":0,"preconditions":{"uid":")") + uid + R"("}}})";
  HttpResponse evicted = client.Request("POST", "/api/v1/namespaces/default/pods/proto-pod/eviction",
                                        Body("io.k8s.api.policy.v1.Eviction", eviction.c_str()), kProtobuf);
  ASSERT_EQ(evicted.code, 201) << evicted.Describe();
  EXPECT_TRUE(Eventually([&] {
    return server_->Kubectl({"get", "pod", "proto-pod"}).err.find("NotFound") != std::string::npos;
  })) << "pod not gone after a grace period 0 eviction";
}

TEST_F(KubectlProtobufTest, DrainEvictsThroughProtobuf) {
  MustKubectl({"create", "-f", "-"}, R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"proto-node"}})");
  MustKubectl({"create", "-f", "-"}, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"proto-drained"},
      "spec":{"nodeName":"proto-node","containers":[{"name":"c","image":"busybox"}]}})");
  // drain cordons (a JSON patch), then posts a policy/v1 Eviction per pod in protobuf.
  std::string out = MustKubectl({"drain", "proto-node", "--force", "--grace-period=0", "--timeout=60s"});
  EXPECT_NE(out.find("pod/proto-drained evicted"), std::string::npos) << out;
  EXPECT_NE(out.find("node/proto-node drained"), std::string::npos) << out;
  EXPECT_EQ(KubectlJsonpath(*server_, {"get", "node", "proto-node"}, "{.spec.unschedulable}"), "true");
  EXPECT_NE(server_->Kubectl({"get", "pod", "proto-drained"}).err.find("NotFound"), std::string::npos);
}

TEST_F(KubectlProtobufTest, DeleteOptionsInProtobufWithPreconditions) {
  const HttpsClient client = Client();
  MustKubectl({"create", "configmap", "proto-del"});
  const std::string delete_options = R"({"apiVersion":"v1","kind":"DeleteOptions",
      "preconditions":{"uid":"not-the-uid"}})";
  HttpResponse refused = client.Request(
      "DELETE", "/api/v1/namespaces/default/configmaps/proto-del",
      Body("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", delete_options.c_str()), kProtobuf);
  EXPECT_EQ(refused.code, 409) << refused.Describe();
  const std::string uid = KubectlJsonpath(*server_, {"get", "configmap", "proto-del"}, "{.metadata.uid}");
  const std::string matching = std::string(R"({"apiVersion":"v1","kind":"DeleteOptions",
      "preconditions":{"uid":")") + uid + R"("},"propagationPolicy":"Background"})";
  HttpResponse deleted = client.Request(
      "DELETE", "/api/v1/namespaces/default/configmaps/proto-del",
      Body("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", matching.c_str()), kProtobuf);
  EXPECT_EQ(deleted.code, 200) << deleted.Describe();
}

TEST_F(KubectlProtobufTest, MalformedProtobufIsABadRequestAndCborStaysUnsupported) {
  const HttpsClient client = Client();
  HttpResponse garbage = client.Request("POST", "/api/v1/namespaces/default/configmaps",
                                        std::string("k8s\0\x12\x7f" "abc", 9), kProtobuf);
  EXPECT_EQ(garbage.code, 400) << garbage.Describe();
  EXPECT_NE(garbage.body.find("could not be decoded"), std::string::npos) << garbage.Describe();
  HttpResponse no_magic = client.Request("POST", "/api/v1/namespaces/default/configmaps", "{}", kProtobuf);
  EXPECT_EQ(no_magic.code, 400) << no_magic.Describe();
  HttpResponse cbor = client.Request("POST", "/api/v1/namespaces/default/configmaps", "\xa0", "application/cbor");
  EXPECT_EQ(cbor.code, 415) << cbor.Describe();
  // The server is still serving.
  EXPECT_EQ(client.Get("/api/v1/namespaces/default/configmaps").code, 200);
}

}  // namespace
}  // namespace cubelet::testing
