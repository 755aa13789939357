# cubelet-server's benchmark (bench/results/apiserver.md): the real binary driven over HTTPS by
# an async Boost.Beast client, against raw SQLite in the same run.
find_package(Boost 1.81 CONFIG REQUIRED)
add_executable(cubelet_apiserver_bench
  ${CMAKE_CURRENT_LIST_DIR}/apiserver_bench.cc
  ${CMAKE_CURRENT_LIST_DIR}/apiserver_sections.cc
  ${CMAKE_CURRENT_LIST_DIR}/apiserver_reads.cc
  ${CMAKE_CURRENT_LIST_DIR}/apiserver_client.cc
  ${CMAKE_CURRENT_LIST_DIR}/apiserver_workloads.cc
  ${CMAKE_CURRENT_LIST_DIR}/apiserver_fanout.cc
  ${CMAKE_CURRENT_LIST_DIR}/apiserver_raw_sqlite.cc)
target_include_directories(cubelet_apiserver_bench PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(cubelet_apiserver_bench PRIVATE -Wno-missing-field-initializers)
target_compile_definitions(cubelet_apiserver_bench PRIVATE
  CUBELET_SERVER_BINARY="$<TARGET_FILE:cubelet-server>" BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(cubelet_apiserver_bench PRIVATE cubelet_testbed cubelet_cri cubelet_json
  Boost::headers OpenSSL::SSL OpenSSL::Crypto SQLite::SQLite3 absl::str_format Threads::Threads)
add_dependencies(cubelet_apiserver_bench cubelet-server)
