#include "static_pods/file_source.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/strings.h"
#include "static_pods/manifest.h"
#include "static_pods/manifest_directory.h"

namespace cubelet::static_pods {

FileSource::FileSource(FileSourceOptions options, Logger logger)
    : options_(std::move(options)), logger_(std::move(logger)) {}

std::vector<api::Pod> FileSource::ReadAll() {
  std::vector<std::string> paths;
  std::error_code ec;
  if (std::filesystem::is_regular_file(options_.path, ec)) {
    paths.push_back(options_.path);
  } else {
    auto listing = ListManifestFiles(options_.path);
    if (!listing.ok()) {
      logger_.Error("Unable to read static pod path", {{"path", options_.path}, {"err", listing.status()}});
      // Keep the pods we had: a transient read error must not stop them.
      std::vector<api::Pod> kept;
      for (const auto& [path, st] : files_) {
        if (st.error.empty()) {
          if (auto pod = ParseStaticPodManifest(st.content, path, options_.node_name); pod.ok()) kept.push_back(*pod);
        }
      }
      return kept;
    }
    for (const auto& s : listing->skipped) {
      logger_.VInfo(4, "Skipping static pod path entry", {{"path", s.path}, {"reason", s.reason}});
    }
    paths = listing->files;
  }

  std::vector<api::Pod> pods;
  std::set<std::string> seen;
  std::map<std::string, std::string> names;  // pod full name -> file, to refuse duplicates
  for (const auto& path : paths) {
    seen.insert(path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!in && !in.eof()) continue;  // vanished between listing and reading
    const std::string content = buf.str();
    FileState& st = files_[path];
    const bool changed = st.content != content || (st.error.empty() && st.content.empty());
    auto pod = ParseStaticPodManifest(content, path, options_.node_name);
    std::string error;
    if (!pod.ok()) {
      error = std::string(pod.status().message());
    } else if (auto [it, inserted] = names.emplace(api::PodKey(*pod), path); !inserted) {
      error = StrCat(path, ": pod \"", api::PodKey(*pod), "\" is already defined by ", it->second);
    }
    if (!error.empty() && (changed || error != st.error)) {
      logger_.Error("Could not process static pod manifest", {{"path", path}, {"err", error}});
    }
    if (error.empty() && !st.error.empty()) {
      logger_.Info("Static pod manifest is valid again", {{"path", path}});
    }
    st.content = content;
    st.error = error;
    if (error.empty()) pods.push_back(std::move(*pod));
  }
  std::erase_if(files_, [&](const auto& kv) { return !seen.contains(kv.first); });
  return pods;
}

}  // namespace cubelet::static_pods
