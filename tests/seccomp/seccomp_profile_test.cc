#include "seccomp/seccomp_profile.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace cubelet::seccomp {
namespace {

constexpr char kDenyMkdir[] = R"({
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]
})";

// The shape of Docker's and containerd's default profiles: archMap, arguments, a syscall only
// some listed architectures have, rules that repeat the default.
constexpr char kDockerStyle[] = R"({
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "archMap": [
    {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
  ],
  "syscalls": [
    {"names": ["read", "write", "exit_group", "arm_fadvise64_64"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
    {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO"},
    {"name": "clone", "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}]}
  ],
  "flags": ["SECCOMP_FILTER_FLAG_LOG"]
})";

TEST(SeccompProfileTest, GoodProfilesPass) {
  EXPECT_TRUE(ValidateSeccompProfile(kDenyMkdir).ok()) << ValidateSeccompProfile(kDenyMkdir);
  EXPECT_TRUE(ValidateSeccompProfile(kDockerStyle).ok()) << ValidateSeccompProfile(kDockerStyle);
  EXPECT_TRUE(ValidateSeccompProfile(R"({"defaultAction": "SCMP_ACT_LOG"})").ok());
}

struct BadCase {
  const char* profile;
  const char* message;
};

TEST(SeccompProfileTest, BadProfilesNameTheFieldAndTheProblem) {
  const BadCase cases[] = {
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [)", "malformed JSON at offset"},
      {R"([1, 2])", "must be a JSON object"},
      {R"({"syscalls": []})", "defaultAction: is required"},
      {R"({"defaultAction": "SCMP_ACT_MAYBE"})", "defaultAction: unknown action \"SCMP_ACT_MAYBE\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]})",
       "architectures[0]: unknown architecture \"SCMP_ARCH_Z80\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW",
           "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                        {"names": ["mkdir", "mkdirz"], "action": "SCMP_ACT_ERRNO"}]})",
       "syscalls[1].names[1]: unknown syscall \"mkdirz\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOPE"}]})",
       "syscalls[0].action: unknown action \"SCMP_ACT_NOPE\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"]}]})", "syscalls[0].action: is required"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW",
           "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 7, "op": "SCMP_CMP_EQ"}]}]})",
       "syscalls[0].args[0].index: must be a number from 0 to 5"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW",
           "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "op": "SCMP_CMP_ABOUT"}]}]})",
       "syscalls[0].args[0].op: unknown comparison \"SCMP_CMP_ABOUT\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FAST"]})",
       "flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\""},
      {R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1})", "defaultErrnoRet: must be a number"},
  };
  for (const auto& c : cases) {
    absl::Status s = ValidateSeccompProfile(c.profile);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.profile;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << "got: " << s.message() << "\nwant: " << c.message;
  }
}

TEST(SeccompProfileTest, FileErrorsStartWithThePath) {
  const std::string dir = ::testing::TempDir() + "/seccomp-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/bad.json") << "{\"defaultAction\": 3}";
  absl::Status s = ValidateSeccompProfileFile(dir + "/bad.json");
  EXPECT_EQ(s.message(), dir + "/bad.json: defaultAction: must be a string");
  s = ValidateSeccompProfileFile(dir + "/missing.json");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find(dir + "/missing.json: cannot read the seccomp profile"), std::string::npos) << s;
  std::ofstream(dir + "/huge.json") << std::string((1 << 20) + 1, ' ');
  EXPECT_EQ(ValidateSeccompProfileFile(dir + "/huge.json").message(),
            dir + "/huge.json: the seccomp profile is larger than 1 MiB");
  std::ofstream(dir + "/good.json") << kDenyMkdir;
  EXPECT_TRUE(ValidateSeccompProfileFile(dir + "/good.json").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cubelet::seccomp

namespace cubelet::seccomp {
namespace {

// A profile file is capped at 1 MiB; within it, a run of '[' must be a clear error, not a stack
// overflow in the JSON parser or the document's destructor.
TEST(SeccompProfileTest, DeepNestingIsRefusedNotACrash) {
  const std::string deep(1 << 20, '[');
  absl::Status s = ValidateSeccompProfile(deep);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("nested deeper than 64 levels"), std::string::npos) << s;
  // At the limit: the profile object and 63 arrays are 64 levels; one more is refused.
  auto nested = [](int arrays) {
    return R"({"defaultAction": "SCMP_ACT_ALLOW", "x": )" + std::string(arrays, '[') + std::string(arrays, ']') + "}";
  };
  EXPECT_TRUE(ValidateSeccompProfile(nested(63)).ok()) << ValidateSeccompProfile(nested(63));
  EXPECT_EQ(ValidateSeccompProfile(nested(64)).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cubelet::seccomp
