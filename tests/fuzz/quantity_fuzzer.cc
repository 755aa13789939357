// resource.Quantity text ("500m", "1.5Gi", "2e3"): parsing and every conversion the kubelet
// makes from it (Value, MilliValue and their checked forms, the canonical text) are defined for
// any input; the canonical text parses back to the same quantity.
#include <cstddef>
#include <cstdint>

#include "api/quantity.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cubelet::api::Quantity;
  auto q = Quantity::Parse(cubelet::fuzz::AsText(data, size));
  if (!q.ok()) return 0;
  (void)q->Value();
  (void)q->MilliValue();
  (void)q->CheckedValue();
  (void)q->CheckedMilliValue();
  (void)q->Compare(Quantity::FromInt(1));
  (void)(*q + *q);
  auto again = Quantity::Parse(q->ToString());
  CUBELET_FUZZ_CHECK(again.ok());
  CUBELET_FUZZ_CHECK(*again == *q);
  return 0;
}
