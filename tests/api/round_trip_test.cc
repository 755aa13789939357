// The codec's round-trip property over a corpus of real manifests (the upstream NodeConformance
// pods in tests/api/corpus, the repo's examples, and the pods of tests/schema/corpus) and over a
// pod with every field of the model set: decode -> encode -> decode is the identity, a second
// encoding is byte for byte the first, and nothing the manifest wrote is lost.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/defaults.h"
#include "api/json_codec.h"
#include "api/pod_fields.h"
#include "json/parse.h"
#include "json/value.h"

namespace cubelet::api {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  auto add = [&](const fs::path& dir, auto keep) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string ext = entry.path().extension().string();
      if ((ext == ".yaml" || ext == ".json") && keep(entry.path().filename().string())) files.push_back(entry.path());
    }
  };
  const fs::path root = CUBELET_SOURCE_DIR;
  add(root / "tests/api/corpus", [](const std::string&) { return true; });
  add(root / "examples/static-pods", [](const std::string&) { return true; });
  add(root / "tests/schema/corpus",
      [](const std::string& name) { return name.rfind("pod-", 0) == 0 || name.rfind("example-static-pod-", 0) == 0; });
  std::sort(files.begin(), files.end());
  return files;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The JSON pointer of every value in `v` that says something: not null, false, 0, "", [] or {}
// (the values upstream's omitempty drops).
void Paths(const json::Value& v, const std::string& at, std::set<std::string>* out) {
  switch (v.type()) {
    case json::Type::kNull:
      return;
    case json::Type::kBool:
      if (v.AsBool()) out->insert(at);
      return;
    case json::Type::kNumber:
      if (v.AsDouble().value_or(1) != 0) out->insert(at);
      return;
    case json::Type::kString:
      if (!v.AsString().empty()) out->insert(at);
      return;
    case json::Type::kArray:
      for (size_t i = 0; i < v.AsArray().size(); ++i) Paths(v.AsArray()[i], at + "/" + std::to_string(i), out);
      return;
    case json::Type::kObject:
      for (const auto& [key, member] : v.AsObject()) Paths(member, at + "/" + key, out);
      return;
  }
}

std::set<std::string> PathsOf(const std::string& json_text) {
  auto v = json::Parse(json_text);
  EXPECT_TRUE(v.ok()) << v.status();
  std::set<std::string> out;
  if (v.ok()) Paths(*v, "", &out);
  return out;
}

// decode(encode(pod)) == pod, the second encoding is the first, and every path of `original`
// (the JSON the pod was decoded from) is still there.
void ExpectLossless(const Pod& pod, const std::string& original_json) {
  const std::string e1 = EncodePod(pod);
  auto d2 = DecodePod(e1);
  ASSERT_TRUE(d2.ok()) << d2.status() << "\n" << e1;
  EXPECT_TRUE(*d2 == pod) << "decode(encode(pod)) differs from pod:\n" << e1 << "\n" << EncodePod(*d2);
  EXPECT_EQ(EncodePod(*d2), e1) << "a second encoding differs";
  if (original_json.empty()) return;
  const std::set<std::string> encoded = PathsOf(e1);
  for (const std::string& path : PathsOf(original_json)) {
    EXPECT_TRUE(encoded.contains(path)) << path << " was written but is not in the encoding:\n" << e1;
  }
}

TEST(RoundTripTest, EveryCorpusManifestDecodesEncodesAndDecodesToTheSamePod) {
  const std::vector<fs::path> files = CorpusFiles();
  ASSERT_GE(files.size(), 75u) << "the corpus went missing";
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.string());
    const std::string text = Read(file);
    auto pod = DecodePod(text);
    ASSERT_TRUE(pod.ok()) << pod.status();
    auto original = file.extension() == ".json" ? absl::StatusOr<std::string>(text) : YamlToJson(text);
    ASSERT_TRUE(original.ok()) << original.status();
    ExpectLossless(*pod, *original);
    // The defaulted pod (what static pods and the API server keep) too.
    SetPodDefaults(&*pod);
    ExpectLossless(*pod, *original);
  }
}

TEST(RoundTripTest, EveryFieldOfTheModelSurvives) {
  const Pod sample = codec::SamplePodWithEveryField();
  ASSERT_FALSE(sample.spec.containers.empty());
  ASSERT_TRUE(sample.spec.containers[0].liveness_probe.has_value());
  ASSERT_TRUE(sample.spec.containers[0].liveness_probe->handler.grpc.has_value());
  ASSERT_FALSE(sample.status.container_statuses.empty());
  ASSERT_TRUE(sample.status.container_statuses[0].state.terminated.has_value());
  const std::string json = EncodePod(sample);
  auto decoded = DecodePod(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status() << "\n" << json;
  EXPECT_TRUE(*decoded == sample) << json << "\n" << EncodePod(*decoded);
  ExpectLossless(sample, json);
}

// A field omitted when empty must default to empty, or an explicit empty value written by a user
// (timeoutSeconds: 0) would be dropped by encoding and decode back as the default.
TEST(RoundTripTest, FieldsOmittedWhenEmptyDefaultToEmpty) {
  absl::Status s = codec::CheckFieldTables();
  EXPECT_TRUE(s.ok()) << s;
}

// ---- every member of the model has a field in its table (a member the table forgets would be
// silently dropped by both directions, and no round trip would notice).

struct AnyValue {
  template <typename T>
  operator T() const;  // never defined: only used in unevaluated aggregate initializations
};

template <typename T, size_t... I>
constexpr bool InitializableWith(std::index_sequence<I...>) {
  return requires { T{(static_cast<void>(I), AnyValue{})...}; };
}

// The number of members of aggregate T.
template <typename T, size_t N = 0>
constexpr size_t MemberCount() {
  if constexpr (!InitializableWith<T>(std::make_index_sequence<N + 1>())) {
    return N;
  } else {
    return MemberCount<T, N + 1>();
  }
}

template <typename T>
size_t TableFields() {
  return codec::FieldsOf<T>::Get().field_count();
}

TEST(RoundTripTest, EveryMemberOfTheModelHasAField) {
  // Members that are not JSON fields: `unknown` in every object; the derived ones.
  auto expect = [](const char* type, size_t members, size_t fields, size_t not_fields) {
    EXPECT_EQ(members, fields + not_fields) << type << ": a member without a field in its table (or the reverse)";
  };
#define CUBELET_EXPECT_FIELDS(T) expect(#T, MemberCount<T>(), TableFields<T>(), 1)
  CUBELET_EXPECT_FIELDS(ObjectMeta);
  CUBELET_EXPECT_FIELDS(ContainerPort);
  CUBELET_EXPECT_FIELDS(ContainerResizePolicy);
  CUBELET_EXPECT_FIELDS(ObjectFieldSelector);
  CUBELET_EXPECT_FIELDS(ResourceFieldSelector);
  CUBELET_EXPECT_FIELDS(EnvVar);
  CUBELET_EXPECT_FIELDS(ResourceRequirements);
  CUBELET_EXPECT_FIELDS(VolumeMount);
  CUBELET_EXPECT_FIELDS(HttpHeader);
  CUBELET_EXPECT_FIELDS(ExecAction);
  CUBELET_EXPECT_FIELDS(HttpGetAction);
  CUBELET_EXPECT_FIELDS(TcpSocketAction);
  CUBELET_EXPECT_FIELDS(GrpcAction);
  CUBELET_EXPECT_FIELDS(SleepAction);
  CUBELET_EXPECT_FIELDS(LifecycleHandler);
  CUBELET_EXPECT_FIELDS(Lifecycle);
  CUBELET_EXPECT_FIELDS(Capabilities);
  CUBELET_EXPECT_FIELDS(SeccompProfile);
  CUBELET_EXPECT_FIELDS(SecurityContext);
  CUBELET_EXPECT_FIELDS(Container);
  CUBELET_EXPECT_FIELDS(EmptyDirVolumeSource);
  CUBELET_EXPECT_FIELDS(HostPathVolumeSource);
  CUBELET_EXPECT_FIELDS(PodDnsConfigOption);
  CUBELET_EXPECT_FIELDS(PodDnsConfig);
  CUBELET_EXPECT_FIELDS(HostAlias);
  CUBELET_EXPECT_FIELDS(Sysctl);
  CUBELET_EXPECT_FIELDS(PodSecurityContext);
  CUBELET_EXPECT_FIELDS(PodSpec);
  CUBELET_EXPECT_FIELDS(ContainerStateWaiting);
  CUBELET_EXPECT_FIELDS(ContainerStateRunning);
  CUBELET_EXPECT_FIELDS(ContainerStateTerminated);
  CUBELET_EXPECT_FIELDS(ContainerState);
  CUBELET_EXPECT_FIELDS(ContainerStatus);
  CUBELET_EXPECT_FIELDS(PodCondition);
  CUBELET_EXPECT_FIELDS(PodIP);
  CUBELET_EXPECT_FIELDS(PodStatus);
  CUBELET_EXPECT_FIELDS(Pod);
#undef CUBELET_EXPECT_FIELDS
  expect("EnvVarSource", MemberCount<EnvVarSource>(), TableFields<EnvVarSource>(), 2);  // + has_other_source
  expect("Volume", MemberCount<Volume>(), TableFields<Volume>(), 2);                    // + other_source
  // Probe: its ProbeHandler's members are fields of the probe itself.
  expect("Probe", MemberCount<Probe>() - 1 + MemberCount<ProbeHandler>(), TableFields<Probe>(), 1);
}

}  // namespace
}  // namespace cubelet::api
