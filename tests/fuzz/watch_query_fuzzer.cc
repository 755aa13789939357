// The query string of list and watch requests (and DeleteOptions, from the query or a body) as
// cubelet-server reads them: Go-style booleans and integers, limit/continue/resourceVersion/
// resourceVersionMatch, label and field selectors, dryRun. The input is a request ("GET
// /api/v1/pods?watch=1&..." then headers and a body); anything malformed is a 400, never a crash.
#include <cstddef>
#include <cstdint>

#include "apiserver/query.h"
#include "apiserver/request_info.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/http_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cubelet::apiserver;
  auto request = cubelet::fuzz::ReadRequest(cubelet::fuzz::AsText(data, size));
  if (!request) return 0;
  (void)ParseRequestInfo(*request);
  for (const char* name : {"watch", "allowWatchBookmarks", "sendInitialEvents", "pretty"}) {
    (void)QueryBool(*request, name);
  }
  for (const char* name : {"timeoutSeconds", "limit", "gracePeriodSeconds"}) (void)QueryInt(*request, name);
  (void)LabelSelectorOf(*request);
  (void)FieldSelectorOf(*request);
  (void)DryRunOf(*request);
  (void)ListOptionsOf(*request);
  (void)DeleteOptionsOf(*request);
  return 0;
}
