#include "patch/conflict_message.h"

#include <algorithm>
#include <map>
#include <utility>

#include "common/strings.h"
#include "json/write.h"

namespace cubelet::patch {

std::string ConflictManager(const Conflict& conflict) {
  std::string out;
  json::WriteString(conflict.manager, &out);
  if (!conflict.api_version.empty()) StrAppend(&out, " using ", conflict.api_version);
  return out;
}

std::string ConflictCauseMessage(const Conflict& conflict) {
  return StrCat("conflict with ", ConflictManager(conflict));
}

std::string ConflictMessage(const std::vector<Conflict>& conflicts) {
  if (conflicts.size() == 1) {
    return StrCat("Apply failed with 1 conflict: conflict with ", ConflictManager(conflicts[0]), ": ",
                  conflicts[0].field);
  }
  std::map<std::pair<std::string, std::string>, std::vector<const Conflict*>> by_manager;
  for (const Conflict& c : conflicts) by_manager[{c.manager, c.api_version}].push_back(&c);
  std::string out = StrCat("Apply failed with ", conflicts.size(), " conflicts: ");
  bool first = true;
  for (const auto& [manager, list] : by_manager) {
    if (!first) out.push_back('\n');
    first = false;
    StrAppend(&out, "conflicts with ", ConflictManager(*list.front()), ":");
    for (const Conflict* c : list) StrAppend(&out, "\n- ", c->field);
  }
  return out;
}

}  // namespace cubelet::patch
