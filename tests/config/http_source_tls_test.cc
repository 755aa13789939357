// The http source over https: the server is verified against the CAs OpenSSL trusts by default
// (the system's, or SSL_CERT_FILE), as Go's default client verifies upstream's manifest URL.
#include <stdlib.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

// PkgConfig::HTTPLIB defines it; said again so that httplib::SSLServer is declared either way.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>

#include "common/strings.h"
#include "config/http_source.h"
#include "config/manifest_server.h"
#include "httpserver/test_pki.h"

namespace cubelet::config {
namespace {

using ::testing::HasSubstr;

constexpr char kWeb[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
                        "  - {name: c, image: 'localhost/cubelet/testimage:1.0'}\n";

// Sets an environment variable for the scope (tests of this binary run on one thread).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(HttpSourceTlsTest, HttpsReadsOnlyFromAServerItTrusts) {
  auto pki = httpserver::testing::MakeTestPki();
  ASSERT_TRUE(pki.ok()) << pki.status();
  httplib::SSLServer server((*pki)->server_cert_file.c_str(), (*pki)->server_key_file.c_str());
  ASSERT_TRUE(server.is_valid());
  server.Get("/pods", [](const httplib::Request&, httplib::Response& res) { res.set_content(kWeb, "application/yaml"); });
  LoopbackListener listener(server);
  const int port = listener.port();

  FakeClock clock;
  Logger log(std::make_shared<CapturingLogSink>(), 0, &clock);
  TimerQueue timers(&clock, log);
  std::vector<PodUpdate> updates;
  auto source = HttpSource::Create({.url = StrCat("https://127.0.0.1:", port, "/pods"), .node_name = "n"}, log, &timers,
                                   [&](PodUpdate u) { updates.push_back(std::move(u)); });
  ASSERT_TRUE(source.ok()) << source.status();

  // A server certificate from a CA nobody installed: refused, nothing delivered.
  absl::Status untrusted = (*source)->Poll();
  EXPECT_THAT(std::string(untrusted.message()), HasSubstr("the server's certificate is not trusted"));
  EXPECT_TRUE(updates.empty());

  {
    // The CA trusted as an operator would make it (OpenSSL's default CA file).
    ScopedEnv trust("SSL_CERT_FILE", (*pki)->ca_file);
    absl::Status trusted = (*source)->Poll();
    EXPECT_TRUE(trusted.ok()) << trusted;
  }
  ASSERT_EQ(updates.size(), 1u);
  ASSERT_EQ(updates[0].pods.size(), 1u);
  EXPECT_EQ(updates[0].pods[0]->metadata.name, "web-n");

  listener.Stop();
}

}  // namespace
}  // namespace cubelet::config
