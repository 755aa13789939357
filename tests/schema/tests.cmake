cubelet_test(schema_test schema/schema_parser_test.cc schema/builtin_schema_test.cc schema/scalars_test.cc
  schema/decode_test.cc schema/openapi_test.cc schema/corpus_test.cc LIBS cubelet_schema cubelet_json cubelet_api)
# The built-in test compares the embedded texts with the files they were made from; the corpus
# test decodes every object in tests/schema/corpus.
target_compile_definitions(schema_test PRIVATE CUBELET_SCHEMA_DIR="${PROJECT_SOURCE_DIR}/src/schema/types"
  CUBELET_SCHEMA_CORPUS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/schema/corpus")
