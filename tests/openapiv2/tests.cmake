# OpenAPI v2 (src/openapiv2): the document decoded with the generated protobuf parser and read as
# kubectl reads it, the endpoint's negotiation, and every bundled kubectl against a real
# cubelet-server.
cubelet_test(openapiv2_test openapiv2/document_test.cc openapiv2/service_test.cc
  LIBS cubelet_openapiv2 cubelet_openapiv2_proto yaml-cpp)
cubelet_test(kubectl_openapiv2_e2e_test openapiv2/kubectl_openapiv2_e2e_test.cc
  LIBS cubelet_e2e_fixture LABEL e2e)
add_dependencies(kubectl_openapiv2_e2e_test cubelet-server)
