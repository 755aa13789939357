# The DefaultTolerationSeconds plugin on its own and through the chain.
cubelet_test(default_toleration_seconds_test
  admission/default_toleration_seconds_test.cc
  LIBS cubelet_admission cubelet_storage_sqlite)
