// Owns: the RETURN_IF_ERROR / ASSIGN_OR_RETURN macros used with absl::Status across cubelet.
// Does not own: error codes or messages; callers add context with Annotate().
#pragma once

#include <string_view>

#include "common/strings.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace cubelet {

// Returns `status` with `context: ` put in front of its message, keeping the code.
inline absl::Status Annotate(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), StrCat(context, ": ", status.message()));
}

}  // namespace cubelet

#define CUBELET_CONCAT_INNER_(a, b) a##b
#define CUBELET_CONCAT_(a, b) CUBELET_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::absl::Status cubelet_status_ = (expr);     \
    if (!cubelet_status_.ok()) return cubelet_status_; \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(CUBELET_CONCAT_(cubelet_statusor_, __LINE__), lhs, expr)
