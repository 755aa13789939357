# e2e tests: the real cubelet-server driven by the real kubectl (every bundled minor) and
# python3-kubernetes. They start servers on free loopback ports and run in parallel.
add_library(cubelet_e2e_fixture e2e/server_fixture.cc)
target_include_directories(cubelet_e2e_fixture PUBLIC ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(cubelet_e2e_fixture PUBLIC
  CUBELET_SERVER_BINARY="$<TARGET_FILE:cubelet-server>"
  CUBELET_E2E_DIR="${PROJECT_SOURCE_DIR}/tests/e2e")
target_link_libraries(cubelet_e2e_fixture PUBLIC cubelet_testbed cubelet_common GTest::gtest)

# cubelet_e2e_test(NAME SOURCES...)
function(cubelet_e2e_test name)
  cubelet_test(${name} ${ARGN} LIBS cubelet_e2e_fixture LABEL e2e)
  add_dependencies(${name} cubelet-server)
endfunction()

include(${CMAKE_CURRENT_LIST_DIR}/e2e_tests.cmake OPTIONAL)
