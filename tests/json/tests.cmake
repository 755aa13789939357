cubelet_test(json_test json/value_test.cc json/parse_test.cc json/patch_test.cc LIBS cubelet_json)
