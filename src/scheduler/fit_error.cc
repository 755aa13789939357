#include "scheduler/fit_error.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "common/strings.h"

namespace cubelet::scheduler {

std::string FitErrorMessage(int all_nodes, const std::vector<std::string>& pre_filter_reasons,
                            const std::map<std::string, Status, std::less<>>& rejections,
                            std::string_view post_filter_message) {
  std::string message = StrCat("0/", all_nodes, " nodes are available:");
  if (!pre_filter_reasons.empty()) {
    message += StrCat(" ", absl::StrJoin(pre_filter_reasons, ", "), ".");
  } else {
    std::map<std::string, int, std::less<>> histogram;
    for (const auto& [node, status] : rejections) {
      for (const std::string& reason : status.reasons()) ++histogram[reason];
    }
    std::vector<std::string> counted;
    for (const auto& [reason, n] : histogram) counted.push_back(StrCat(n, " ", reason));
    std::sort(counted.begin(), counted.end());
    if (!counted.empty()) message += StrCat(" ", absl::StrJoin(counted, ", "), ".");
  }
  if (!post_filter_message.empty()) message += StrCat(" ", post_filter_message, ".");
  return message;
}

}  // namespace cubelet::scheduler
