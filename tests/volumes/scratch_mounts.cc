#include "volumes/scratch_mounts.h"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "volumes/mountinfo.h"
#include "volumes/remove_all.h"

namespace cubelet::volumes::testing {
namespace {

std::string* g_unavailable = nullptr;

// Runs before any test, while the process has one thread (unshare(CLONE_NEWNS) needs that).
class PrivateMountNamespace : public ::testing::Environment {
 public:
  void SetUp() override {
    g_unavailable = new std::string();
    if (::geteuid() != 0) {
      *g_unavailable = "not running as root";
    } else if (::unshare(CLONE_NEWNS) != 0) {
      *g_unavailable = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    } else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      *g_unavailable = std::string("make / private: ") + std::strerror(errno);
    }
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new PrivateMountNamespace());

}  // namespace

const std::string& MountsUnavailableReason() {
  static const std::string kNotSetUp = "the private mount namespace was not set up";
  return g_unavailable != nullptr ? *g_unavailable : kNotSetUp;
}

ScratchDir::ScratchDir() {
  std::string tmpl = std::filesystem::path(::testing::TempDir()) / "cubelet-volumes.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
  path_ = std::filesystem::canonical(tmpl).string();
}

ScratchDir::~ScratchDir() {
  if (auto mounts = ReadMountInfo(); mounts.ok()) {
    for (const std::string& mp : MountPointsUnder(*mounts, path_)) ::umount2(mp.c_str(), MNT_DETACH);
  }
  // Never remove through a mount that is still there (it could show the host's root).
  auto left = ReadMountInfo();
  if (!left.ok() || !MountPointsUnder(*left, path_).empty()) {
    ADD_FAILURE() << "mounts left under " << path_ << "; not removing it";
    return;
  }
  if (absl::Status s = RemoveAllOneFilesystem(path_); !s.ok()) ADD_FAILURE() << s;
}

}  // namespace cubelet::volumes::testing
