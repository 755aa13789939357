# Admission: each plugin against an in-memory ObjectLookup, and the service allocator against the
# real SQLite store (sequences, requests, reclaiming, and two chains racing on one store).
cubelet_test(admission_test
  admission/namespace_lifecycle_test.cc
  admission/service_account_test.cc
  admission/node_restriction_test.cc
  admission/priority_test.cc
  admission/service_allocator_test.cc
  admission/node_port_allocator_test.cc
  LIBS cubelet_admission cubelet_storage_sqlite)
include(${CMAKE_CURRENT_LIST_DIR}/default_toleration_seconds.cmake)
