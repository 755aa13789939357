#include "scheduler/plugins.h"

namespace cubelet::scheduler {

const std::vector<PluginEntry>& InTreePlugins() {
  // Upstream's default profile order (default_plugins.go), leaving out the volume, DRA,
  // PrioritySort, DefaultPreemption and DefaultBinder plugins that are not plugins here.
  static const std::vector<PluginEntry>* plugins = new std::vector<PluginEntry>{
      {"SchedulingGates", &NewSchedulingGates},
      {"NodeUnschedulable", &NewNodeUnschedulable},
      {"NodeName", &NewNodeName},
      {"TaintToleration", &NewTaintToleration},
      {"NodeAffinity", &NewNodeAffinity},
      {"NodePorts", &NewNodePorts},
      {"NodeResourcesFit", &NewNodeResourcesFit},
      {"PodTopologySpread", &NewPodTopologySpread},
      {"InterPodAffinity", &NewInterPodAffinity},
      {"NodeResourcesBalancedAllocation", &NewNodeResourcesBalancedAllocation},
      {"ImageLocality", &NewImageLocality},
  };
  return *plugins;
}

}  // namespace cubelet::scheduler
