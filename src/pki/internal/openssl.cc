#include "pki/internal/openssl.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <climits>
#include <ctime>

#include "common/strings.h"

namespace cubelet::pki::internal {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

BioPtr MemoryBioOf(std::string_view data) {
  // BIO_new_mem_buf reads `data` in place; its length is an int.
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string Utf8Of(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0) return "";
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return result;
}

std::vector<std::string> NameEntries(const X509_NAME* name, int nid) {
  std::vector<std::string> values;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    values.push_back(Utf8Of(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))));
  }
  return values;
}

absl::StatusOr<absl::Time> TimeOf(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return absl::InvalidArgumentError(StrCat("bad validity time: ", TakeOpenSslError()));
  }
  return absl::FromTimeT(timegm(&tm));
}

}  // namespace

std::string TakeOpenSslError() {
  std::string out;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown error" : out;
}

absl::StatusOr<X509Ptr> ParseCertificatePem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = MemoryBioOf(pem);
  if (bio == nullptr) return absl::InvalidArgumentError("certificate too large");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(StrCat("not a PEM certificate (", TakeOpenSslError(), ")"));
  }
  return cert;
}

absl::StatusOr<PkeyPtr> ParsePrivateKeyPem(std::string_view pem) {
  ERR_clear_error();
  BioPtr bio = MemoryBioOf(pem);
  if (bio == nullptr) return absl::InvalidArgumentError("private key too large");
  // An empty passphrase callback result: an encrypted key fails instead of prompting on a tty.
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                      [](char*, int, int, void*) { return 0; }, nullptr));
  if (key == nullptr) {
    // OpenSSL's reason text never contains key material.
    return absl::InvalidArgumentError(StrCat("not a PEM private key (", TakeOpenSslError(), ")"));
  }
  return key;
}

absl::StatusOr<std::string> CertificateToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return absl::InternalError(StrCat("encode certificate: ", TakeOpenSslError()));
  }
  return BioContents(bio.get());
}

absl::StatusOr<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError(StrCat("encode private key: ", TakeOpenSslError()));
  }
  return BioContents(bio.get());
}

std::optional<std::string> ParseIpAddress(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 16);
  return std::nullopt;
}

std::string FormatIpAddress(std::string_view binary) {
  char out[INET6_ADDRSTRLEN] = {};
  const int family = binary.size() == 4 ? AF_INET : binary.size() == 16 ? AF_INET6 : -1;
  if (family < 0 || inet_ntop(family, binary.data(), out, sizeof(out)) == nullptr) return "<bad address>";
  return out;
}

bool IsDnsName(std::string_view name) {
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.') {
      if (label == 0 || name[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || (c == '-' && label > 0))) return false;
    if (++label > 63) return false;
  }
  return label > 0 && name.back() != '-';
}

absl::StatusOr<CertificateInfo> InspectCertificate(X509* cert) {
  CertificateInfo info;
  const X509_NAME* subject = X509_get_subject_name(cert);
  std::vector<std::string> cns = NameEntries(subject, NID_commonName);
  if (!cns.empty()) info.common_name = cns.front();
  info.organizations = NameEntries(subject, NID_organizationName);

  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* s = name->d.dNSName;
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                  static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = name->d.iPAddress;
      info.ip_addresses.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                     static_cast<size_t>(ASN1_STRING_length(s)));
    }
  }
  auto not_before = TimeOf(X509_get0_notBefore(cert));
  if (!not_before.ok()) return not_before.status();
  info.not_before = *not_before;
  auto not_after = TimeOf(X509_get0_notAfter(cert));
  if (!not_after.ok()) return not_after.status();
  info.not_after = *not_after;
  return info;
}

bool IsSignedBy(X509* cert, X509* ca) {
  EVP_PKEY* ca_key = X509_get0_pubkey(ca);
  const bool ok = ca_key != nullptr && X509_check_issued(ca, cert) == X509_V_OK &&
                  X509_verify(cert, ca_key) == 1;
  ERR_clear_error();
  return ok;
}

bool KeyMatchesCertificate(X509* cert, EVP_PKEY* key) {
  const bool ok = X509_check_private_key(cert, key) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace cubelet::pki::internal
