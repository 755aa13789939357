// Static pod manifests as the file and http sources read them (YAML or JSON, one Pod or a
// PodList): decode, defaults, validation and identity must refuse anything malformed with an
// error, never crash, hang or grow without bound. A pod that decodes must survive its own
// encoding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/json_codec.h"
#include "fuzz/fuzz_input.h"
#include "static_pods/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(cubelet::fuzz::AsText(data, size));
  using cubelet::static_pods::ManifestSource;

  auto pod = cubelet::static_pods::ParseStaticPodManifest(text, "/etc/kubernetes/manifests/fuzz.yaml", "node-1");
  if (pod.ok()) {
    auto again = cubelet::api::DecodePod(cubelet::api::EncodePod(*pod));
    CUBELET_FUZZ_CHECK(again.ok());
  }
  (void)cubelet::static_pods::ParseStaticPodManifestList(
      text, ManifestSource{.kind = ManifestSource::Kind::kHttp, .location = "http://m/pods"}, "node-1");

  auto decoded = cubelet::api::DecodePod(text);
  if (decoded.ok()) (void)cubelet::api::EncodePod(*decoded);
  return 0;
}
