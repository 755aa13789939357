# Node lifecycle and taint eviction (src/controllers) against a real stack on a fake clock.
cubelet_test(node_lifecycle_test
  controllers/node_lifecycle_controller_test.cc
  controllers/taint_eviction_controller_test.cc
  LIBS cubelet_controllers cubelet_storage_sqlite cubelet_registry)
