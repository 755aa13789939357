#include "apiserver/request_info.h"

#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace cubelet::apiserver {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(absl::string_view(path.data(), path.size()), '/', absl::SkipEmpty())) {
    out.emplace_back(part.data(), part.size());
  }
  return out;
}

// The value a fieldSelector pins metadata.name to, or "" (only a single exact requirement).
std::string NameFromFieldSelector(const httpserver::Request& request) {
  auto selector = request.Query("fieldSelector");
  if (!selector) return "";
  std::string_view s = *selector;
  for (std::string_view prefix : {"metadata.name==", "metadata.name="}) {
    if (s.substr(0, prefix.size()) == prefix) {
      std::string_view value = s.substr(prefix.size());
      if (value.find(',') != std::string_view::npos || value.find('\\') != std::string_view::npos) return "";
      return std::string(value);
    }
  }
  return "";
}

}  // namespace

bool ParseGoBool(std::string_view text, bool* out) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == t) {
      *out = true;
      return true;
    }
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == f) {
      *out = false;
      return true;
    }
  }
  return false;
}

RequestInfo ParseRequestInfo(const httpserver::Request& request) {
  RequestInfo info;
  info.path = request.path;
  std::string method = request.method;
  for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  info.verb = method;
  std::vector<std::string> parts = Split(request.path);
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) return info;
  info.api_prefix = parts[0];
  parts.erase(parts.begin());
  info.parts = parts;
  if (info.api_prefix == "api") {
    if (parts.empty()) return info;  // /api
    info.api_version = parts[0];
    parts.erase(parts.begin());
  } else {
    if (parts.size() < 2) return info;  // /apis, /apis/<group>
    info.api_group = parts[0];
    info.api_version = parts[1];
    parts.erase(parts.begin(), parts.begin() + 2);
  }
  if (parts.empty()) return info;  // discovery of a group version
  info.resource_request = true;
  // The deprecated /watch/ prefix: /api/v1/watch/namespaces/ns/pods.
  bool watch_path = false;
  if (parts[0] == "watch") {
    watch_path = true;
    parts.erase(parts.begin());
  }
  if (parts.size() >= 2 && parts[0] == "namespaces") {
    if (parts.size() == 2) {
      // /api/v1/namespaces/<name>: the namespace object itself.
      info.resource = "namespaces";
      info.name = parts[1];
    } else {
      info.namespace_ = parts[1];
      parts.erase(parts.begin(), parts.begin() + 2);
      // /api/v1/namespaces/<ns>/status and /finalize are subresources of the namespace.
      if (parts.size() == 1 && (parts[0] == "status" || parts[0] == "finalize")) {
        info.resource = "namespaces";
        info.name = info.namespace_;
        info.subresource = parts[0];
      }
    }
  }
  if (info.resource.empty() && !parts.empty()) {
    info.resource = parts[0];
    if (parts.size() >= 2) info.name = parts[1];
    if (parts.size() >= 3) info.subresource = parts[2];
    if (parts.size() > 3) info.subresource = StrCat(parts[2], "/", parts[3]);  // kept whole; unknown subresources 404
  }
  bool watch = watch_path;
  if (auto w = request.Query("watch"); w) {
    bool v = false;
    if (ParseGoBool(*w, &v)) watch = watch || v;
  }
  if (method == "get" || method == "head") {
    info.verb = info.name.empty() ? (watch ? "watch" : "list") : (watch ? "watch" : "get");
  } else if (method == "post") {
    info.verb = "create";
  } else if (method == "put") {
    info.verb = "update";
  } else if (method == "patch") {
    info.verb = "patch";
  } else if (method == "delete") {
    info.verb = info.name.empty() ? "deletecollection" : "delete";
  }
  if ((info.verb == "list" || info.verb == "watch") && info.name.empty()) info.name = NameFromFieldSelector(request);
  return info;
}

}  // namespace cubelet::apiserver
