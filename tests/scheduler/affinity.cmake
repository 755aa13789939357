# PodTopologySpread and InterPodAffinity against hand-built snapshots (upstream's tables).
cubelet_test(scheduler_affinity_test scheduler/pod_topology_spread_test.cc scheduler/inter_pod_affinity_test.cc
  LIBS cubelet_scheduler)
