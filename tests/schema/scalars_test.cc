#include "schema/scalars.h"

#include <string>
#include <variant>

#include "gtest/gtest.h"

namespace cubelet::schema {
namespace {

std::string Time(std::string_view text, bool micro = false) {
  auto result = NormalizeTime(text, micro);
  if (auto* error = std::get_if<TimeError>(&result)) return "error: " + error->message;
  return std::get<std::string>(result);
}

TEST(Base64Test, AcceptsPaddedStandardBase64AndNewlines) {
  EXPECT_EQ(CheckBase64(""), std::nullopt);
  EXPECT_EQ(CheckBase64("aGVsbG8="), std::nullopt);
  EXPECT_EQ(CheckBase64("aGVsbA=="), std::nullopt);
  EXPECT_EQ(CheckBase64("aGVs"), std::nullopt);
  EXPECT_EQ(CheckBase64("aGVs\nbG8=\r\n"), std::nullopt);
  EXPECT_EQ(CheckBase64("ab+/"), std::nullopt);
}

TEST(Base64Test, ReportsTheOffsetGoReports) {
  EXPECT_EQ(CheckBase64("aGVsbG8"), "illegal base64 data at input byte 4");   // unpadded tail
  EXPECT_EQ(CheckBase64("aGV*bG8="), "illegal base64 data at input byte 3");  // bad symbol
  EXPECT_EQ(CheckBase64("a"), "illegal base64 data at input byte 0");
  EXPECT_EQ(CheckBase64("aGVsbA="), "illegal base64 data at input byte 7");   // "=" missing its pair
  EXPECT_EQ(CheckBase64("aGVsbA=x"), "illegal base64 data at input byte 6");
  EXPECT_EQ(CheckBase64("aGVsbG8=aGVs"), "illegal base64 data at input byte 8");  // data after padding
  EXPECT_EQ(CheckBase64("a==="), "illegal base64 data at input byte 1");
  EXPECT_EQ(CheckBase64("ab-_"), "illegal base64 data at input byte 2");  // URL alphabet
}

TEST(TimeTest, NormalisesToUtcSeconds) {
  EXPECT_EQ(Time("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05Z");
  EXPECT_EQ(Time("2024-01-02T03:04:05+02:00"), "2024-01-02T01:04:05Z");
  EXPECT_EQ(Time("2024-01-01T00:30:00+01:00"), "2023-12-31T23:30:00Z");
  EXPECT_EQ(Time("2024-02-29T23:00:00-01:30"), "2024-03-01T00:30:00Z");
  EXPECT_EQ(Time("2024-01-02T03:04:05.999999999Z"), "2024-01-02T03:04:05Z");
  EXPECT_EQ(Time("2024-01-02T3:04:05Z"), "2024-01-02T03:04:05Z");  // Go accepts a one-digit hour
}

TEST(TimeTest, ReportsGoParseErrors) {
  EXPECT_EQ(Time("bad"), "error: parsing time \"bad\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"bad\" as \"2006\"");
  EXPECT_EQ(Time(""), "error: parsing time \"\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"2006\"");
  EXPECT_EQ(Time("2024-01-02"),
            "error: parsing time \"2024-01-02\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\"");
  EXPECT_EQ(Time("2024-01-02 03:04:05Z"),
            "error: parsing time \"2024-01-02 03:04:05Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \" 03:04:05Z\" as \"T\"");
  EXPECT_EQ(Time("2024-1-02T03:04:05Z"),
            "error: parsing time \"2024-1-02T03:04:05Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"1-02T03:04:05Z\" as \"01\"");
  EXPECT_EQ(Time("2024-13-02T03:04:05Z"), "error: parsing time \"2024-13-02T03:04:05Z\": month out of range");
  EXPECT_EQ(Time("2023-02-29T03:04:05Z"), "error: parsing time \"2023-02-29T03:04:05Z\": day out of range");
  EXPECT_EQ(Time("2024-01-02T24:04:05Z"), "error: parsing time \"2024-01-02T24:04:05Z\": hour out of range");
  EXPECT_EQ(Time("2024-01-02T03:04:05"),
            "error: parsing time \"2024-01-02T03:04:05\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"Z07:00\"");
  EXPECT_EQ(Time("2024-01-02T03:04:05Zjunk"), "error: parsing time \"2024-01-02T03:04:05Zjunk\": extra text: \"junk\"");
  EXPECT_EQ(Time("2024-01-02T03:04:05+25:00"),
            "error: parsing time \"2024-01-02T03:04:05+25:00\": time zone offset hour out of range");
  EXPECT_EQ(Time("2024-01-02T03:04:05z"),
            "error: parsing time \"2024-01-02T03:04:05z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"z\" as \"Z07:00\"");
}

TEST(TimeTest, MicroTimeNeedsSixFractionalDigits) {
  EXPECT_EQ(Time("2024-01-02T03:04:05.123456Z", true), "2024-01-02T03:04:05.123456Z");
  EXPECT_EQ(Time("2024-01-02T03:04:05.123456+01:00", true), "2024-01-02T02:04:05.123456Z");
  EXPECT_EQ(Time("2024-01-02T03:04:05,123456Z", true), "2024-01-02T03:04:05.123456Z");
  EXPECT_EQ(Time("2024-01-02T03:04:05Z", true),
            "error: parsing time \"2024-01-02T03:04:05Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as \".000000\"");
  EXPECT_EQ(Time("2024-01-02T03:04:05.123Z", true),
            "error: parsing time \"2024-01-02T03:04:05.123Z\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \".123Z\" as \".000000\"");
}

TEST(QuantityTest, AcceptsWhatParseQuantityAccepts) {
  for (const char* q : {"1", "100m", "1.5", "128Mi", "1Gi", "1e3", "1E-3", "2E", "0", "+1", "-1", ".5", "5.", " 1 ",
                        "1.5Ki", "0.001", "-", "+", "000", "."}) {
    EXPECT_EQ(CheckQuantity(q), std::nullopt) << q;
  }
}

TEST(QuantityTest, ReportsParseQuantityErrors) {
  const std::string format_wrong =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  EXPECT_EQ(CheckQuantity(""), format_wrong);
  EXPECT_EQ(CheckQuantity("abc"), format_wrong);
  EXPECT_EQ(CheckQuantity("1.5.5"), format_wrong);
  EXPECT_EQ(CheckQuantity("1 Gi"), format_wrong);
  EXPECT_EQ(CheckQuantity("true"), format_wrong);
  EXPECT_EQ(CheckQuantity("1K"), "unable to parse quantity's suffix");
  EXPECT_EQ(CheckQuantity("1Mb"), format_wrong);
  EXPECT_EQ(CheckQuantity("1MM"), "unable to parse quantity's suffix");
  EXPECT_EQ(CheckQuantity("1e"), "unable to parse quantity's suffix");
}

}  // namespace
}  // namespace cubelet::schema
