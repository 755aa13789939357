// Owns: the `paths` of cubelet-server's OpenAPI v2 document: every served resource and
// subresource with its operations in kube-apiserver's v2 shape (operationId, tags, consumes and
// produces, inline parameters, responses, x-kubernetes-action and the operation's
// x-kubernetes-group-version-kind). kubectl 1.27 and 1.28 decide on server-side field validation
// from these (cli-runtime query_param_verifier.go: the first PATCH operation carrying the kind's
// GVK must list the fieldValidation query parameter) and choose the patch type of client-side
// apply from the PATCH operation's consumes.
// Does not own: the definitions the operations refer to (definitions.h).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "json/value.h"
#include "registry/resource.h"
#include "schema/schema.h"

namespace cubelet::openapiv2::internal {

// Not thread-safe; used once per document.
class PathsBuilder {
 public:
  // `problems` collects what had to be left out (a resource whose schema type the table lacks).
  PathsBuilder(const schema::Schema& schema, std::vector<std::string>* problems);

  void AddResource(const registry::ResourceInfo& info);

  // The definitions the added operations refer to.
  const std::set<std::string>& referenced() const { return referenced_; }
  // The added resources that are listed (they need a <Kind>List definition).
  const std::vector<const registry::ResourceInfo*>& lists() const { return lists_; }

  // The paths object, sorted by path as kube-apiserver's document is.
  json::Value Build();

 private:
  struct Naming;

  json::Value& PathItem(const std::string& path, json::Value parameters);
  void AddSubresource(const Naming& n, const registry::SubresourceInfo& sub, const std::string& item);

  const schema::Schema& schema_;
  std::vector<std::string>* problems_;
  std::map<std::string, json::Value> paths_;
  std::set<std::string> referenced_;
  std::vector<const registry::ResourceInfo*> lists_;
};

}  // namespace cubelet::openapiv2::internal
