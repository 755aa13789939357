// Owns: decoding a request-target into a percent-decoded path and query parameters, with the
// semantics of Go's net/url (url.PathUnescape for the path, url.ParseQuery for the query), so
// that cubelet-server reads URLs exactly as kube-apiserver does.
// Does not own: routing (apiserver/) or what a parameter means.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cubelet::httpserver::internal {

struct DecodedTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
};

// Splits "/a%2Fb?x=1" into its decoded path and query. Accepts origin-form ("/..."), absolute-form
// ("https://host/...", whose path is used) and "*". nullopt when the target is none of these or
// its path holds a malformed escape (the caller answers 400).
std::optional<DecodedTarget> DecodeTarget(std::string_view target);

// '%XX' decoded; '+' kept. nullopt on a malformed escape.
std::optional<std::string> UnescapePath(std::string_view s);
// '%XX' decoded and '+' made a space. nullopt on a malformed escape.
std::optional<std::string> UnescapeQueryComponent(std::string_view s);

// As Go's url.ParseQuery: pairs split on '&', empty pairs skipped, a pair with a ';' or a
// malformed escape skipped (Go reports an error but keeps the rest, and the apiserver uses the
// rest), a key without '=' has the empty value; repeated keys stay in order.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace cubelet::httpserver::internal
