#include "httpserver/test_pki.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <utility>

#include "common/strings.h"

namespace cubelet::httpserver::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

struct Subject {
  std::string common_name;
  std::vector<std::string> organizations;
};

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

enum class Kind { kCa, kServer, kClient };

// A certificate for `subject` with a fresh P-256 key, signed by `issuer` (self-signed when null).
absl::StatusOr<std::pair<Cert, Pkey>> Issue(const Subject& subject, Kind kind, X509* issuer, EVP_PKEY* issuer_key) {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) return absl::InternalError("EVP_EC_gen failed");
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const std::string& o : subject.organizations) {
    X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(subject.common_name.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  switch (kind) {
    case Kind::kCa:
      ok = ok && AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE") &&
           AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
      break;
    case Kind::kServer:
      ok = ok && AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
           AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
           AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
           AddExtension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
           AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid");
      break;
    case Kind::kClient:
      ok = ok && AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
           AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
           AddExtension(cert.get(), signer, NID_ext_key_usage, "clientAuth") &&
           AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid");
      break;
  }
  if (!ok) return absl::InternalError("adding a certificate extension failed");
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key.get(), EVP_sha256()) == 0) {
    return absl::InternalError("X509_sign failed");
  }
  return std::make_pair(std::move(cert), std::move(key));
}

absl::Status WriteCert(const std::string& path, X509* cert) {
  BIO* bio = BIO_new_file(path.c_str(), "w");
  if (bio == nullptr) return absl::InternalError(StrCat("open ", path));
  const bool ok = PEM_write_bio_X509(bio, cert) == 1;
  BIO_free(bio);
  return ok ? absl::OkStatus() : absl::InternalError(StrCat("write ", path));
}

absl::Status WriteKey(const std::string& path, EVP_PKEY* key) {
  BIO* bio = BIO_new_file(path.c_str(), "w");
  if (bio == nullptr) return absl::InternalError(StrCat("open ", path));
  const bool ok = PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  BIO_free(bio);
  return ok ? absl::OkStatus() : absl::InternalError(StrCat("write ", path));
}

}  // namespace

TestPki::~TestPki() {
  if (dir.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

absl::StatusOr<std::unique_ptr<TestPki>> MakeTestPki() {
  const char* tmp = getenv("TMPDIR");
  std::string templ = StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/httpserver-pki-XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  auto pki = std::make_unique<TestPki>();
  pki->dir = templ;
  auto path = [&](const char* name) { return StrCat(pki->dir, "/", name); };

  auto ca = Issue({"test-ca", {}}, Kind::kCa, nullptr, nullptr);
  if (!ca.ok()) return ca.status();
  auto server = Issue({"127.0.0.1", {}}, Kind::kServer, ca->first.get(), ca->second.get());
  if (!server.ok()) return server.status();
  auto client = Issue({"system:node:node-1", {"system:nodes", "team-a"}}, Kind::kClient, ca->first.get(),
                      ca->second.get());
  if (!client.ok()) return client.status();
  auto other_ca = Issue({"other-ca", {}}, Kind::kCa, nullptr, nullptr);
  if (!other_ca.ok()) return other_ca.status();
  auto untrusted = Issue({"mallory", {"system:masters"}}, Kind::kClient, other_ca->first.get(),
                         other_ca->second.get());
  if (!untrusted.ok()) return untrusted.status();

  pki->ca_file = path("ca.crt");
  pki->server_cert_file = path("server.crt");
  pki->server_key_file = path("server.key");
  pki->client_cert_file = path("client.crt");
  pki->client_key_file = path("client.key");
  pki->untrusted_client_cert_file = path("untrusted.crt");
  pki->untrusted_client_key_file = path("untrusted.key");
  for (absl::Status s : {WriteCert(pki->ca_file, ca->first.get()), WriteCert(pki->server_cert_file, server->first.get()),
                         WriteKey(pki->server_key_file, server->second.get()),
                         WriteCert(pki->client_cert_file, client->first.get()),
                         WriteKey(pki->client_key_file, client->second.get()),
                         WriteCert(pki->untrusted_client_cert_file, untrusted->first.get()),
                         WriteKey(pki->untrusted_client_key_file, untrusted->second.get())}) {
    if (!s.ok()) return s;
  }
  return pki;
}

}  // namespace cubelet::httpserver::testing
