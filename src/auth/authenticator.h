// Owns: who is asking (upstream apiserver/pkg/authentication): the user of a request from its
// verified client certificate (CN = user, O = groups) or its bearer token (upstream's static
// token file), with system:authenticated added. There is no anonymous user: a request that
// proves nothing is refused (401).
// Does not own: what a user may do (authorizer.h), TLS verification (httpserver/ reports the
// verified certificate).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "httpserver/http_server.h"

namespace cubelet::auth {

struct UserInfo {
  std::string name;  // "admin", "system:node:n1"
  std::string uid;
  std::vector<std::string> groups;  // includes "system:authenticated"

  bool InGroup(std::string_view group) const;
};

// One line of a --token-auth-file: token,user,uid[,"group1,group2"].
struct StaticToken {
  std::string token;
  UserInfo user;
};

// Parses upstream's token CSV. Errors name the file and line ("tokens.csv:3: ...") but never
// the token. Empty lines and lines starting with '#' are skipped; duplicate tokens are an error.
absl::StatusOr<std::vector<StaticToken>> ParseTokenFile(std::string_view file_name, std::string_view contents);
absl::StatusOr<std::vector<StaticToken>> LoadTokenFile(const std::string& path);

// Thread-safe.
class Authenticator {
 public:
  explicit Authenticator(std::vector<StaticToken> tokens);
  // The user, or Unauthenticated (no verified certificate and no known bearer token). As
  // upstream's union authenticator, the certificate is tried first, then the token.
  absl::StatusOr<UserInfo> Authenticate(const httpserver::Request& request) const;

 private:
  // Compared in constant time per candidate so a token's prefix cannot be guessed by timing.
  std::vector<StaticToken> tokens_;
};

}  // namespace cubelet::auth
