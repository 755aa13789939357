# OpenAPI v3 documents (src/apiserver/openapi_documents.cc), compiled into the test directly so
# it does not depend on the rest of cubelet_apiserver, and compared with the v2 document. The
# kubectl tests need /usr/bin/kubectl and skip without it.
cubelet_test(openapi_documents_test apiserver/openapi_documents_test.cc
  ${PROJECT_SOURCE_DIR}/src/apiserver/openapi_documents.cc
  LIBS cubelet_openapi cubelet_openapiv2 cubelet_registry cubelet_schema cubelet_httpserver cubelet_json
    cubelet_common OpenSSL::Crypto PkgConfig::HTTPLIB absl::time)
