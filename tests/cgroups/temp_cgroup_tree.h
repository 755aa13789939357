// A temporary directory laid out like a cgroup mount, for the managers' unit tests. Plain
// directories stand in for cgroupfs: control files the test seeds are read back, and files a
// manager writes are created.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace cubelet::cgroups {

class TempCgroupTree {
 public:
  TempCgroupTree() {
    std::string tmpl = ::testing::TempDir() + "/cgroup-tree-XXXXXX";
    root_ = ::mkdtemp(tmpl.data());
  }
  ~TempCgroupTree() { std::filesystem::remove_all(root_); }
  TempCgroupTree(const TempCgroupTree&) = delete;
  TempCgroupTree& operator=(const TempCgroupTree&) = delete;

  const std::string& root() const { return root_; }
  std::string Path(const std::string& rel) const { return root_ + "/" + rel; }

  void Seed(const std::string& rel, const std::string& content) const {
    std::filesystem::create_directories(std::filesystem::path(Path(rel)).parent_path());
    std::ofstream(Path(rel)) << content;
  }
  std::string Contents(const std::string& rel) const {
    std::ifstream f(Path(rel));
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  bool IsDir(const std::string& rel) const { return std::filesystem::is_directory(Path(rel)); }

 private:
  std::string root_;
};

}  // namespace cubelet::cgroups
