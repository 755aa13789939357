// Owns: a throwaway PKI for the HTTPS server's tests, made with OpenSSL's C API in a temporary
// directory: a CA, a serving certificate for 127.0.0.1, a client certificate it signed, and a
// client certificate signed by a CA the server does not trust.
// Does not own: the product's PKI (src/pki), which the tests deliberately do not depend on.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cubelet::httpserver::testing {

struct TestPki {
  std::string dir;  // removed by the destructor
  std::string ca_file;
  std::string server_cert_file;
  std::string server_key_file;
  // Signed by the CA: CN=system:node:node-1, O=system:nodes, O=team-a.
  std::string client_cert_file;
  std::string client_key_file;
  // Signed by another CA: CN=mallory, O=system:masters.
  std::string untrusted_client_cert_file;
  std::string untrusted_client_key_file;

  TestPki() = default;
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;
  ~TestPki();
};

// Creates the files under a new directory in $TMPDIR (or /tmp).
absl::StatusOr<std::unique_ptr<TestPki>> MakeTestPki();

}  // namespace cubelet::httpserver::testing
