#include "common/host_path.h"

#include <string>

#include "gtest/gtest.h"

namespace cubelet {
namespace {

TEST(HostPathTest, JoinsPlainComponentsUnderTheRoot) {
  auto p = HostPathUnder("/var/lib/cubelet", {{"kind", "pods"}, {"metadata.uid", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p, "/var/lib/cubelet/pods/1b4e28ba-2fa1-11d2-883f-0016d3cca427");
}

TEST(HostPathTest, RefusesEveryComponentThatLeavesTheRoot) {
  const std::string bads[] = {"", ".", "..", "../../../tmp/x", "a/b", "/etc", std::string("a\0b", 3),
                              std::string(256, 'a')};
  for (const std::string& bad : bads) {
    auto p = HostPathUnder("/var/lib/cubelet/pods", {{"metadata.uid", bad}});
    ASSERT_FALSE(p.ok()) << "accepted \"" << bad << "\"";
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find("metadata.uid"), std::string::npos) << p.status();
  }
}

TEST(HostPathTest, AcceptsNamesThatOnlyLookLikePaths) {
  // Dots inside a name are fine: only a whole "." or ".." component climbs.
  EXPECT_TRUE(HostPathUnder("/r", {{"name", "..a"}, {"name", "a..b"}, {"name", std::string(255, 'a')}}).ok());
}

}  // namespace
}  // namespace cubelet
