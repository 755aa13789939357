// Internal to cri/: returns the mapped error of a failed gRPC call from the enclosing function.
#pragma once

#define RETURN_STATUS(call, name, object)                                          \
  do {                                                                             \
    ::absl::Status cubelet_rpc_status_ = ::cubelet::cri::internal::FromGrpc((call), (name), (object)); \
    if (!cubelet_rpc_status_.ok()) return cubelet_rpc_status_;                     \
  } while (0)
