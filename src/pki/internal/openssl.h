// Owns: the OpenSSL plumbing of pki/: owning pointers for OpenSSL objects, PEM parsing and
// writing, the error queue as text, and what a certificate says (subject, SANs, expiry, issuer).
// Does not own: which certificates exist or how they are made (certificates.cc, server_pki.cc).
// Internal to pki/ (and its tests); OpenSSL types never leave this library's .cc files.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cubelet::pki::internal {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Drains OpenSSL's thread-local error queue into one line ("unknown error" when empty), so a
// failure reports OpenSSL's reason and a later call does not see stale errors.
std::string TakeOpenSslError();

// The first certificate in `pem`. The error says what is wrong, not where it came from: callers
// add the file name.
absl::StatusOr<X509Ptr> ParseCertificatePem(std::string_view pem);
// A private key in any PEM form OpenSSL reads (PKCS#8, SEC1 "EC PRIVATE KEY", PKCS#1).
absl::StatusOr<PkeyPtr> ParsePrivateKeyPem(std::string_view pem);
absl::StatusOr<std::string> CertificateToPem(X509* cert);
// PKCS#8 ("BEGIN PRIVATE KEY"), which Go's tls.X509KeyPair and Python's ssl both load.
absl::StatusOr<std::string> PrivateKeyToPem(EVP_PKEY* key);

// An IP address in binary (4 or 16 bytes) when `text` is an IPv4 or IPv6 literal.
std::optional<std::string> ParseIpAddress(std::string_view text);
std::string FormatIpAddress(std::string_view binary);
// A DNS name usable in a subjectAltName: labels of letters, digits and '-', optionally "*." first.
bool IsDnsName(std::string_view name);

struct CertificateInfo {
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // binary, as ParseIpAddress returns
  absl::Time not_before;
  absl::Time not_after;
};
absl::StatusOr<CertificateInfo> InspectCertificate(X509* cert);

// True when `cert` names `ca` as its issuer and carries a valid signature by `ca`'s key.
bool IsSignedBy(X509* cert, X509* ca);
// True when `key` is the private key of `cert`.
bool KeyMatchesCertificate(X509* cert, EVP_PKEY* key);

}  // namespace cubelet::pki::internal
