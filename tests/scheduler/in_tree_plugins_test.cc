// InTreePlugins: upstream's default order, and every factory makes its plugin from no args.
#include "plugin_test_util.h"

namespace cubelet::scheduler {
namespace {

TEST(InTreePluginsTest, ListsEveryPluginInUpstreamsOrderAndEachBuildsWithDefaults) {
  std::vector<std::string> names;
  for (const PluginEntry& entry : InTreePlugins()) {
    names.emplace_back(entry.name);
    absl::StatusOr<std::unique_ptr<Plugin>> plugin = entry.factory(nullptr);
    ASSERT_TRUE(plugin.ok()) << entry.name << ": " << plugin.status();
    EXPECT_EQ((*plugin)->Name(), entry.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"SchedulingGates", "NodeUnschedulable", "NodeName", "TaintToleration",
                                             "NodeAffinity", "NodePorts", "NodeResourcesFit", "PodTopologySpread",
                                             "InterPodAffinity", "NodeResourcesBalancedAllocation", "ImageLocality"}));
}

}  // namespace
}  // namespace cubelet::scheduler
