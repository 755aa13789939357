# The scheduler's benchmark (bench/results/scheduler.md): cubelet-server's API in-process.
add_executable(cubelet_scheduler_bench ${CMAKE_CURRENT_LIST_DIR}/scheduler_bench.cc)
target_link_libraries(cubelet_scheduler_bench PRIVATE cubelet_apiserver cubelet_scheduler absl::str_format)
