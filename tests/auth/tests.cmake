set(_auth_test_sources auth/token_file_test.cc auth/authenticator_test.cc)
# Until cubelet_httpserver exists its two methods that cubelet_auth uses come from a stand-in.
if(NOT TARGET cubelet_httpserver)
  list(APPEND _auth_test_sources auth/http_request_stub.cc)
endif()
cubelet_test(auth_test ${_auth_test_sources} LIBS cubelet_auth)
