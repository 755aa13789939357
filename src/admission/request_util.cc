#include "admission/request_util.h"

#include "apierrors/apierrors.h"

namespace cubelet::admission {

bool IsResource(const Request& request, std::string_view group, std::string_view resource) {
  return request.resource != nullptr && request.resource->group == group && request.resource->resource == resource;
}

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kCreate:
      return "CREATE";
    case Operation::kUpdate:
      return "UPDATE";
    case Operation::kDelete:
      return "DELETE";
    case Operation::kConnect:
      return "CONNECT";
  }
  return "UNKNOWN";
}

absl::Status ForbiddenFor(const Request& request, const json::Value* object, std::string_view why) {
  std::string name = request.name;
  if (name.empty()) {
    name = "Unknown";
    if (object != nullptr) {
      std::string own = object->GetString({"metadata", "name"});
      std::string generate = object->GetString({"metadata", "generateName"});
      if (!own.empty()) {
        name = own;
      } else if (!generate.empty()) {
        name = generate;
      }
    }
  }
  apierrors::GroupResource resource;
  if (request.resource != nullptr) resource = request.resource->GroupResource();
  return apierrors::Forbidden(resource, name, why);
}

}  // namespace cubelet::admission
