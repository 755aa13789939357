#include "common/logger.h"

#include <unistd.h>

#include <regex>

#include <gtest/gtest.h>

namespace cubelet {
namespace {

class LoggerTest : public ::testing::Test {
 protected:
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 25, 10, 11, 12), absl::LocalTimeZone()) +
                   absl::Microseconds(345678)};
  std::shared_ptr<CapturingLogSink> sink_ = std::make_shared<CapturingLogSink>();
};

TEST_F(LoggerTest, WritesKlogTextFormat) {
  Logger logger(sink_, 0, &clock_);
  logger.Info("Starting cubelet", {{"version", "0.1.0"}, {"pods", 3}, {"ready", true}});
  ASSERT_EQ(sink_->Lines().size(), 1u);
  const std::string line = sink_->Lines()[0];
  const std::string expected_prefix = "I1125 10:11:12.345678 " + std::to_string(::getpid()) + " logger_test.cc:";
  EXPECT_EQ(line.substr(0, expected_prefix.size()), expected_prefix) << line;
  EXPECT_TRUE(std::regex_search(line, std::regex(R"(logger_test\.cc:\d+\] "Starting cubelet" version="0\.1\.0" pods=3 ready=true\n$)")))
      << line;
}

TEST_F(LoggerTest, SeverityLettersAndQuoting) {
  Logger logger(sink_, 0, &clock_);
  logger.Warning("w", {{"path", "/a \"b\"\n"}});
  logger.Error("e", {{"err", absl::NotFoundError("gone")}, {"after", absl::Seconds(90)}});
  auto lines = sink_->Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0][0], 'W');
  EXPECT_NE(lines[0].find(R"(path="/a \"b\"\n")"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1][0], 'E');
  EXPECT_NE(lines[1].find(R"(err="NOT_FOUND: gone")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(R"(after="1m30s")"), std::string::npos) << lines[1];
}

TEST_F(LoggerTest, VerbosityGatesVInfo) {
  Logger quiet(sink_, 1, &clock_);
  quiet.VInfo(2, "hidden");
  quiet.VInfo(1, "shown");
  EXPECT_EQ(sink_->Count("hidden"), 0);
  EXPECT_EQ(sink_->Count("shown"), 1);
  EXPECT_TRUE(quiet.V(1));
  EXPECT_FALSE(quiet.V(2));
}

}  // namespace
}  // namespace cubelet
