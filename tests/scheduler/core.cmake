# The scheduler's loop, cache, queue use and preemption against a real in-process API.
cubelet_test(scheduler_test scheduler/scheduler_test.cc scheduler/cache_test.cc
  LIBS cubelet_scheduler cubelet_controllers cubelet_storage_sqlite cubelet_registry)
