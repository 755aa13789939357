cubelet_test(pki_test pki/certificates_test.cc pki/server_pki_test.cc
  LIBS cubelet_pki OpenSSL::Crypto yaml-cpp absl::strings)
# Real TLS clients (openssl s_server, Python ssl, python3-kubernetes, kubectl) against the
# certificates; each case skips, naming the tool, when that tool is missing.
cubelet_test(pki_interop_test pki/interop_test.cc
  LIBS cubelet_pki OpenSSL::Crypto yaml-cpp absl::strings)
