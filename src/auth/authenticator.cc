// Upstream's request authentication, the two parts cubelet-server uses: the x509 authenticator
// (user = CommonName, groups = Organizations) and the bearer-token authenticator over the static
// token file, tried in that order; then the group adder puts in system:authenticated.
#include <algorithm>
#include <cctype>

#include "auth/authenticator.h"
#include "common/strings.h"

namespace cubelet::auth {
namespace {

constexpr char kAuthenticatedGroup[] = "system:authenticated";

UserInfo WithAuthenticatedGroup(UserInfo user) {
  if (!user.InGroup(kAuthenticatedGroup)) user.groups.push_back(kAuthenticatedGroup);
  return user;
}

bool IsGoSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// The token of an "Authorization: Bearer <token>" header as upstream's bearertoken authenticator
// reads it: the header trimmed, split at single spaces, the scheme compared case-insensitively,
// the second part the token. Nullopt when there is no usable bearer token.
std::optional<std::string_view> BearerToken(const httpserver::Headers& headers) {
  std::optional<std::string_view> header = headers.Get("Authorization");
  if (!header.has_value()) return std::nullopt;
  std::string_view value = *header;
  while (!value.empty() && IsGoSpace(value.front())) value.remove_prefix(1);
  while (!value.empty() && IsGoSpace(value.back())) value.remove_suffix(1);
  const size_t space = value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view scheme = value.substr(0, space);
  constexpr std::string_view kBearer = "bearer";
  if (scheme.size() != kBearer.size() ||
      !std::equal(scheme.begin(), scheme.end(), kBearer.begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
    return std::nullopt;
  }
  std::string_view token = value.substr(space + 1);
  token = token.substr(0, token.find(' '));
  if (token.empty()) return std::nullopt;
  return token;
}

// Equal in time that depends only on the length of `presented` (the attacker's input), never on
// where the first differing byte is or on the length of `secret`.
bool ConstantTimeEquals(std::string_view presented, std::string_view secret) {
  // volatile keeps the compiler from turning the loop back into an early-exit comparison.
  volatile unsigned char diff = presented.size() == secret.size() ? 0 : 1;
  const size_t n = secret.size();
  for (size_t i = 0; i < presented.size(); ++i) {
    const unsigned char s = n == 0 ? 0 : static_cast<unsigned char>(secret[i % n]);
    diff = diff | static_cast<unsigned char>(s ^ static_cast<unsigned char>(presented[i]));
  }
  return diff == 0;
}

}  // namespace

bool UserInfo::InGroup(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

Authenticator::Authenticator(std::vector<StaticToken> tokens) : tokens_(std::move(tokens)) {}

absl::StatusOr<UserInfo> Authenticator::Authenticate(const httpserver::Request& request) const {
  // A certificate without a CommonName names nobody; upstream then falls through to the token.
  if (request.client_certificate.has_value() && !request.client_certificate->common_name.empty()) {
    UserInfo user;
    user.name = request.client_certificate->common_name;
    user.groups = request.client_certificate->organizations;
    return WithAuthenticatedGroup(std::move(user));
  }
  std::optional<std::string_view> token = BearerToken(request.headers);
  if (!token.has_value()) {
    return absl::UnauthenticatedError("no client certificate and no bearer token");
  }
  // Every candidate is compared, even after a match, so the time taken does not tell which
  // token (or how many) came before the right one.
  const StaticToken* match = nullptr;
  for (const StaticToken& candidate : tokens_) {
    if (ConstantTimeEquals(*token, candidate.token)) match = &candidate;
  }
  if (match == nullptr) return absl::UnauthenticatedError("invalid bearer token");
  return WithAuthenticatedGroup(match->user);
}

}  // namespace cubelet::auth
