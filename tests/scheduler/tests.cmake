# The scheduler (src/scheduler): plugins against hand-built snapshots, the queue and cache with a
# fake clock, and the scheduler against a real in-process API (SQLite store in a temp dir).
include(${CMAKE_CURRENT_LIST_DIR}/plugins.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/affinity.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/core.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/queue_config.cmake OPTIONAL)
