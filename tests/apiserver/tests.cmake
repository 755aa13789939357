include(${CMAKE_CURRENT_LIST_DIR}/openapi.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/unit.cmake)
cubelet_test(pod_subresources_test apiserver/pod_subresources_test.cc
  LIBS cubelet_e2e_fixture cubelet_pki PkgConfig::HTTPLIB OpenSSL::SSL LABEL e2e)
add_dependencies(pod_subresources_test cubelet-server)
