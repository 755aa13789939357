#include "common/strings.h"
#include "static_pods/manifest_directory.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace cubelet::static_pods {

absl::StatusOr<ManifestListing> ListManifestFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  ManifestListing out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  fs::directory_iterator it(dir, ec);
  if (ec) return absl::UnavailableError(StrCat("read static pod directory ", dir, ": ", ec.message()));
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    const std::string path = entry.path().string();
    // status() follows symlinks: a link to a regular file is a manifest, as upstream reads it.
    const auto status = entry.status(ec);
    if (ec) {
      out.skipped.push_back({path, StrCat("cannot stat: ", ec.message())});
      continue;
    }
    if (fs::is_directory(status)) {
      out.skipped.push_back({path, "is a directory (not recursing)"});
      continue;
    }
    if (!fs::is_regular_file(status)) {
      out.skipped.push_back({path, "is not a regular file"});
      continue;
    }
    const auto size = fs::file_size(entry.path(), ec);
    if (!ec && size > kMaxManifestBytes) {
      out.skipped.push_back({path, StrCat("is ", size, " bytes, larger than the 10 MiB limit"), /*too_large=*/true});
      continue;
    }
    out.files.push_back(path);
  }
  std::sort(out.files.begin(), out.files.end());
  return out;
}

}  // namespace cubelet::static_pods
