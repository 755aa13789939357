cubelet_test(patch_test patch/field_set_test.cc patch/strategic_merge_test.cc patch/field_manager_test.cc
  patch/builtin_patch_test.cc LIBS cubelet_patch cubelet_schema cubelet_json)
