#include "scheduler/framework.h"

#include <algorithm>

namespace cubelet::scheduler {

void DefaultNormalizeScore(bool reverse, std::vector<NodeScore>& scores) {
  int64_t max_score = 0;
  for (const NodeScore& s : scores) max_score = std::max(max_score, s.score);
  if (max_score == 0) {
    if (reverse) {
      for (NodeScore& s : scores) s.score = kMaxNodeScore;
    }
    return;
  }
  for (NodeScore& s : scores) {
    int64_t score = kMaxNodeScore * s.score / max_score;
    s.score = reverse ? kMaxNodeScore - score : score;
  }
}

}  // namespace cubelet::scheduler
