# What the OpenAPI v2 and v3 documents share (src/openapi): the published operations, a
# document's named schemas in either version's shape, and the endpoints' ETag, If-None-Match
# and Accept rules.
cubelet_test(openapi_test openapi/operations_test.cc openapi/schemas_test.cc openapi/serving_test.cc
  LIBS cubelet_openapi cubelet_registry cubelet_schema cubelet_httpserver cubelet_json)
