// The CA and the certificates it signs. Every extension here is one that some real client checks:
// Go's crypto/x509 (kubectl, client-go) wants keyCertSign on the CA and a matching extended key
// usage on leaves; OpenSSL with X509_V_FLAG_X509_STRICT (Python 3.13's default) wants a critical
// basicConstraints and a subjectKeyIdentifier on the CA and an authorityKeyIdentifier on leaves.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "common/status_macros.h"
#include "common/strings.h"
#include "pki/internal/openssl.h"
#include "pki/pki.h"

namespace cubelet::pki {
namespace {

using internal::PkeyPtr;
using internal::TakeOpenSslError;
using internal::X509Ptr;

constexpr absl::Duration kCaValidity = absl::Hours(24 * 3650);
// notBefore lies a little in the past so that a client whose clock runs behind ours still
// accepts a certificate issued a moment ago.
constexpr absl::Duration kBackdate = absl::Minutes(5);

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};
struct ExtensionFree {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};
struct BignumFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};

absl::Status OpenSslFailure(std::string_view what) {
  return absl::InternalError(StrCat(what, ": ", TakeOpenSslError()));
}

absl::StatusOr<PkeyPtr> GenerateKey() {
  PkeyPtr key(EVP_EC_gen(SN_X9_62_prime256v1));
  if (key == nullptr) return OpenSslFailure("generate an ECDSA P-256 key");
  return key;
}

// A random 128-bit serial (RFC 5280 allows up to 20 octets), kept positive: Go rejects negative
// serials and a zero one.
absl::Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return OpenSslFailure("random serial number");
  bytes[0] &= 0x7f;
  bytes[sizeof(bytes) - 1] |= 0x01;
  std::unique_ptr<BIGNUM, BignumFree> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (bn == nullptr || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return OpenSslFailure("set serial number");
  }
  return absl::OkStatus();
}

absl::Status SetValidity(X509* cert, absl::Time not_before, absl::Time not_after) {
  if (ASN1_TIME_set(X509_getm_notBefore(cert), absl::ToTimeT(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), absl::ToTimeT(not_after)) == nullptr) {
    return OpenSslFailure("set validity");
  }
  return absl::OkStatus();
}

// Organizations first, then the common name: the order Go's pkix.Name writes, so the subject
// reads the same as upstream's certificates ("O = system:nodes, CN = system:node:n1").
absl::Status SetSubject(X509* cert, const std::string& common_name,
                        const std::vector<std::string>& organizations) {
  X509_NAME* name = X509_get_subject_name(cert);
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.data()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  for (const std::string& org : organizations) {
    if (!add("O", org)) return OpenSslFailure(StrCat("subject organization \"", org, "\""));
  }
  if (!common_name.empty() && !add("CN", common_name)) {
    return OpenSslFailure(StrCat("subject common name \"", common_name, "\""));
  }
  return absl::OkStatus();
}

absl::Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  std::unique_ptr<X509_EXTENSION, ExtensionFree> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslFailure(StrCat("add extension ", OBJ_nid2sn(nid)));
  }
  return absl::OkStatus();
}

absl::Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns_names,
                                const std::vector<std::string>& ip_addresses) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(sk_GENERAL_NAME_new_null());
  if (names == nullptr) return OpenSslFailure("subjectAltName");
  auto push = [&](int type, ASN1_STRING* value, std::string_view data) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    if (name == nullptr || value == nullptr ||
        ASN1_STRING_set(value, data.data(), static_cast<int>(data.size())) != 1) {
      GENERAL_NAME_free(name);
      ASN1_STRING_free(value);
      return false;
    }
    GENERAL_NAME_set0_value(name, type, value);
    if (sk_GENERAL_NAME_push(names.get(), name) <= 0) {
      GENERAL_NAME_free(name);
      return false;
    }
    return true;
  };
  for (const std::string& dns : dns_names) {
    if (!push(GEN_DNS, ASN1_IA5STRING_new(), dns)) return OpenSslFailure("subjectAltName");
  }
  for (const std::string& ip : ip_addresses) {
    // Validated by the caller.
    const std::string binary = internal::ParseIpAddress(ip).value_or("");
    if (!push(GEN_IPADD, ASN1_OCTET_STRING_new(), binary)) return OpenSslFailure("subjectAltName");
  }
  // Not critical: every certificate here has a subject (RFC 5280 asks for a critical SAN only
  // when the subject is empty).
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslFailure("add extension subjectAltName");
  }
  return absl::OkStatus();
}

absl::StatusOr<CertificateAndKey> Encode(X509* cert, EVP_PKEY* key) {
  CertificateAndKey out;
  ASSIGN_OR_RETURN(out.certificate_pem, internal::CertificateToPem(cert));
  ASSIGN_OR_RETURN(out.private_key_pem, internal::PrivateKeyToPem(key));
  return out;
}

absl::Status ValidateRequest(const CertificateRequest& request) {
  if (request.common_name.empty()) return absl::InvalidArgumentError("certificate request without a common name");
  if (request.validity <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(StrCat("certificate for \"", request.common_name, "\": validity must be positive"));
  }
  for (const std::string& dns : request.dns_names) {
    if (!internal::IsDnsName(dns)) {
      return absl::InvalidArgumentError(StrCat("certificate for \"", request.common_name,
                                               "\": \"", dns, "\" is not a DNS name"));
    }
  }
  for (const std::string& ip : request.ip_addresses) {
    if (!internal::ParseIpAddress(ip).has_value()) {
      return absl::InvalidArgumentError(StrCat("certificate for \"", request.common_name,
                                               "\": \"", ip, "\" is not an IP address"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CertificateAndKey> CreateCertificateAuthority(const std::string& common_name) {
  if (common_name.empty()) return absl::InvalidArgumentError("CA without a common name");
  ERR_clear_error();
  ASSIGN_OR_RETURN(PkeyPtr key, GenerateKey());
  X509Ptr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpenSslFailure("new certificate");
  RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  const absl::Time now = absl::Now();
  RETURN_IF_ERROR(SetValidity(cert.get(), now - kBackdate, now + kCaValidity));
  RETURN_IF_ERROR(SetSubject(cert.get(), common_name, {}));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return OpenSslFailure("CA certificate");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage,
                               "critical,digitalSignature,keyEncipherment,keyCertSign"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return OpenSslFailure("sign CA certificate");
  return Encode(cert.get(), key.get());
}

absl::StatusOr<CertificateAndKey> IssueCertificate(const CertificateAndKey& ca, const CertificateRequest& request) {
  RETURN_IF_ERROR(ValidateRequest(request));
  ERR_clear_error();
  auto ca_cert = internal::ParseCertificatePem(ca.certificate_pem);
  if (!ca_cert.ok()) return Annotate(ca_cert.status(), "CA certificate");
  auto ca_key = internal::ParsePrivateKeyPem(ca.private_key_pem);
  if (!ca_key.ok()) return Annotate(ca_key.status(), "CA key");
  if (X509_check_ca(ca_cert->get()) == 0) {
    return absl::InvalidArgumentError("the CA certificate is not a certificate authority");
  }
  if (!internal::KeyMatchesCertificate(ca_cert->get(), ca_key->get())) {
    return absl::InvalidArgumentError("the CA key does not belong to the CA certificate");
  }
  ASSIGN_OR_RETURN(internal::CertificateInfo ca_info, internal::InspectCertificate(ca_cert->get()));

  ASSIGN_OR_RETURN(PkeyPtr key, GenerateKey());
  X509Ptr cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpenSslFailure("new certificate");
  RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  const absl::Time now = absl::Now();
  // A certificate never outlives the CA that vouches for it.
  RETURN_IF_ERROR(SetValidity(cert.get(), now - kBackdate, std::min(now + request.validity, ca_info.not_after)));
  RETURN_IF_ERROR(SetSubject(cert.get(), request.common_name, request.organizations));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert->get())) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    return OpenSslFailure("certificate");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca_cert->get(), cert.get(), nullptr, nullptr, 0);
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, request.server ? "serverAuth" : "clientAuth"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!request.dns_names.empty() || !request.ip_addresses.empty()) {
    RETURN_IF_ERROR(AddSubjectAltNames(cert.get(), request.dns_names, request.ip_addresses));
  }
  if (X509_sign(cert.get(), ca_key->get(), EVP_sha256()) <= 0) {
    return OpenSslFailure(StrCat("sign certificate for \"", request.common_name, "\""));
  }
  return Encode(cert.get(), key.get());
}

}  // namespace cubelet::pki
