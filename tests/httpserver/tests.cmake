# The HTTPS front (src/httpserver): unit tests of its URL and wire helpers, and tests that start
# the real server on 127.0.0.1 with a throwaway PKI and talk to it with cpp-httplib's TLS client
# and a raw OpenSSL client.
add_library(cubelet_httpserver_testing httpserver/test_pki.cc httpserver/tls_test_client.cc
  httpserver/server_fixture.cc)
target_include_directories(cubelet_httpserver_testing PUBLIC ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(cubelet_httpserver_testing PUBLIC cubelet_httpserver cubelet_common OpenSSL::SSL
  OpenSSL::Crypto GTest::gtest absl::statusor absl::time)
cubelet_test(httpserver_test httpserver/url_test.cc httpserver/wire_format_test.cc
  httpserver/http_server_test.cc httpserver/stream_test.cc httpserver/robustness_test.cc
  httpserver/tls_stream_test.cc
  LIBS cubelet_httpserver_testing cubelet_httpserver PkgConfig::HTTPLIB OpenSSL::SSL absl::synchronization)
# A report, not a test: the server's memory per idle TLS stream, with the clients in a forked
# child process (run it by hand: httpserver_idle_memory --streams=2000).
add_executable(httpserver_idle_memory httpserver/idle_stream_memory.cc)
target_include_directories(httpserver_idle_memory PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_compile_options(httpserver_idle_memory PRIVATE -Wno-missing-field-initializers)
target_link_libraries(httpserver_idle_memory PRIVATE cubelet_httpserver_testing cubelet_httpserver
  cubelet_common absl::synchronization)
