# Unit tests of cubelet-server's HTTP API layer (src/apiserver): request info, query
# parameters, content negotiation, bodies, PATCH, response shapes and the command line. No
# server is started: each test builds httpserver::Request values and calls the layer directly.
cubelet_test(apiserver_unit_test
  apiserver/request_info_test.cc
  apiserver/query_test.cc
  apiserver/negotiation_test.cc
  apiserver/body_test.cc
  apiserver/patcher_test.cc
  apiserver/responses_test.cc
  apiserver/server_options_test.cc
  LIBS cubelet_apiserver)
