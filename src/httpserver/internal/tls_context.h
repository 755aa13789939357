// Owns: the server's TLS configuration (TLS 1.2+, the serving certificate chain and key, client
// certificates requested and checked against the client CA) and reading the identity of a
// verified client certificate off an established connection.
// Does not own: making certificates (pki/), deciding who the identity is (auth/).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "httpserver/http_server.h"

namespace cubelet::httpserver::internal {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// A TLS server context for `files`. Errors name the file that could not be loaded.
//
// Client certificates are requested but not required, and a certificate that does not verify
// does not fail the handshake: like kube-apiserver (tls.RequestClientCert, verified later by the
// x509 authenticator), the connection proceeds without an identity so that a bearer token can
// still authenticate it. ClientIdentity then reports nothing for it.
absl::StatusOr<SslCtxPtr> NewServerTlsContext(const TlsFiles& files);

// The subject (CN and every O) of the peer's certificate, only when the peer presented one and
// it verified against the client CA.
std::optional<ClientCertificate> VerifiedClientCertificate(SSL* ssl);

}  // namespace cubelet::httpserver::internal
