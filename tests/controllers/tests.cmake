# The in-process controllers (src/controllers): the work queue and the GC graph on their own,
# and every controller against a real stack (SQLite store in a temp dir, the registry's
# ResourceStores and watch caches, the built-in schema).
cubelet_test(controllers_test
  controllers/work_queue_test.cc
  controllers/informer_test.cc
  controllers/gc_graph_test.cc
  controllers/bootstrap_controller_test.cc
  controllers/service_account_controller_test.cc
  controllers/namespace_controller_test.cc
  controllers/garbage_collector_test.cc
  LIBS cubelet_controllers cubelet_storage_sqlite cubelet_registry)
include(${CMAKE_CURRENT_LIST_DIR}/node_lifecycle.cmake)
