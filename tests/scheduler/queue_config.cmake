# The scheduling queue (PrioritySort order, back-off, requeue on cluster events, gates) with a
# fake clock, and KubeSchedulerConfiguration parsing and plugin resolution.
cubelet_test(scheduler_queue_config_test scheduler/scheduling_queue_test.cc scheduler/config_test.cc
  LIBS cubelet_scheduler)
