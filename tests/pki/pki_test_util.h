// Owns: helpers shared by pki/'s tests: file reading and modes, and
// OpenSSL checks of a certificate against its CA the way a TLS peer checks it.
// Does not own: anything the tests assert.
#pragma once

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "pki/internal/openssl.h"
#include "pki/pki.h"
#include "testutil/temp_dir.h"
#include "yaml-cpp/yaml.h"

namespace cubelet::pki::testing {

using ::cubelet::testing::TempDir;

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

inline mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return static_cast<mode_t>(-1);
  return st.st_mode & 07777;
}

inline internal::X509Ptr Cert(const std::string& pem) {
  auto cert = internal::ParseCertificatePem(pem);
  EXPECT_TRUE(cert.ok()) << cert.status();
  return cert.ok() ? std::move(*cert) : nullptr;
}

// X509_verify_cert of `leaf_pem` against the single trusted `ca_pem` with OpenSSL's strict RFC
// 5280 checks (what Python 3.13 turns on by default) for `purpose` (X509_PURPOSE_SSL_SERVER or
// _CLIENT). Returns "" when it verifies, else OpenSSL's reason.
inline std::string VerifyError(const std::string& ca_pem, const std::string& leaf_pem, int purpose,
                               const std::string& host = "", const std::string& ip = "") {
  internal::X509Ptr ca = Cert(ca_pem);
  internal::X509Ptr leaf = Cert(leaf_pem);
  if (ca == nullptr || leaf == nullptr) return "unparseable";
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  if (!host.empty()) X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  if (!ip.empty()) X509_VERIFY_PARAM_set1_ip_asc(param, ip.c_str());
  std::string error;
  if (X509_verify_cert(ctx) != 1) error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return error;
}

struct ParsedKubeconfig {
  std::string server;
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  std::string user;
  std::string current_context;
};

// Reads a kubeconfig back with a real YAML parser, as kubectl would.
inline ParsedKubeconfig ParseKubeconfig(const std::string& yaml) {
  ParsedKubeconfig out;
  YAML::Node root = YAML::Load(yaml);
  EXPECT_EQ(root["apiVersion"].as<std::string>(), "v1");
  EXPECT_EQ(root["kind"].as<std::string>(), "Config");
  out.server = root["clusters"][0]["cluster"]["server"].as<std::string>();
  EXPECT_TRUE(absl::Base64Unescape(root["clusters"][0]["cluster"]["certificate-authority-data"].as<std::string>(),
                                   &out.ca_pem));
  out.user = root["users"][0]["name"].as<std::string>();
  EXPECT_TRUE(absl::Base64Unescape(root["users"][0]["user"]["client-certificate-data"].as<std::string>(),
                                   &out.cert_pem));
  EXPECT_TRUE(absl::Base64Unescape(root["users"][0]["user"]["client-key-data"].as<std::string>(), &out.key_pem));
  out.current_context = root["current-context"].as<std::string>();
  EXPECT_EQ(root["contexts"][0]["name"].as<std::string>(), out.current_context);
  EXPECT_EQ(root["contexts"][0]["context"]["user"].as<std::string>(), out.user);
  EXPECT_EQ(root["contexts"][0]["context"]["cluster"].as<std::string>(),
            root["clusters"][0]["name"].as<std::string>());
  return out;
}

inline std::string Hostname() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  std::string s = host;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace cubelet::pki::testing
