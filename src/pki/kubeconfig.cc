// A kubeconfig in the layout `kubectl config view --raw` prints, every free-form value double-quoted
// so that names such as "system:node:n1" and URLs stay strings whatever they contain.
#include <cstdio>

#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "pki/pki.h"

namespace cubelet::pki {
namespace {

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string Base64(const std::string& data) { return absl::Base64Escape(data); }

}  // namespace

std::string RenderKubeconfig(const KubeconfigOptions& options) {
  const std::string context = StrCat(options.user_name, "@", options.cluster_name);
  return StrCat(
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- cluster:\n"
      "    certificate-authority-data: ", Base64(options.ca_certificate_pem), "\n"
      "    server: ", Quoted(options.server_url), "\n"
      "  name: ", Quoted(options.cluster_name), "\n"
      "contexts:\n"
      "- context:\n"
      "    cluster: ", Quoted(options.cluster_name), "\n"
      "    user: ", Quoted(options.user_name), "\n"
      "  name: ", Quoted(context), "\n"
      "current-context: ", Quoted(context), "\n"
      "preferences: {}\n"
      "users:\n"
      "- name: ", Quoted(options.user_name), "\n"
      "  user:\n"
      "    client-certificate-data: ", Base64(options.client.certificate_pem), "\n"
      "    client-key-data: ", Base64(options.client.private_key_pem), "\n");
}

}  // namespace cubelet::pki
