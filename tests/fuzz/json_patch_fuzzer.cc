// PATCH bodies of cubelet-server: a document and a patch (the input's two halves, split by a
// "%%" line) through JSON patch (RFC 6902) and JSON merge patch (RFC 7386). A malformed patch is
// an error; whatever a patch produces writes back as JSON that parses to the same document;
// the merge patch computed between two documents turns the first into the second.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "json/json_patch.h"
#include "json/merge_patch.h"
#include "json/parse.h"
#include "json/write.h"

namespace {

void CheckWritesBack(const cubelet::json::Value& value) {
  auto again = cubelet::json::Parse(cubelet::json::Write(value));
  CUBELET_FUZZ_CHECK(again.ok());
  CUBELET_FUZZ_CHECK(*again == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace json = cubelet::json;
  auto [doc_text, patch_text] = cubelet::fuzz::SplitOnce(cubelet::fuzz::AsText(data, size));
  auto doc = json::Parse(doc_text);
  auto patch = json::Parse(patch_text);
  if (!doc.ok() || !patch.ok()) return 0;

  auto patched = json::ApplyJsonPatch(*doc, *patch);
  if (patched.ok()) CheckWritesBack(*patched);

  json::Value merged = json::ApplyMergePatch(*doc, *patch);
  CheckWritesBack(merged);
  // A merge patch cannot set a member to null (null means "remove"); the merged document's
  // nulls all come from `doc`, so the patch between the two must reproduce it exactly.
  json::Value diff = json::CreateMergePatch(*doc, merged);
  if (doc->is_object() && merged.is_object()) CUBELET_FUZZ_CHECK(json::ApplyMergePatch(*doc, diff) == merged);
  return 0;
}
