#include "httpserver/internal/tls_context.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <string>

#include "common/strings.h"

namespace cubelet::httpserver::internal {
namespace {

namespace ssl = boost::asio::ssl;

// The session id context makes resumed sessions carry their verified client identity; OpenSSL
// refuses to resume sessions with client verification on without it.
constexpr unsigned char kSessionIdContext[] = "cubelet-server";

std::string OpenSslError(const boost::system::error_code& ec) {
  std::string message = ec.message();
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    message = buf;
  }
  ERR_clear_error();
  return message;
}

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

absl::StatusOr<std::unique_ptr<ssl::context>> NewServerTlsContext(const TlsFiles& files) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return absl::InternalError("TLS: cannot require TLS 1.2");
  }
  ctx->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle connections (thousands of watches) give their read and write record buffers back.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);

  boost::system::error_code ec;
  ctx->use_certificate_chain_file(files.certificate_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(StrCat("TLS: load serving certificate '", files.certificate_file,
                                             "': ", OpenSslError(ec)));
  }
  ctx->use_private_key_file(files.private_key_file, ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        StrCat("TLS: load serving key '", files.private_key_file, "': ", OpenSslError(ec)));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return absl::InvalidArgumentError(StrCat("TLS: serving key '", files.private_key_file,
                                             "' does not match certificate '", files.certificate_file,
                                             "': ", OpenSslError({})));
  }
  SSL_CTX_set_session_id_context(native, kSessionIdContext, sizeof(kSessionIdContext) - 1);

  if (!files.client_ca_file.empty()) {
    ctx->load_verify_file(files.client_ca_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          StrCat("TLS: load client CA '", files.client_ca_file, "': ", OpenSslError(ec)));
    }
    // The CA names sent in the CertificateRequest let clients holding several certificates pick.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    ERR_clear_error();
    // Request a certificate, and accept the handshake whatever the verification result: the
    // result is kept (SSL_get_verify_result) and VerifiedClientCertificate reads it.
    ctx->set_verify_mode(ssl::verify_peer, ec);
    ctx->set_verify_callback([](bool, ssl::verify_context&) { return true; }, ec);
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
