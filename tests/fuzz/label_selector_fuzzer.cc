// Label selectors from a labelSelector query parameter, and as metav1.LabelSelector objects
// (a JSON input): parse errors, never crashes; a parsed selector's canonical text parses back
// to a selector with the same text, and matching is defined for any labels.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "json/parse.h"
#include "selectors/selectors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cubelet::selectors::LabelSelector;
  const std::string_view text = cubelet::fuzz::AsText(data, size);
  auto selector = LabelSelector::Parse(text);
  if (selector.ok()) {
    const std::string canonical = selector->String();
    auto again = LabelSelector::Parse(canonical);
    CUBELET_FUZZ_CHECK(again.ok());
    CUBELET_FUZZ_CHECK(again->String() == canonical);
    (void)selector->Matches({{"app", "web"}, {"tier", "db"}, {"version", "2"}});
    (void)selector->Matches({});
  }
  auto object = cubelet::json::Parse(text);
  if (object.ok()) {
    auto from_object = LabelSelector::FromLabelSelectorObject(*object);
    if (from_object.ok()) (void)from_object->Matches({{"app", "web"}});
  }
  return 0;
}
