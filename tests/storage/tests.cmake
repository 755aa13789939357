# The store: the SQLite backend (operations, watches, TTLs, compaction, opening foreign or
# corrupt files, crash safety through a child process that is SIGKILLed) and the compactor.
cubelet_test(storage_test
  storage/sqlite_store_test.cc
  storage/sqlite_store_ttl_compaction_test.cc
  storage/sqlite_store_watch_test.cc
  storage/sqlite_store_open_test.cc
  storage/compactor_test.cc
  LIBS cubelet_storage_sqlite cubelet_storage SQLite::SQLite3)

add_executable(storage_crash_writer storage/crash_writer_main.cc)
target_link_libraries(storage_crash_writer PRIVATE cubelet_storage_sqlite)
cubelet_test(storage_crash_test storage/sqlite_store_crash_test.cc
  LIBS cubelet_storage_sqlite)
target_compile_definitions(storage_crash_test PRIVATE
  CRASH_WRITER="$<TARGET_FILE:storage_crash_writer>")
add_dependencies(storage_crash_test storage_crash_writer)
include(${CMAKE_CURRENT_LIST_DIR}/cacher.cmake OPTIONAL)
