cubelet_test(registry_test registry/resource_store_test.cc
  LIBS cubelet_registry cubelet_storage_sqlite)
