// Owns: upstream's FitError message, which users read in the pod's PodScheduled condition and
// the FailedScheduling event: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't
// match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not
// helpful for scheduling.." (each part followed by a period as upstream's SeparatorFormat adds
// it, so a part that ends in one, as preemption's does, ends in two).
// Does not own: the reasons (the plugins) or preemption's part (preemption.h).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/framework.h"

namespace cubelet::scheduler {

// `pre_filter_reasons`: the rejection of a PreFilter plugin (then `rejections` is not counted);
// `rejections`: each rejected node's status, counted per reason and sorted as strings;
// `post_filter_message`: preemption's message ("" for none).
std::string FitErrorMessage(int all_nodes, const std::vector<std::string>& pre_filter_reasons,
                            const std::map<std::string, Status, std::less<>>& rejections,
                            std::string_view post_filter_message);

}  // namespace cubelet::scheduler
