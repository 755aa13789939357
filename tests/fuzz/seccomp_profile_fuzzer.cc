// Localhost seccomp profiles (a pod's author may name any file under the seccomp root): the
// profile check refuses malformed JSON, unknown actions, architectures and syscalls with an
// error naming the field, never crashes, while building the filter in libseccomp.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "seccomp/seccomp_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)cubelet::seccomp::ValidateSeccompProfile(cubelet::fuzz::AsText(data, size));
  return 0;
}
