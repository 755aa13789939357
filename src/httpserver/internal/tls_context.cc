#include "httpserver/internal/tls_context.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <string>

#include "common/strings.h"

namespace cubelet::httpserver::internal {
namespace {

// The session id context makes resumed sessions carry their verified client identity; OpenSSL
// refuses to resume sessions with client verification on without it.
constexpr unsigned char kSessionIdContext[] = "cubelet-server";

// The oldest queued OpenSSL error, which names the cause; the queue is cleared.
std::string OpenSslError() {
  std::string message = "unknown OpenSSL error";
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    message = buf;
  }
  ERR_clear_error();
  return message;
}

// Client certificates are checked, and the result kept for VerifiedClientCertificate, but a
// failure does not end the handshake (see the header).
int KeepHandshakeGoing(int, X509_STORE_CTX*) { return 1; }

std::string EntryText(X509_NAME* name, int index) {
  X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, index);
  if (entry == nullptr) return "";
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
  if (n < 0) return "";
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

absl::StatusOr<SslCtxPtr> NewServerTlsContext(const TlsFiles& files) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (ctx == nullptr) return absl::InternalError(StrCat("TLS: cannot create a context: ", OpenSslError()));
  SSL_CTX* native = ctx.get();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return absl::InternalError("TLS: cannot require TLS 1.2");
  }
  SSL_CTX_set_options(native, SSL_OP_ALL | SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_DH_USE | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle connections (thousands of watches) give their read and write record buffers back.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);

  if (SSL_CTX_use_certificate_chain_file(native, files.certificate_file.c_str()) != 1) {
    return absl::InvalidArgumentError(
        StrCat("TLS: load serving certificate '", files.certificate_file, "': ", OpenSslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(native, files.private_key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return absl::InvalidArgumentError(
        StrCat("TLS: load serving key '", files.private_key_file, "': ", OpenSslError()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return absl::InvalidArgumentError(StrCat("TLS: serving key '", files.private_key_file,
                                             "' does not match certificate '", files.certificate_file,
                                             "': ", OpenSslError()));
  }
  SSL_CTX_set_session_id_context(native, kSessionIdContext, sizeof(kSessionIdContext) - 1);

  if (!files.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, files.client_ca_file.c_str(), nullptr) != 1) {
      return absl::InvalidArgumentError(
          StrCat("TLS: load client CA '", files.client_ca_file, "': ", OpenSslError()));
    }
    // The CA names sent in the CertificateRequest let clients holding several certificates pick.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    ERR_clear_error();
    // Request a certificate, and accept the handshake whatever the verification result: the
    // result is kept (SSL_get_verify_result) and VerifiedClientCertificate reads it.
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, &KeepHandshakeGoing);
  }
  return ctx;
}

std::optional<ClientCertificate> VerifiedClientCertificate(SSL* ssl) {
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  X509_NAME* subject = X509_get_subject_name(peer);
  if (subject == nullptr) return std::nullopt;
  ClientCertificate cert;
  if (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0) {
    cert.common_name = EntryText(subject, i);
  }
  for (int i = X509_NAME_get_index_by_NID(subject, NID_organizationName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_organizationName, i)) {
    cert.organizations.push_back(EntryText(subject, i));
  }
  return cert;
}

}  // namespace cubelet::httpserver::internal
