# e2e suites: each executable starts its own cubelet-server(s), so ctest runs them in parallel.
# Helpers shared by the suites (tables, raw HTTPS through curl, background clients).
add_library(cubelet_e2e_util e2e/e2e_util.cc)
target_link_libraries(cubelet_e2e_util PUBLIC cubelet_e2e_fixture cubelet_json absl::strings)

function(cubelet_e2e_suite name)
  cubelet_e2e_test(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE cubelet_e2e_util)
endfunction()

cubelet_e2e_suite(kubectl_discovery_e2e_test e2e/kubectl_discovery_e2e_test.cc)
cubelet_e2e_suite(kubectl_pod_e2e_test e2e/kubectl_pod_e2e_test.cc)
cubelet_e2e_suite(kubectl_kinds_e2e_test e2e/kubectl_kinds_e2e_test.cc)
cubelet_e2e_suite(kubectl_watch_e2e_test e2e/kubectl_watch_e2e_test.cc)
cubelet_e2e_suite(kubectl_compat_e2e_test e2e/kubectl_compat_e2e_test.cc)
cubelet_e2e_suite(consistency_e2e_test e2e/consistency_e2e_test.cc)
cubelet_e2e_suite(auth_e2e_test e2e/auth_e2e_test.cc)
cubelet_e2e_suite(bad_input_e2e_test e2e/bad_input_e2e_test.cc)
cubelet_e2e_suite(python_client_e2e_test e2e/python_client_e2e_test.cc)
cubelet_e2e_suite(server_cli_e2e_test e2e/server_cli_e2e_test.cc)
cubelet_e2e_suite(scheduler_e2e_test e2e/scheduler_e2e_test.cc)
cubelet_e2e_suite(node_lifecycle_e2e_test e2e/node_lifecycle_e2e_test.cc)
cubelet_e2e_suite(scheduler_kinds_e2e_test e2e/scheduler_kinds_e2e_test.cc)
cubelet_e2e_suite(signals_e2e_test e2e/signals_e2e_test.cc)
