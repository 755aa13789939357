// Field selectors from a fieldSelector query parameter: parse errors, never crashes; a parsed
// selector's canonical text parses back to the same requirements (not always in the same order:
// upstream sorts terms by their raw text, and escaping changes it), and matching, exact-match
// lookups and the supported-fields check are defined for any selector.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "selectors/selectors.h"

namespace {

using Terms = std::vector<std::tuple<std::string, bool, std::vector<std::string>>>;

Terms SortedTerms(const cubelet::selectors::FieldSelector& selector) {
  Terms terms;
  for (const auto& r : selector.requirements()) {
    terms.emplace_back(r.key, r.op == cubelet::selectors::Operator::kEquals, r.values);
  }
  std::sort(terms.begin(), terms.end());
  return terms;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cubelet::selectors::FieldSelector;
  auto selector = FieldSelector::Parse(cubelet::fuzz::AsText(data, size));
  if (!selector.ok()) return 0;
  const std::string canonical = selector->String();
  auto again = FieldSelector::Parse(canonical);
  CUBELET_FUZZ_CHECK(again.ok());
  CUBELET_FUZZ_CHECK(SortedTerms(*again) == SortedTerms(*selector));
  (void)selector->Matches({{"metadata.name", "web"}, {"spec.nodeName", "n1"}});
  (void)selector->RequiresExactMatch("spec.nodeName");
  (void)selector->CheckSupported({"metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"});
  return 0;
}
