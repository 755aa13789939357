cubelet_test(kproto_test kproto/wire_test.cc kproto/transcode_test.cc kproto/envelope_test.cc
  kproto/corpus_round_trip_test.cc LIBS cubelet_kproto cubelet_schema cubelet_json cubelet_api)
# The round trip reads the schema corpus; the envelope test reads bodies captured from kubectl.
target_compile_definitions(kproto_test PRIVATE
  CUBELET_SCHEMA_CORPUS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/schema/corpus"
  CUBELET_KPROTO_TESTDATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/kproto/testdata")

# kubectl's imperative commands and raw protobuf writes against the real cubelet-server.
cubelet_test(kproto_e2e_test kproto/kubectl_protobuf_e2e_test.cc
  LIBS cubelet_e2e_fixture cubelet_e2e_util cubelet_kproto LABEL e2e)
add_dependencies(kproto_e2e_test cubelet-server)
