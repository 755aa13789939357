// The PKI of a data directory. The CA is made once and then only ever read: replacing it would
// invalidate every kubeconfig issued to nodes and admins. Everything below it (the serving and
// kubelet-client certificates, admin.kubeconfig) is derived and is issued again whenever it no
// longer fits (a wanted SAN is missing, it expires within 30 days, another CA signed it).
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "pki/internal/files.h"
#include "pki/internal/openssl.h"
#include "pki/pki.h"

namespace cubelet::pki {
namespace {

using internal::X509Ptr;

constexpr absl::Duration kRenewBefore = absl::Hours(24 * 30);
constexpr char kCaCommonName[] = "cubelet-ca";
constexpr char kServingCommonName[] = "kube-apiserver";
constexpr char kKubeletClientCommonName[] = "kube-apiserver-kubelet-client";
constexpr char kMastersGroup[] = "system:masters";
constexpr char kAdminUser[] = "admin";
constexpr mode_t kCertificateMode = 0644;

ServerPki PathsOf(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string pki = StrCat(dir, "/pki/");
  return ServerPki{
      .ca_certificate_file = pki + "ca.crt",
      .ca_key_file = pki + "ca.key",
      .serving_certificate_file = pki + "apiserver.crt",
      .serving_key_file = pki + "apiserver.key",
      .kubelet_client_certificate_file = pki + "apiserver-kubelet-client.crt",
      .kubelet_client_key_file = pki + "apiserver-kubelet-client.key",
      .admin_kubeconfig_file = StrCat(dir, "/admin.kubeconfig"),
  };
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// What is wrong with a file on disk: the file, then the reason.
absl::Status BadFile(const std::string& path, absl::string_view what) {
  return absl::FailedPreconditionError(StrCat(path, ": ", what));
}

absl::StatusOr<X509Ptr> ReadCertificate(const std::string& path, std::string* pem_out) {
  ASSIGN_OR_RETURN(std::string pem, internal::ReadFile(path));
  auto cert = internal::ParseCertificatePem(pem);
  if (!cert.ok()) return BadFile(path, cert.status().message());
  if (pem_out != nullptr) *pem_out = std::move(pem);
  return std::move(*cert);
}

absl::StatusOr<internal::PkeyPtr> ReadKey(const std::string& path, std::string* pem_out) {
  ASSIGN_OR_RETURN(std::string pem, internal::ReadPrivateFile(path));
  auto key = internal::ParsePrivateKeyPem(pem);
  if (!key.ok()) return BadFile(path, key.status().message());
  if (pem_out != nullptr) *pem_out = std::move(pem);
  return std::move(*key);
}

struct LoadedCa {
  CertificateAndKey pem;
  X509Ptr cert;
};

// The CA of a data directory; NotFound when it has none yet.
absl::StatusOr<LoadedCa> LoadCa(const ServerPki& paths) {
  const bool have_cert = internal::FileExists(paths.ca_certificate_file);
  const bool have_key = internal::FileExists(paths.ca_key_file);
  if (!have_cert && !have_key) return absl::NotFoundError(StrCat(paths.ca_certificate_file, " does not exist"));
  if (!have_key || !have_cert) {
    const std::string& missing = have_key ? paths.ca_certificate_file : paths.ca_key_file;
    const std::string& present = have_key ? paths.ca_key_file : paths.ca_certificate_file;
    return BadFile(missing, StrCat("missing while ", present,
                                   " exists; restore it (a new CA would invalidate every kubeconfig issued "
                                   "so far, so none is made while half of the old one remains)"));
  }
  LoadedCa ca;
  ASSIGN_OR_RETURN(internal::PkeyPtr key, ReadKey(paths.ca_key_file, &ca.pem.private_key_pem));
  ASSIGN_OR_RETURN(ca.cert, ReadCertificate(paths.ca_certificate_file, &ca.pem.certificate_pem));
  if (X509_check_ca(ca.cert.get()) == 0) return BadFile(paths.ca_certificate_file, "not a CA certificate");
  if (!internal::KeyMatchesCertificate(ca.cert.get(), key.get())) {
    return BadFile(paths.ca_key_file, StrCat("not the key of ", paths.ca_certificate_file));
  }
  auto info = internal::InspectCertificate(ca.cert.get());
  if (!info.ok()) return BadFile(paths.ca_certificate_file, info.status().message());
  if (info->not_after <= absl::Now()) {
    return BadFile(paths.ca_certificate_file,
                   StrCat("the CA expired at ", absl::FormatTime(absl::RFC3339_sec, info->not_after, absl::UTCTimeZone())));
  }
  return ca;
}

absl::StatusOr<LoadedCa> CreateCa(const ServerPki& paths) {
  ASSIGN_OR_RETURN(CertificateAndKey pem, CreateCertificateAuthority(kCaCommonName));
  // The key first: a crash between the two renames leaves a key without a certificate, which the
  // next start reports instead of silently making a second CA.
  RETURN_IF_ERROR(internal::WriteFileAtomically(paths.ca_key_file, pem.private_key_pem, 0600));
  RETURN_IF_ERROR(internal::WriteFileAtomically(paths.ca_certificate_file, pem.certificate_pem, kCertificateMode));
  LoadedCa ca;
  ASSIGN_OR_RETURN(ca.cert, internal::ParseCertificatePem(pem.certificate_pem));
  ca.pem = std::move(pem);
  return ca;
}

// Whether `info` (a certificate that verified against the CA) still does what `want` asks.
bool Covers(const internal::CertificateInfo& info, const CertificateRequest& want) {
  if (info.common_name != want.common_name) return false;
  for (const std::string& org : want.organizations) {
    if (std::find(info.organizations.begin(), info.organizations.end(), org) == info.organizations.end()) return false;
  }
  for (const std::string& dns : want.dns_names) {
    const bool found = std::any_of(info.dns_names.begin(), info.dns_names.end(),
                                   [&](const std::string& have) { return ToLower(have) == dns; });
    if (!found) return false;
  }
  for (const std::string& ip : want.ip_addresses) {
    const std::string binary = internal::ParseIpAddress(ip).value_or("");
    if (std::find(info.ip_addresses.begin(), info.ip_addresses.end(), binary) == info.ip_addresses.end()) return false;
  }
  return absl::Now() + kRenewBefore < info.not_after;
}

// Keeps the certificate and key at `cert_file`/`key_file` when they are a pair signed by `ca`
// that covers `want`; issues and writes a new pair otherwise. Unreadable or corrupt files are
// errors rather than silently replaced: they mean something else is wrong with the directory.
absl::Status EnsureLeaf(const LoadedCa& ca, const std::string& cert_file, const std::string& key_file,
                        const CertificateRequest& want) {
  if (internal::FileExists(cert_file) && internal::FileExists(key_file)) {
    ASSIGN_OR_RETURN(internal::PkeyPtr key, ReadKey(key_file, nullptr));
    ASSIGN_OR_RETURN(X509Ptr cert, ReadCertificate(cert_file, nullptr));
    auto info = internal::InspectCertificate(cert.get());
    if (!info.ok()) return BadFile(cert_file, info.status().message());
    if (internal::KeyMatchesCertificate(cert.get(), key.get()) && internal::IsSignedBy(cert.get(), ca.cert.get()) &&
        Covers(*info, want)) {
      return absl::OkStatus();
    }
  }
  ASSIGN_OR_RETURN(CertificateAndKey issued, IssueCertificate(ca.pem, want));
  RETURN_IF_ERROR(internal::WriteFileAtomically(key_file, issued.private_key_pem, 0600));
  return internal::WriteFileAtomically(cert_file, issued.certificate_pem, kCertificateMode);
}

CertificateRequest ClientRequest(std::string user, std::string group) {
  CertificateRequest request;
  request.common_name = std::move(user);
  request.organizations = {std::move(group)};
  return request;
}

KubeconfigOptions ClientKubeconfig(const std::string& server_url, const LoadedCa& ca, std::string user,
                                   CertificateAndKey client) {
  KubeconfigOptions options;
  options.server_url = server_url;
  options.ca_certificate_pem = ca.pem.certificate_pem;
  options.user_name = std::move(user);
  options.client = std::move(client);
  return options;
}

// The value of the first "KEY: value" line of a kubeconfig, unquoted; "" when there is none.
// Enough to read back what RenderKubeconfig (or `kubectl config`) wrote.
std::string KubeconfigValue(std::string_view contents, std::string_view key) {
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t end = contents.find('\n', pos);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '-')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') continue;
    std::string_view value = line.substr(key.size() + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return "";
}

// Whether an existing admin.kubeconfig still reaches `server_url` as an admin of this CA.
absl::StatusOr<bool> AdminKubeconfigIsCurrent(const LoadedCa& ca, const std::string& path,
                                              const std::string& server_url) {
  ASSIGN_OR_RETURN(std::string contents, internal::ReadPrivateFile(path));
  if (KubeconfigValue(contents, "server") != server_url) return false;
  std::string cert_pem;
  if (!absl::Base64Unescape(KubeconfigValue(contents, "client-certificate-data"), &cert_pem)) return false;
  auto cert = internal::ParseCertificatePem(cert_pem);
  if (!cert.ok() || !internal::IsSignedBy(cert->get(), ca.cert.get())) return false;
  auto info = internal::InspectCertificate(cert->get());
  return info.ok() && Covers(*info, ClientRequest(kAdminUser, kMastersGroup));
}

absl::Status EnsureAdminKubeconfig(const LoadedCa& ca, const std::string& path, const std::string& server_url) {
  if (internal::FileExists(path)) {
    ASSIGN_OR_RETURN(bool current, AdminKubeconfigIsCurrent(ca, path, server_url));
    if (current) return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(CertificateAndKey client, IssueCertificate(ca.pem, ClientRequest(kAdminUser, kMastersGroup)));
  return WritePrivateFile(path, RenderKubeconfig(ClientKubeconfig(server_url, ca, kAdminUser, std::move(client))));
}

void AddUnique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// The serving certificate's request: upstream's default names (localhost, the in-cluster
// kubernetes.default.svc names), loopback, the hostname and `extra_sans`.
absl::StatusOr<CertificateRequest> ServingRequest(const std::vector<std::string>& extra_sans) {
  CertificateRequest request;
  request.common_name = kServingCommonName;
  request.server = true;
  for (const char* dns : {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                          "kubernetes.default.svc.cluster.local"}) {
    AddUnique(request.dns_names, dns);
  }
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) == 0 && internal::IsDnsName(host)) {
    AddUnique(request.dns_names, ToLower(host));
  }
  AddUnique(request.ip_addresses, "127.0.0.1");
  AddUnique(request.ip_addresses, "::1");
  for (const std::string& san : extra_sans) {
    if (auto ip = internal::ParseIpAddress(san)) {
      // A wildcard bind address (0.0.0.0, ::) is no address a client can dial.
      if (*ip == std::string(ip->size(), '\0')) continue;
      AddUnique(request.ip_addresses, internal::FormatIpAddress(*ip));
    } else if (internal::IsDnsName(san)) {
      AddUnique(request.dns_names, ToLower(san));
    } else {
      return absl::InvalidArgumentError(
          StrCat("subject alternative name \"", san, "\" is neither an IP address nor a DNS name"));
    }
  }
  return request;
}

// A node name is a DNS subdomain (RFC 1123, lower case), as upstream validates Node names.
bool IsNodeName(std::string_view name) {
  if (!internal::IsDnsName(name) || name.front() == '*') return false;
  return std::none_of(name.begin(), name.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
}

}  // namespace

absl::StatusOr<ServerPki> EnsureServerPki(const ServerPkiOptions& options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("no data directory given");
  if (options.server_url.empty()) return absl::InvalidArgumentError("no server URL given for admin.kubeconfig");
  ASSIGN_OR_RETURN(CertificateRequest serving, ServingRequest(options.extra_sans));
  const ServerPki paths = PathsOf(options.data_dir);
  RETURN_IF_ERROR(internal::MakeDirectories(options.data_dir, 0700));
  RETURN_IF_ERROR(internal::MakeDirectories(StrCat(options.data_dir, "/pki"), 0700));

  auto ca = LoadCa(paths);
  if (absl::IsNotFound(ca.status())) ca = CreateCa(paths);
  if (!ca.ok()) return ca.status();

  RETURN_IF_ERROR(EnsureLeaf(*ca, paths.serving_certificate_file, paths.serving_key_file, serving));
  RETURN_IF_ERROR(EnsureLeaf(*ca, paths.kubelet_client_certificate_file, paths.kubelet_client_key_file,
                             ClientRequest(kKubeletClientCommonName, kMastersGroup)));
  RETURN_IF_ERROR(EnsureAdminKubeconfig(*ca, paths.admin_kubeconfig_file, options.server_url));
  return paths;
}

absl::Status WriteUserKubeconfig(const std::string& data_dir, const std::string& user, const std::string& group,
                                 const std::string& server_url, const std::string& out_file) {
  if (user.empty()) return absl::InvalidArgumentError("no user name given");
  if (server_url.empty()) return absl::InvalidArgumentError("no server URL given");
  if (out_file.empty()) return absl::InvalidArgumentError("no output file given");
  const ServerPki paths = PathsOf(data_dir);
  auto ca = LoadCa(paths);
  if (absl::IsNotFound(ca.status())) {
    return absl::FailedPreconditionError(StrCat(data_dir, " has no CA yet (no ", paths.ca_certificate_file,
                                                "): run cubelet-server --data-dir ", data_dir, " once first"));
  }
  if (!ca.ok()) return ca.status();
  CertificateRequest request = ClientRequest(user, group);
  if (group.empty()) request.organizations.clear();
  ASSIGN_OR_RETURN(CertificateAndKey client, IssueCertificate(ca->pem, request));
  return Annotate(WritePrivateFile(out_file, RenderKubeconfig(ClientKubeconfig(server_url, *ca, user, std::move(client)))),
                  StrCat("write kubeconfig ", out_file));
}

absl::Status WriteNodeKubeconfig(const std::string& data_dir, const std::string& node_name,
                                 const std::string& server_url, const std::string& out_file) {
  if (!IsNodeName(node_name)) {
    return absl::InvalidArgumentError(StrCat("node name \"", node_name,
                                             "\" is not a lower-case DNS subdomain (RFC 1123)"));
  }
  return WriteUserKubeconfig(data_dir, StrCat("system:node:", node_name), "system:nodes", server_url, out_file);
}

}  // namespace cubelet::pki
