#include <sys/stat.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/internal/openssl.h"
#include "pki/pki.h"
#include "pki/pki_test_util.h"

namespace cubelet::pki {
namespace {

using ::cubelet::pki::testing::Cert;
using ::cubelet::pki::testing::Hostname;
using ::cubelet::pki::testing::ModeOf;
using ::cubelet::pki::testing::ParseKubeconfig;
using ::cubelet::pki::testing::ReadAll;
using ::cubelet::pki::testing::TempDir;
using ::cubelet::pki::testing::VerifyError;
using ::cubelet::pki::testing::WriteAll;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kServer[] = "https://127.0.0.1:6443";

class ServerPkiTest : public ::testing::Test {
 protected:
  ServerPki Ensure(std::vector<std::string> extra_sans = {}, const std::string& server = kServer) {
    auto pki = EnsureServerPki({.data_dir = dir_.path(), .server_url = server, .extra_sans = std::move(extra_sans)});
    EXPECT_TRUE(pki.ok()) << pki.status();
    return pki.ok() ? *pki : ServerPki{};
  }

  absl::Status EnsureStatus(std::vector<std::string> extra_sans = {}) {
    return EnsureServerPki({.data_dir = dir_.path(), .server_url = kServer, .extra_sans = std::move(extra_sans)})
        .status();
  }

  internal::CertificateInfo Info(const std::string& file) {
    internal::X509Ptr cert = Cert(ReadAll(file));
    auto info = internal::InspectCertificate(cert.get());
    EXPECT_TRUE(info.ok());
    return info.ok() ? *info : internal::CertificateInfo{};
  }

  std::vector<std::string> IpSans(const std::string& file) {
    std::vector<std::string> out;
    for (const std::string& ip : Info(file).ip_addresses) out.push_back(internal::FormatIpAddress(ip));
    return out;
  }

  TempDir dir_;
};

TEST_F(ServerPkiTest, FirstStartCreatesPkiWithPrivateKeys) {
  ServerPki pki = Ensure({"10.0.0.5", "api.example.com", "0.0.0.0"});
  const std::string d = dir_.path();
  EXPECT_EQ(pki.ca_certificate_file, d + "/pki/ca.crt");
  EXPECT_EQ(pki.ca_key_file, d + "/pki/ca.key");
  EXPECT_EQ(pki.serving_certificate_file, d + "/pki/apiserver.crt");
  EXPECT_EQ(pki.serving_key_file, d + "/pki/apiserver.key");
  EXPECT_EQ(pki.kubelet_client_certificate_file, d + "/pki/apiserver-kubelet-client.crt");
  EXPECT_EQ(pki.kubelet_client_key_file, d + "/pki/apiserver-kubelet-client.key");
  EXPECT_EQ(pki.admin_kubeconfig_file, d + "/admin.kubeconfig");
  for (const std::string& key : {pki.ca_key_file, pki.serving_key_file, pki.kubelet_client_key_file,
                                 pki.admin_kubeconfig_file}) {
    EXPECT_EQ(ModeOf(key), 0600u) << key;
  }
  EXPECT_EQ(ModeOf(d + "/pki"), 0700u);
  // No temp files left behind by the atomic writes.
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(d + "/pki")) {
    EXPECT_THAT(entry.path().string(), Not(HasSubstr(".tmp"))) << entry.path();
    ++entries;
  }
  EXPECT_EQ(entries, 6);

  const std::string ca = ReadAll(pki.ca_certificate_file);
  EXPECT_EQ(Info(pki.ca_certificate_file).common_name, "cubelet-ca");
  const std::string serving = ReadAll(pki.serving_certificate_file);
  for (const std::string& host : {std::string("localhost"), Hostname(), std::string("api.example.com"),
                                  std::string("kubernetes.default.svc")}) {
    EXPECT_EQ(VerifyError(ca, serving, X509_PURPOSE_SSL_SERVER, host), "") << host;
  }
  for (const char* ip : {"127.0.0.1", "10.0.0.5"}) {
    EXPECT_EQ(VerifyError(ca, serving, X509_PURPOSE_SSL_SERVER, "", ip), "") << ip;
  }
  // The IP went in as an IP SAN, not a DNS one; the wildcard bind address not at all.
  EXPECT_THAT(Info(pki.serving_certificate_file).dns_names, Not(Contains("10.0.0.5")));
  EXPECT_THAT(IpSans(pki.serving_certificate_file), Not(Contains("0.0.0.0")));

  internal::CertificateInfo kubelet_client = Info(pki.kubelet_client_certificate_file);
  EXPECT_EQ(kubelet_client.common_name, "kube-apiserver-kubelet-client");
  EXPECT_THAT(kubelet_client.organizations, ::testing::ElementsAre("system:masters"));
  EXPECT_EQ(VerifyError(ca, ReadAll(pki.kubelet_client_certificate_file), X509_PURPOSE_SSL_CLIENT), "");

  testing::ParsedKubeconfig admin = ParseKubeconfig(ReadAll(pki.admin_kubeconfig_file));
  EXPECT_EQ(admin.server, kServer);
  EXPECT_EQ(admin.ca_pem, ca);
  EXPECT_EQ(admin.user, "admin");
  EXPECT_EQ(VerifyError(ca, admin.cert_pem, X509_PURPOSE_SSL_CLIENT), "");
  internal::X509Ptr admin_cert = Cert(admin.cert_pem);
  auto admin_info = internal::InspectCertificate(admin_cert.get());
  ASSERT_TRUE(admin_info.ok());
  EXPECT_EQ(admin_info->common_name, "admin");
  EXPECT_THAT(admin_info->organizations, ::testing::ElementsAre("system:masters"));
  auto admin_key = internal::ParsePrivateKeyPem(admin.key_pem);
  ASSERT_TRUE(admin_key.ok());
  EXPECT_TRUE(internal::KeyMatchesCertificate(admin_cert.get(), admin_key->get()));
}

TEST_F(ServerPkiTest, LaterStartsReuseEverything) {
  ServerPki pki = Ensure({"10.0.0.5"});
  std::vector<std::string> files = {pki.ca_certificate_file, pki.ca_key_file, pki.serving_certificate_file,
                                    pki.serving_key_file, pki.kubelet_client_certificate_file,
                                    pki.kubelet_client_key_file, pki.admin_kubeconfig_file};
  std::vector<std::string> before;
  for (const std::string& f : files) before.push_back(ReadAll(f));
  Ensure({"10.0.0.5"});
  Ensure({});  // a SAN no longer wanted is no reason to re-issue
  for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(ReadAll(files[i]), before[i]) << files[i];
}

TEST_F(ServerPkiTest, AddedSanReissuesServingCertificateFromTheSameCa) {
  ServerPki pki = Ensure({});
  const std::string ca = ReadAll(pki.ca_certificate_file);
  const std::string ca_key = ReadAll(pki.ca_key_file);
  const std::string serving = ReadAll(pki.serving_certificate_file);
  const std::string admin = ReadAll(pki.admin_kubeconfig_file);
  Ensure({"192.168.7.9", "new.example.com"});
  EXPECT_EQ(ReadAll(pki.ca_certificate_file), ca);
  EXPECT_EQ(ReadAll(pki.ca_key_file), ca_key);
  EXPECT_EQ(ReadAll(pki.admin_kubeconfig_file), admin);
  const std::string reissued = ReadAll(pki.serving_certificate_file);
  EXPECT_NE(reissued, serving);
  EXPECT_EQ(VerifyError(ca, reissued, X509_PURPOSE_SSL_SERVER, "new.example.com"), "");
  EXPECT_EQ(VerifyError(ca, reissued, X509_PURPOSE_SSL_SERVER, "", "192.168.7.9"), "");
  EXPECT_EQ(VerifyError(ca, reissued, X509_PURPOSE_SSL_SERVER, "localhost"), "");
  // The new key goes with the new certificate.
  auto key = internal::ParsePrivateKeyPem(ReadAll(pki.serving_key_file));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(internal::KeyMatchesCertificate(Cert(reissued).get(), key->get()));
  EXPECT_EQ(ModeOf(pki.serving_key_file), 0600u);
}

TEST_F(ServerPkiTest, ServingCertificateExpiringWithinThirtyDaysIsReissued) {
  ServerPki pki = Ensure({});
  CertificateAndKey ca{ReadAll(pki.ca_certificate_file), ReadAll(pki.ca_key_file)};
  auto short_lived = IssueCertificate(ca, {.common_name = "kube-apiserver",
                                           .dns_names = {"localhost", Hostname(), "kubernetes", "kubernetes.default",
                                                         "kubernetes.default.svc",
                                                         "kubernetes.default.svc.cluster.local"},
                                           .ip_addresses = {"127.0.0.1", "::1"},
                                           .server = true,
                                           .validity = absl::Hours(24 * 29)});
  ASSERT_TRUE(short_lived.ok());
  ASSERT_TRUE(WritePrivateFile(pki.serving_key_file, short_lived->private_key_pem).ok());
  WriteAll(pki.serving_certificate_file, short_lived->certificate_pem);
  Ensure({});
  EXPECT_NE(ReadAll(pki.serving_certificate_file), short_lived->certificate_pem);
  EXPECT_GT(Info(pki.serving_certificate_file).not_after, absl::Now() + absl::Hours(24 * 300));

  // The control: the same certificate with 60 days left is kept.
  auto longer = IssueCertificate(ca, {.common_name = "kube-apiserver",
                                      .dns_names = Info(pki.serving_certificate_file).dns_names,
                                      .ip_addresses = IpSans(pki.serving_certificate_file),
                                      .server = true,
                                      .validity = absl::Hours(24 * 60)});
  ASSERT_TRUE(longer.ok());
  ASSERT_TRUE(WritePrivateFile(pki.serving_key_file, longer->private_key_pem).ok());
  WriteAll(pki.serving_certificate_file, longer->certificate_pem);
  Ensure({});
  EXPECT_EQ(ReadAll(pki.serving_certificate_file), longer->certificate_pem);
}

TEST_F(ServerPkiTest, ServingCertificateOfAnotherCaIsReissued) {
  ServerPki pki = Ensure({});
  auto other_ca = CreateCertificateAuthority("cubelet-ca");
  ASSERT_TRUE(other_ca.ok());
  auto foreign = IssueCertificate(*other_ca, {.common_name = "kube-apiserver", .dns_names = {"localhost"},
                                              .ip_addresses = {"127.0.0.1"}, .server = true});
  ASSERT_TRUE(foreign.ok());
  ASSERT_TRUE(WritePrivateFile(pki.serving_key_file, foreign->private_key_pem).ok());
  WriteAll(pki.serving_certificate_file, foreign->certificate_pem);
  Ensure({});
  EXPECT_EQ(VerifyError(ReadAll(pki.ca_certificate_file), ReadAll(pki.serving_certificate_file),
                        X509_PURPOSE_SSL_SERVER, "localhost"),
            "");
}

TEST_F(ServerPkiTest, GroupReadableKeyIsAnErrorNamingTheFile) {
  ServerPki pki = Ensure({});
  for (const std::string& file : {pki.ca_key_file, pki.serving_key_file, pki.admin_kubeconfig_file}) {
    ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
    absl::Status status = EnsureStatus();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << file;
    EXPECT_THAT(status.message(), HasSubstr(file));
    EXPECT_THAT(status.message(), HasSubstr("0640"));
    // Refused, not silently fixed.
    EXPECT_EQ(ModeOf(file), 0640u);
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  }
  ASSERT_EQ(::chmod(pki.ca_key_file.c_str(), 0604), 0);
  EXPECT_THAT(EnsureStatus().message(), HasSubstr(pki.ca_key_file));
  ASSERT_EQ(::chmod(pki.ca_key_file.c_str(), 0600), 0);
  EXPECT_TRUE(EnsureStatus().ok());
}

TEST_F(ServerPkiTest, CorruptPemIsAnErrorNamingTheFile) {
  ServerPki pki = Ensure({});
  const std::string ca = ReadAll(pki.ca_certificate_file);
  WriteAll(pki.ca_certificate_file, ca.substr(0, ca.size() / 2));
  absl::Status status = EnsureStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr(pki.ca_certificate_file + ": not a PEM certificate"));
  WriteAll(pki.ca_certificate_file, ca);

  const std::string key = ReadAll(pki.serving_key_file);
  ASSERT_TRUE(WritePrivateFile(pki.serving_key_file, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
  status = EnsureStatus();
  EXPECT_THAT(status.message(), HasSubstr(pki.serving_key_file + ": not a PEM private key"));
  EXPECT_THAT(status.message(), Not(HasSubstr(key)));
  ASSERT_TRUE(WritePrivateFile(pki.serving_key_file, key).ok());
  EXPECT_TRUE(EnsureStatus().ok());
}

TEST_F(ServerPkiTest, HalfACaIsAnErrorNotANewCa) {
  ServerPki pki = Ensure({});
  ASSERT_EQ(::unlink(pki.ca_key_file.c_str()), 0);
  absl::Status status = EnsureStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr(pki.ca_key_file + ": missing while " + pki.ca_certificate_file));
  EXPECT_FALSE(std::filesystem::exists(pki.ca_key_file));
}

TEST_F(ServerPkiTest, CaKeyOfAnotherCertificateIsAnError) {
  ServerPki pki = Ensure({});
  auto other = CreateCertificateAuthority("cubelet-ca");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(WritePrivateFile(pki.ca_key_file, other->private_key_pem).ok());
  EXPECT_THAT(EnsureStatus().message(), HasSubstr(pki.ca_key_file + ": not the key of " + pki.ca_certificate_file));
}

TEST_F(ServerPkiTest, SanThatIsNeitherIpNorDnsNameIsRefused) {
  absl::Status status = EnsureStatus({"bad name!"});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("\"bad name!\" is neither an IP address nor a DNS name"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "pki"));
}

TEST_F(ServerPkiTest, AdminKubeconfigFollowsTheServerUrl) {
  ServerPki pki = Ensure({}, "https://127.0.0.1:6443");
  Ensure({}, "https://127.0.0.1:7443");
  testing::ParsedKubeconfig admin = ParseKubeconfig(ReadAll(pki.admin_kubeconfig_file));
  EXPECT_EQ(admin.server, "https://127.0.0.1:7443");
  EXPECT_EQ(ModeOf(pki.admin_kubeconfig_file), 0600u);
}

TEST_F(ServerPkiTest, NodeKubeconfigIsSignedByTheDataDirsCa) {
  ServerPki pki = Ensure({});
  const std::string out = dir_ / "n1.kubeconfig";
  ASSERT_TRUE(WriteNodeKubeconfig(dir_.path(), "n1", "https://10.0.0.1:6443", out).ok());
  EXPECT_EQ(ModeOf(out), 0600u);
  testing::ParsedKubeconfig node = ParseKubeconfig(ReadAll(out));
  EXPECT_EQ(node.server, "https://10.0.0.1:6443");
  EXPECT_EQ(node.user, "system:node:n1");
  EXPECT_EQ(node.ca_pem, ReadAll(pki.ca_certificate_file));
  EXPECT_EQ(VerifyError(node.ca_pem, node.cert_pem, X509_PURPOSE_SSL_CLIENT), "");
  internal::X509Ptr cert = Cert(node.cert_pem);
  auto info = internal::InspectCertificate(cert.get());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "system:node:n1");
  EXPECT_THAT(info->organizations, ::testing::ElementsAre("system:nodes"));
  auto key = internal::ParsePrivateKeyPem(node.key_pem);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(internal::KeyMatchesCertificate(cert.get(), key->get()));
}

TEST_F(ServerPkiTest, NodeKubeconfigWithoutCaSaysToStartTheServerFirst) {
  const std::string out = dir_ / "n1.kubeconfig";
  absl::Status status = WriteNodeKubeconfig(dir_.path(), "n1", kServer, out);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr(dir_.path() + " has no CA yet"));
  EXPECT_THAT(status.message(), HasSubstr("run cubelet-server --data-dir " + dir_.path() + " once first"));
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(ServerPkiTest, NodeKubeconfigRefusesAnInvalidNodeName) {
  Ensure({});
  for (const char* bad : {"", "N1", "n 1", "a/b", "*.x"}) {
    absl::Status status = WriteNodeKubeconfig(dir_.path(), bad, kServer, dir_ / "x.kubeconfig");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(WritePrivateFileTest, ReplacesAtomicallyWithMode0600WhateverTheUmask) {
  TempDir dir;
  const std::string path = dir / "secret";
  const mode_t old_umask = ::umask(0);
  ASSERT_TRUE(WritePrivateFile(path, "one").ok());
  ::umask(old_umask);
  EXPECT_EQ(ModeOf(path), 0600u);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(WritePrivateFile(path, "two").ok());
  EXPECT_EQ(ReadAll(path), "two");
  EXPECT_EQ(ModeOf(path), 0600u);
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1);
  absl::Status status = WritePrivateFile(dir / "missing/secret", "x");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(dir / "missing/secret"));
}

}  // namespace
}  // namespace cubelet::pki
