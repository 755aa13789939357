#include "static_pods/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/strings.h"
#include "static_pods/manifest.h"
#include "static_pods/manifest_directory.h"

namespace cubelet::static_pods {
namespace {

// A manifest's content, reading at most kMaxManifestBytes + 1 bytes whatever the file's size
// (upstream's utilio.ReadAtMost(file, maxConfigLength)): a larger file, or one that grew past the
// limit after it was listed, is refused without being read whole. NotFound when it vanished.
absl::StatusOr<std::string> ReadManifestFile(const std::string& path) {
  // O_NONBLOCK: a FIFO put in the file's place cannot block the reader.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(StrCat(path, ": vanished"));
    return absl::UnavailableError(StrCat(path, ": cannot open: ", std::strerror(err)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return absl::InvalidArgumentError(StrCat(path, ": not a regular file"));
  std::string content;
  char buf[64 * 1024];
  while (content.size() <= kMaxManifestBytes) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) return content;
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(StrCat(path, ": read: ", std::strerror(errno)));
    }
    content.append(buf, static_cast<size_t>(n));
  }
  return absl::InvalidArgumentError(
      StrCat(path, ": the manifest is larger than the limit of ", kMaxManifestBytes, " bytes (10 MiB); not read"));
}

}  // namespace

FileSource::FileSource(FileSourceOptions options, Logger logger)
    : options_(std::move(options)), logger_(std::move(logger)) {}

std::vector<api::Pod> FileSource::ReadAll() {
  std::vector<std::string> paths;
  std::map<std::string, absl::Status> refused;  // listed files refused before reading
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
    paths = listing->files;
    for (const auto& s : listing->skipped) {
      if (s.too_large) {
        // Refused like a manifest that does not parse: an error logged once per change.
        refused[s.path] = absl::InvalidArgumentError(StrCat(s.path, ": ", s.reason));
        paths.push_back(s.path);
      } else {
        logger_.VInfo(4, "Skipping static pod path entry", {{"path", s.path}, {"reason", s.reason}});
      }
    }
    std::sort(paths.begin(), paths.end());
  }

  std::vector<api::Pod> pods;
  std::set<std::string> seen;
  std::map<std::string, std::string> names;  // pod full name -> file, to refuse duplicates
  for (const auto& path : paths) {
    seen.insert(path);
    auto refusal = refused.find(path);
    absl::StatusOr<std::string> read = refusal != refused.end() ? refusal->second : ReadManifestFile(path);
    if (absl::IsNotFound(read.status())) continue;  // vanished between listing and reading
    const std::string content = read.ok() ? *read : "";
    FileState& st = files_[path];
    const bool changed = st.content != content || (st.error.empty() && st.content.empty());
    absl::StatusOr<api::Pod> pod = read.ok() ? ParseStaticPodManifest(content, path, options_.node_name) : read.status();
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
