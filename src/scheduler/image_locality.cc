// ImageLocality (upstream imagelocality): favours nodes that already have the pod's images,
// each image counting its size scaled by the share of nodes that have it (so an image present
// everywhere does not pull every pod onto the same node), the sum clamped to
// [23 MiB, 1000 MiB × containers] and scaled linearly to 0..100.
#include <algorithm>
#include <map>

#include "common/status_macros.h"
#include "scheduler/plugin_args.h"
#include "scheduler/plugins.h"

namespace cubelet::scheduler {
namespace {

constexpr std::string_view kPreScoreKey = "PreScoreImageLocality";
constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kMinThreshold = 23 * kMiB;
constexpr int64_t kMaxContainerThreshold = 1000 * kMiB;

// Upstream's normalizedImageName: an image without a tag gets ":latest".
std::string NormalizedImageName(std::string_view name) {
  const size_t colon = name.rfind(':');
  const size_t slash = name.rfind('/');
  const bool has_tag = colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
  return has_tag ? std::string(name) : std::string(name) + ":latest";
}

struct PreScoreState final : StateData {
  int64_t total_nodes = 0;
  // The snapshot's state of each of the pod's images (normalized names).
  std::map<std::string, ImageState, std::less<>> images;
};

class ImageLocality final : public PreScorePlugin, public ScorePlugin {
 public:
  std::string_view Name() const override { return "ImageLocality"; }

  Status PreScore(CycleState& state, const PodInfo& pod, const Snapshot& snapshot,
                  const std::vector<const NodeInfo*>& /*nodes*/) const override {
    auto data = std::make_shared<PreScoreState>();
    data->total_nodes = static_cast<int64_t>(snapshot.nodes.size());
    for (const std::string& image : pod.images) {
      std::string name = NormalizedImageName(image);
      if (auto it = snapshot.images.find(name); it != snapshot.images.end()) data->images[name] = it->second;
    }
    state.Write(std::string(kPreScoreKey), std::move(data));
    return Status();
  }

  int64_t Score(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const override {
    const PreScoreState* data = state.Read<PreScoreState>(kPreScoreKey);
    int64_t sum = 0;
    for (const std::string& image : pod.images) {
      const std::string name = NormalizedImageName(image);
      auto on_node = node.node().image_sizes.find(name);
      if (on_node == node.node().image_sizes.end()) continue;
      // Without the snapshot's view (no PreScore), the node counts as the only one with it.
      int64_t size = on_node->second, num_nodes = 1, total_nodes = 1;
      if (data != nullptr && data->total_nodes > 0) {
        total_nodes = data->total_nodes;
        if (auto it = data->images.find(name); it != data->images.end()) {
          size = it->second.size_bytes;
          num_nodes = it->second.num_nodes;
        }
      }
      const double spread = static_cast<double>(num_nodes) / static_cast<double>(total_nodes);
      sum += static_cast<int64_t>(static_cast<double>(size) * spread);
    }
    return CalculatePriority(sum, static_cast<int64_t>(pod.images.size()));
  }

 private:
  static int64_t CalculatePriority(int64_t sum, int64_t containers) {
    const int64_t max_threshold = kMaxContainerThreshold * containers;
    if (max_threshold <= kMinThreshold) return 0;
    sum = std::clamp(sum, kMinThreshold, max_threshold);
    return kMaxNodeScore * (sum - kMinThreshold) / (max_threshold - kMinThreshold);
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Plugin>> NewImageLocality(const json::Value* args) {
  RETURN_IF_ERROR(args::CheckNoArgs(args, "ImageLocality"));
  return std::unique_ptr<Plugin>(new ImageLocality());
}

}  // namespace cubelet::scheduler
