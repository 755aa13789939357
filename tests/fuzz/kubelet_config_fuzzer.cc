// The KubeletConfiguration file (YAML or JSON, --config): the loader and its validation
// refuse anything malformed or out of range with an error naming the field, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.h"
#include "kubeletconfig/kubelet_configuration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto config = cubelet::kubeletconfig::ParseKubeletConfiguration(std::string(cubelet::fuzz::AsText(data, size)),
                                                                  "/var/lib/kubelet/config.yaml");
  if (config.ok()) (void)cubelet::kubeletconfig::ValidateKubeletConfiguration(*config);
  return 0;
}
