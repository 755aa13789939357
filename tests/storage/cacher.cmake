# The watch cache (src/storage/cacher) against the real SQLite store. Included from tests.cmake.
cubelet_test(cacher_test storage/cacher_test.cc storage/cacher_watch_test.cc storage/cacher_fanout_test.cc
  LIBS cubelet_storage_cacher cubelet_storage_sqlite cubelet_selectors cubelet_json)
