#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "pki/internal/openssl.h"
#include "pki/pki.h"
#include "pki/pki_test_util.h"

namespace cubelet::pki {
namespace {

using ::cubelet::pki::testing::Cert;
using ::cubelet::pki::testing::VerifyError;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class CertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = CreateCertificateAuthority("cubelet-ca");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = *ca;
  }

  CertificateAndKey Issue(const CertificateRequest& request) {
    auto issued = IssueCertificate(ca_, request);
    EXPECT_TRUE(issued.ok()) << issued.status();
    return issued.ok() ? *issued : CertificateAndKey{};
  }

  CertificateAndKey ca_;
};

bool ExtensionIsCritical(X509* cert, int nid) {
  const int index = X509_get_ext_by_NID(cert, nid, -1);
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

bool HasExtension(X509* cert, int nid) { return X509_get_ext_by_NID(cert, nid, -1) >= 0; }

std::string CurveOf(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return "not EC";
  char name[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, "group", name, sizeof(name), &len) != 1) return "?";
  return name;
}

TEST_F(CertificatesTest, CaIsSelfSignedP256CaValidForTenYears) {
  internal::X509Ptr ca = Cert(ca_.certificate_pem);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_TRUE(ExtensionIsCritical(ca.get(), NID_basic_constraints));
  EXPECT_TRUE(ExtensionIsCritical(ca.get(), NID_key_usage));
  EXPECT_TRUE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN);
  EXPECT_TRUE(HasExtension(ca.get(), NID_subject_key_identifier));
  EXPECT_EQ(CurveOf(ca.get()), "prime256v1");
  EXPECT_TRUE(internal::IsSignedBy(ca.get(), ca.get()));
  auto info = internal::InspectCertificate(ca.get());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "cubelet-ca");
  EXPECT_LT(info->not_before, absl::Now());
  EXPECT_GT(info->not_after, absl::Now() + absl::Hours(24 * 3649));
  EXPECT_LT(info->not_after, absl::Now() + absl::Hours(24 * 3651));
  // The CA is its own trust anchor under strict checking.
  EXPECT_EQ(VerifyError(ca_.certificate_pem, ca_.certificate_pem, X509_PURPOSE_ANY), "");
  EXPECT_THAT(ca_.private_key_pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
}

TEST_F(CertificatesTest, ServingCertificateVerifiesForItsNamesOnly) {
  CertificateAndKey serving = Issue({.common_name = "kube-apiserver",
                                     .dns_names = {"localhost", "node-a.example"},
                                     .ip_addresses = {"127.0.0.1", "::1", "10.0.0.7"},
                                     .server = true});
  const int kServer = X509_PURPOSE_SSL_SERVER;
  EXPECT_EQ(VerifyError(ca_.certificate_pem, serving.certificate_pem, kServer, "localhost"), "");
  EXPECT_EQ(VerifyError(ca_.certificate_pem, serving.certificate_pem, kServer, "node-a.example"), "");
  EXPECT_EQ(VerifyError(ca_.certificate_pem, serving.certificate_pem, kServer, "", "127.0.0.1"), "");
  EXPECT_EQ(VerifyError(ca_.certificate_pem, serving.certificate_pem, kServer, "", "::1"), "");
  EXPECT_EQ(VerifyError(ca_.certificate_pem, serving.certificate_pem, kServer, "", "10.0.0.7"), "");
  EXPECT_NE(VerifyError(ca_.certificate_pem, serving.certificate_pem, kServer, "other.example"), "");
  EXPECT_NE(VerifyError(ca_.certificate_pem, serving.certificate_pem, kServer, "", "10.0.0.8"), "");
  // A serving certificate cannot be used as a client certificate.
  EXPECT_NE(VerifyError(ca_.certificate_pem, serving.certificate_pem, X509_PURPOSE_SSL_CLIENT), "");

  internal::X509Ptr cert = Cert(serving.certificate_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER);
  EXPECT_FALSE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  EXPECT_TRUE(ExtensionIsCritical(cert.get(), NID_basic_constraints));
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_TRUE(HasExtension(cert.get(), NID_authority_key_identifier));
  EXPECT_TRUE(HasExtension(cert.get(), NID_subject_key_identifier));
  EXPECT_EQ(CurveOf(cert.get()), "prime256v1");
  auto info = internal::InspectCertificate(cert.get());
  ASSERT_TRUE(info.ok());
  EXPECT_THAT(info->dns_names, UnorderedElementsAre("localhost", "node-a.example"));
  std::vector<std::string> ips;
  for (const std::string& ip : info->ip_addresses) ips.push_back(internal::FormatIpAddress(ip));
  EXPECT_THAT(ips, UnorderedElementsAre("127.0.0.1", "::1", "10.0.0.7"));
  // Backdated a little for clients whose clock is behind, valid for the requested year.
  EXPECT_LT(info->not_before, absl::Now() - absl::Minutes(1));
  EXPECT_GT(info->not_before, absl::Now() - absl::Hours(1));
  EXPECT_GT(info->not_after, absl::Now() + absl::Hours(24 * 364));
}

TEST_F(CertificatesTest, ClientCertificateCarriesUserAndGroups) {
  CertificateAndKey client = Issue({.common_name = "system:node:n1", .organizations = {"system:nodes", "extra"}});
  EXPECT_EQ(VerifyError(ca_.certificate_pem, client.certificate_pem, X509_PURPOSE_SSL_CLIENT), "");
  EXPECT_NE(VerifyError(ca_.certificate_pem, client.certificate_pem, X509_PURPOSE_SSL_SERVER), "");
  internal::X509Ptr cert = Cert(client.certificate_pem);
  ASSERT_NE(cert, nullptr);
  auto info = internal::InspectCertificate(cert.get());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "system:node:n1");
  EXPECT_THAT(info->organizations, ::testing::ElementsAre("system:nodes", "extra"));
  EXPECT_TRUE(info->dns_names.empty());
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT);
  // The key handed out is the certificate's.
  auto key = internal::ParsePrivateKeyPem(client.private_key_pem);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(internal::KeyMatchesCertificate(cert.get(), key->get()));
}

TEST_F(CertificatesTest, SerialsAreRandomPositive128BitNumbers) {
  std::set<std::string> serials;
  for (int i = 0; i < 8; ++i) {
    internal::X509Ptr cert = Cert(Issue({.common_name = "u"}).certificate_pem);
    ASSERT_NE(cert, nullptr);
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
    ASSERT_NE(bn, nullptr);
    EXPECT_FALSE(BN_is_negative(bn));
    EXPECT_LE(BN_num_bits(bn), 128);
    EXPECT_GT(BN_num_bits(bn), 64);  // fails with probability 2^-63 for a random serial
    char* hex = BN_bn2hex(bn);
    serials.insert(hex);
    OPENSSL_free(hex);
    BN_free(bn);
  }
  EXPECT_EQ(serials.size(), 8u);
}

TEST_F(CertificatesTest, CertificateOfAnotherCaDoesNotVerify) {
  auto other = CreateCertificateAuthority("cubelet-ca");
  ASSERT_TRUE(other.ok());
  CertificateAndKey client = Issue({.common_name = "admin", .organizations = {"system:masters"}});
  EXPECT_NE(VerifyError(other->certificate_pem, client.certificate_pem, X509_PURPOSE_SSL_CLIENT), "");
  internal::X509Ptr cert = Cert(client.certificate_pem);
  internal::X509Ptr other_ca = Cert(other->certificate_pem);
  EXPECT_FALSE(internal::IsSignedBy(cert.get(), other_ca.get()));
}

TEST_F(CertificatesTest, CertificateNeverOutlivesItsCa) {
  internal::X509Ptr cert = Cert(Issue({.common_name = "u", .validity = absl::Hours(24 * 365 * 30)}).certificate_pem);
  internal::X509Ptr ca = Cert(ca_.certificate_pem);
  auto info = internal::InspectCertificate(cert.get());
  auto ca_info = internal::InspectCertificate(ca.get());
  ASSERT_TRUE(info.ok() && ca_info.ok());
  EXPECT_LE(info->not_after, ca_info->not_after);
}

TEST_F(CertificatesTest, BadRequestsAreRefusedWithTheReason) {
  auto no_cn = IssueCertificate(ca_, {.common_name = ""});
  EXPECT_EQ(no_cn.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad_dns = IssueCertificate(ca_, {.common_name = "s", .dns_names = {"bad name"}, .server = true});
  EXPECT_THAT(bad_dns.status().message(), HasSubstr("\"bad name\" is not a DNS name"));
  auto bad_ip = IssueCertificate(ca_, {.common_name = "s", .ip_addresses = {"300.1.1.1"}, .server = true});
  EXPECT_THAT(bad_ip.status().message(), HasSubstr("\"300.1.1.1\" is not an IP address"));
  auto zero = IssueCertificate(ca_, {.common_name = "s", .validity = absl::ZeroDuration()});
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);

  auto other = CreateCertificateAuthority("other");
  ASSERT_TRUE(other.ok());
  CertificateAndKey mismatched{.certificate_pem = ca_.certificate_pem, .private_key_pem = other->private_key_pem};
  auto wrong_key = IssueCertificate(mismatched, {.common_name = "s"});
  EXPECT_THAT(wrong_key.status().message(), HasSubstr("CA key does not belong"));

  CertificateAndKey leaf_as_ca = Issue({.common_name = "leaf"});
  auto not_ca = IssueCertificate(leaf_as_ca, {.common_name = "s"});
  EXPECT_THAT(not_ca.status().message(), HasSubstr("not a certificate authority"));

  auto garbage = IssueCertificate({.certificate_pem = "garbage", .private_key_pem = "garbage"}, {.common_name = "s"});
  EXPECT_THAT(garbage.status().message(), HasSubstr("CA certificate: not a PEM certificate"));
}

TEST(SubjectAltNameSyntaxTest, TellsIpAddressesFromDnsNames) {
  EXPECT_TRUE(internal::ParseIpAddress("10.1.2.3").has_value());
  EXPECT_TRUE(internal::ParseIpAddress("fd00::1").has_value());
  EXPECT_FALSE(internal::ParseIpAddress("10.1.2").has_value());
  EXPECT_FALSE(internal::ParseIpAddress("example.com").has_value());
  EXPECT_EQ(internal::FormatIpAddress(*internal::ParseIpAddress("fd00:0::1")), "fd00::1");
  EXPECT_TRUE(internal::IsDnsName("api.example.com"));
  EXPECT_TRUE(internal::IsDnsName("*.example.com"));
  EXPECT_TRUE(internal::IsDnsName("node-1"));
  EXPECT_FALSE(internal::IsDnsName(""));
  EXPECT_FALSE(internal::IsDnsName("-a"));
  EXPECT_FALSE(internal::IsDnsName("a-"));
  EXPECT_FALSE(internal::IsDnsName("a..b"));
  EXPECT_FALSE(internal::IsDnsName("a b"));
  EXPECT_FALSE(internal::IsDnsName("a,b"));
  EXPECT_FALSE(internal::IsDnsName(std::string(64, 'a')));
}

}  // namespace
}  // namespace cubelet::pki
