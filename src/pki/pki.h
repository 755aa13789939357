// Owns: cubelet-server's certificates and kubeconfigs (OpenSSL): a CA, certificates signed by it
// for serving and for clients, the PKI of a data directory created on first start and reused
// later (the CA key readable by its owner only), and kubeconfig files for admins and nodes.
// Does not own: TLS sessions (httpserver/), who a certificate makes you (auth/).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cubelet::pki {

struct CertificateAndKey {
  std::string certificate_pem;
  std::string private_key_pem;
};

struct CertificateRequest {
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries ("127.0.0.1", "::1")
  bool server = false;  // extendedKeyUsage serverAuth (else clientAuth)
  absl::Duration validity = absl::Hours(24 * 365);
};

// A self-signed CA (ECDSA P-256, CA:TRUE, keyCertSign), valid for ten years.
absl::StatusOr<CertificateAndKey> CreateCertificateAuthority(const std::string& common_name);
// A certificate for `request` signed by `ca`, with a fresh ECDSA P-256 key.
absl::StatusOr<CertificateAndKey> IssueCertificate(const CertificateAndKey& ca, const CertificateRequest& request);

// The files of a data directory's PKI (all under DIR/pki except the kubeconfig).
struct ServerPki {
  std::string ca_certificate_file;      // DIR/pki/ca.crt
  std::string ca_key_file;              // DIR/pki/ca.key (0600)
  std::string serving_certificate_file; // DIR/pki/apiserver.crt
  std::string serving_key_file;         // DIR/pki/apiserver.key (0600)
  std::string kubelet_client_certificate_file;  // DIR/pki/apiserver-kubelet-client.crt (for calls to kubelets)
  std::string kubelet_client_key_file;
  std::string admin_kubeconfig_file;    // DIR/admin.kubeconfig (0600)
};

struct ServerPkiOptions {
  std::string data_dir;
  std::string server_url;  // written into admin.kubeconfig: "https://127.0.0.1:6443"
  // Subject alternative names of the serving certificate besides localhost, 127.0.0.1 and the
  // hostname: the bind address and --tls-san values (IPs and DNS names told apart).
  std::vector<std::string> extra_sans;
};

// Creates what is missing (CA, serving certificate, kubelet client certificate, admin
// kubeconfig) and reuses what exists. A serving certificate that lacks a wanted SAN or is about
// to expire is issued again from the same CA. Errors name the file. The CA and every key are
// 0600 and verified to be (a group- or world-readable CA key is an error, not silently fixed).
absl::StatusOr<ServerPki> EnsureServerPki(const ServerPkiOptions& options);

struct KubeconfigOptions {
  std::string server_url;
  std::string ca_certificate_pem;
  std::string cluster_name = "cubelet";
  std::string user_name;  // e.g. "admin", "system:node:n1"
  CertificateAndKey client;  // embedded as client-certificate-data / client-key-data
};

// A kubeconfig (apiVersion v1, kind Config) with one cluster, user and context, the current one.
std::string RenderKubeconfig(const KubeconfigOptions& options);
// Writes `contents` to `path` with mode 0600 atomically (temp file + rename).
absl::Status WritePrivateFile(const std::string& path, const std::string& contents);

// `cubelet-server kubeconfig`: a client certificate CN=system:node:NODE, O=system:nodes signed by
// DIR's CA, written as a kubeconfig for `server_url` to `out_file` (0600).
absl::Status WriteNodeKubeconfig(const std::string& data_dir, const std::string& node_name,
                                 const std::string& server_url, const std::string& out_file);
// The same for any user: CN=`user`, O=`group` (none when empty), e.g. system:kube-scheduler.
absl::Status WriteUserKubeconfig(const std::string& data_dir, const std::string& user, const std::string& group,
                                 const std::string& server_url, const std::string& out_file);

}  // namespace cubelet::pki
