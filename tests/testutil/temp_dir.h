// Owns: TempDir, a fresh directory under $TMPDIR (or /tmp) that is removed with its content when
// the object goes: the data dirs, scratch files and kubeconfigs of cubelet-server's tests.
// Does not own: what the tests write into it, or temp dirs that must outlive the test process
// (testbed/pods.h MakeTempDir).
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace cubelet::testing {

class TempDir {
 public:
  // Makes <tmp>/<prefix>-XXXXXX; records a test failure when it cannot.
  explicit TempDir(const std::string& prefix = "cubelet-test") {
    std::error_code ec;
    std::filesystem::path root = std::filesystem::temp_directory_path(ec);
    if (ec) root = "/tmp";
    std::string tmpl = (root / (prefix + "-XXXXXX")).string();
    const bool made = ::mkdtemp(tmpl.data()) != nullptr;
    EXPECT_TRUE(made) << "mkdtemp " << tmpl << ": " << std::strerror(errno);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name.
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Writes `contents` to path()/name, replacing what was there, and returns that path.
  std::string Write(const std::string& name, const std::string& contents) const {
    std::string p = *this / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << contents;
    return p;
  }

 private:
  std::string path_;
};

}  // namespace cubelet::testing
