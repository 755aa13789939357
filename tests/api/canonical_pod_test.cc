// Golden values for the frozen canonical form (api/canonical_pod.h): the bytes that the static
// pod UID hashes, and the UIDs themselves. A static pod's UID names its running sandbox and
// containers, so a cubelet that wrote other bytes for the same manifest would restart every
// static pod on upgrade. A change here must be deliberate (and migrate running pods).
#include "api/canonical_pod.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "api/defaults.h"
#include "api/json_codec.h"
#include "api/pod_fields.h"
#include "common/strings.h"
#include "json/parse.h"
#include "testutil/golden_manifests.h"

namespace cubelet::api {
namespace {

// The two pinned manifests (tests/testutil/golden_manifests.h).
constexpr const char* kWeb = cubelet::testing::kGoldenWebManifest;
constexpr const char* kEtcd = cubelet::testing::kGoldenEtcdManifest;

// What EncodePod wrote for these defaulted pods before the codec became lossless (captured from
// that code), and what the canonical form keeps writing.
constexpr char kWebCanonical[] =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default",)"
    R"("creationTimestamp":null},"spec":{"containers":[{"name":"httpd",)"
    R"("image":"localhost/cubelet/testimage:1.0","resources":{},)"
    R"("terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",)"
    R"("imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,)"
    R"("dnsPolicy":"ClusterFirst","schedulerName":"default-scheduler","enableServiceLinks":true},)"
    R"("status":{"phase":"Pending"}})";

constexpr char kEtcdCanonical[] =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"etcd","namespace":"kube-system",)"
    R"("creationTimestamp":null,"labels":{"component":"etcd","tier":"control-plane"},)"
    R"("annotations":{"example.com/note":"pinned"}},"spec":{"hostNetwork":true,)"
    R"("priorityClassName":"system-node-critical",)"
    R"("securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},"initContainers":[{"name":"init",)"
    R"("image":"localhost/cubelet/testimage:1.0","command":["sh","-c","true"],"resources":{},)"
    R"("terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",)"
    R"("imagePullPolicy":"IfNotPresent"}],"containers":[{"name":"etcd",)"
    R"("image":"localhost/cubelet/testimage:1.0","command":["etcd","--data-dir=/var/lib/etcd"],)"
    R"("env":[{"name":"ETCD_UNSUPPORTED_ARCH","value":"arm64"}],"ports":[{"name":"client",)"
    R"("containerPort":2379,"protocol":"TCP","hostPort":2379}],"resources":{"requests":{"cpu":"100m",)"
    R"("memory":"100Mi"}},"livenessProbe":{"httpGet":{"path":"/health","port":2381,"host":"127.0.0.1",)"
    R"("scheme":"HTTP"},"initialDelaySeconds":10,"failureThreshold":8,"timeoutSeconds":1,)"
    R"("periodSeconds":10,"successThreshold":1},"volumeMounts":[{"name":"data",)"
    R"("mountPath":"/var/lib/etcd"}],"terminationMessagePath":"/dev/termination-log",)"
    R"("terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"volumes":[{"name":"data",)"
    R"("hostPath":{"path":"/var/lib/etcd","type":"DirectoryOrCreate"}}],"restartPolicy":"Always",)"
    R"("terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","schedulerName":"default-scheduler",)"
    R"("enableServiceLinks":true},"status":{"phase":"Pending"}})";

Pod Defaulted(const char* manifest) {
  auto pod = DecodePod(manifest);
  EXPECT_TRUE(pod.ok()) << pod.status();
  SetPodDefaults(&*pod);
  return *pod;
}

// static-pods' StaticPodUid for a file source: FNV-1a 128 over the canonical JSON, "host:<node>"
// and "file:<path>".
std::string FileSourceUid(const std::string& canonical, const std::string& node, const std::string& path) {
  unsigned __int128 hash = (static_cast<unsigned __int128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
  const unsigned __int128 prime = (static_cast<unsigned __int128>(0x0000000001000000ULL) << 64) | 0x13BULL;
  for (const std::string& part : {canonical, StrCat("host:", node), StrCat("file:", path)}) {
    for (unsigned char c : part) hash = (hash ^ c) * prime;
  }
  std::string out(32, '0');
  for (int i = 31; i >= 0; --i, hash >>= 4) out[i] = "0123456789abcdef"[static_cast<int>(hash & 0xf)];
  return out;
}

TEST(CanonicalPodJsonTest, BytesOfKnownManifestsArePinned) {
  EXPECT_EQ(CanonicalPodJson(Defaulted(kWeb)), kWebCanonical);
  EXPECT_EQ(CanonicalPodJson(Defaulted(kEtcd)), kEtcdCanonical);
}

TEST(CanonicalPodJsonTest, StaticPodUidsOfKnownManifestsArePinned) {
  EXPECT_EQ(FileSourceUid(CanonicalPodJson(Defaulted(kWeb)), "node-a", "/etc/kubernetes/manifests/web.yaml"),
            "5fd408635734e038ccd6d7c588757101");
  EXPECT_EQ(FileSourceUid(CanonicalPodJson(Defaulted(kEtcd)), "node-a", "/etc/kubernetes/manifests/etcd.yaml"),
            "e1d49193069535b361ff653ba4e6cd7c");
}

// The codec may reorder, add defaults or change how unknown members are kept: the canonical form
// does not follow. Key order and formatting of the manifest do not matter either.
TEST(CanonicalPodJsonTest, IndependentOfHowTheManifestWasWritten) {
  const std::string reordered = R"({"spec":{"containers":[{"image":"localhost/cubelet/testimage:1.0","name":"httpd"}]},)"
                                R"("metadata":{"name":"web"},"kind":"Pod","apiVersion":"v1"})";
  EXPECT_EQ(CanonicalPodJson(Defaulted(reordered.c_str())), kWebCanonical);
  // Unknown fields are covered, sorted by key at every level.
  auto a = DecodePod(R"({"kind":"Pod","spec":{"containers":[],"tolerations":[{"operator":"Exists","effect":"NoExecute"}],"affinity":{"b":1,"a":2}}})");
  auto b = DecodePod(R"({"kind":"Pod","spec":{"affinity":{"a":2,"b":1},"containers":[],"tolerations":[{"effect":"NoExecute","operator":"Exists"}]}})");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(CanonicalPodJson(*a), CanonicalPodJson(*b));
  EXPECT_THAT(CanonicalPodJson(*a),
              ::testing::HasSubstr(R"("containers":[],"affinity":{"a":2,"b":1},"tolerations":[{"effect":"NoExecute","operator":"Exists"}]})"));
  auto c = DecodePod(R"({"kind":"Pod","spec":{"containers":[],"tolerations":[{"operator":"Equal"}]}})");
  ASSERT_TRUE(c.ok());
  EXPECT_NE(CanonicalPodJson(*a), CanonicalPodJson(*c)) << "a change in an unknown field is a change of identity";
}

// Every field the codec writes is covered by the canonical form (so a field added to the model
// but not to the canonical form cannot go unnoticed: a pod that changes it must change identity).
TEST(CanonicalPodJsonTest, CoversEveryFieldOfTheModel) {
  const Pod sample = codec::SamplePodWithEveryField();
  auto keys = [](const std::string& text) {
    std::set<std::string> out;
    auto v = json::Parse(text);
    EXPECT_TRUE(v.ok()) << v.status();
    std::function<void(const json::Value&, const std::string&)> walk = [&](const json::Value& x, const std::string& at) {
      if (x.is_object()) {
        for (const auto& [k, m] : x.AsObject()) {
          out.insert(at + "/" + k);
          walk(m, at + "/" + k);
        }
      } else if (x.is_array()) {
        for (const auto& item : x.AsArray()) walk(item, at + "/*");
      }
    };
    walk(*v, "");
    return out;
  };
  EXPECT_EQ(keys(CanonicalPodJson(sample)), keys(EncodePod(sample)));
}

}  // namespace
}  // namespace cubelet::api
