# The in-tree filter and score plugins (NodeResourcesFit, NodeAffinity, TaintToleration, ...),
# PodInfo / NodeInfo parsing and accounting, against hand-built nodes with upstream's numbers.
cubelet_test(scheduler_plugins_test
  scheduler/pod_info_test.cc
  scheduler/node_info_test.cc
  scheduler/filter_plugins_test.cc
  scheduler/node_resources_fit_test.cc
  scheduler/score_plugins_test.cc
  scheduler/in_tree_plugins_test.cc
  LIBS cubelet_scheduler)
