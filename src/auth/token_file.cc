// Upstream's --token-auth-file (apiserver/pkg/authentication/token/tokenfile): CSV read as Go's
// encoding/csv reads it (quoted fields with "" for a quote and line breaks allowed inside, a bare
// quote in an unquoted field is an error, records may have any number of fields), then
// token,user,uid[,groups] per record. Stricter than upstream where upstream only warns: an empty
// token, an empty user name or a token given twice is an error, so a typo cannot quietly change
// who a token is. No message ever contains a token, only file names and line numbers.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "auth/authenticator.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace cubelet::auth {
namespace {

constexpr size_t kMaxTokenFileBytes = 16 << 20;

struct Record {
  int line = 0;  // where the record starts
  std::vector<std::string> fields;
};

// Splits `contents` into CSV records with Go encoding/csv's rules (comma separator, no leading
// space trimming, strict quotes), skipping empty lines and lines starting with '#'.
class CsvReader {
 public:
  CsvReader(std::string_view file_name, std::string_view contents) : file_name_(file_name), in_(contents) {}

  // The next record; nullopt at the end of input.
  absl::StatusOr<std::optional<Record>> Next() {
    for (;;) {
      if (pos_ >= in_.size()) return std::nullopt;
      const char c = in_[pos_];
      if (c == '\n' || (c == '\r' && Peek(1) == '\n')) {  // an empty line
        SkipLineBreak();
        continue;
      }
      if (c == '#') {  // a comment line
        while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
        SkipLineBreak();
        continue;
      }
      break;
    }
    Record record;
    record.line = line_;
    for (;;) {
      ASSIGN_OR_RETURN(std::string field, Field());
      record.fields.push_back(std::move(field));
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      SkipLineBreak();  // end of line or end of input
      return record;
    }
  }

 private:
  char Peek(size_t ahead) const { return pos_ + ahead < in_.size() ? in_[pos_ + ahead] : '\0'; }

  bool AtLineBreak() const {
    return pos_ < in_.size() && (in_[pos_] == '\n' || (in_[pos_] == '\r' && Peek(1) == '\n'));
  }

  void SkipLineBreak() {
    if (pos_ < in_.size() && in_[pos_] == '\r') ++pos_;
    if (pos_ < in_.size() && in_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
  }

  absl::Status SyntaxError(std::string_view what) const {
    return absl::InvalidArgumentError(StrCat(file_name_, ":", line_, ": ", what));
  }

  // One field, leaving pos_ at the comma, line break or end that follows it.
  absl::StatusOr<std::string> Field() {
    std::string out;
    if (pos_ < in_.size() && in_[pos_] == '"') {
      ++pos_;
      for (;;) {
        if (pos_ >= in_.size()) return SyntaxError("extraneous or missing \" in quoted field");
        const char c = in_[pos_];
        if (c == '"') {
          if (Peek(1) == '"') {  // "" is one quote
            out += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          if (pos_ < in_.size() && in_[pos_] != ',' && !AtLineBreak()) {
            return SyntaxError("extraneous or missing \" in quoted field");
          }
          return out;
        }
        if (c == '\r' && Peek(1) == '\n') {  // Go turns \r\n inside a quoted field into \n
          ++pos_;
          continue;
        }
        if (c == '\n') ++line_;
        out += c;
        ++pos_;
      }
    }
    while (pos_ < in_.size() && in_[pos_] != ',' && !AtLineBreak()) {
      if (in_[pos_] == '"') return SyntaxError("bare \" in unquoted field");
      out += in_[pos_++];
    }
    return out;
  }

  std::string_view file_name_;
  std::string_view in_;
  size_t pos_ = 0;
  int line_ = 1;
};

std::vector<std::string> SplitGroups(std::string_view groups) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= groups.size()) {
    size_t comma = groups.find(',', start);
    if (comma == std::string_view::npos) comma = groups.size();
    if (comma > start) out.emplace_back(groups.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<StaticToken>> ParseTokenFile(std::string_view file_name, std::string_view contents) {
  CsvReader reader(file_name, contents);
  std::vector<StaticToken> tokens;
  std::map<std::string, int> line_of_token;  // for duplicates
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<Record> record, reader.Next());
    if (!record.has_value()) break;
    auto error = [&](std::string_view what) {
      return absl::InvalidArgumentError(StrCat(file_name, ":", record->line, ": ", what));
    };
    std::vector<std::string>& f = record->fields;
    if (f.size() < 3) {
      return error(StrCat("must have at least 3 columns (token, user name, user uid), found ", f.size()));
    }
    if (f[0].empty()) return error("empty token");
    if (f[1].empty()) return error("empty user name");
    auto [it, inserted] = line_of_token.emplace(f[0], record->line);
    if (!inserted) return error(StrCat("duplicate token (first given on line ", it->second, ")"));
    StaticToken token;
    token.token = std::move(f[0]);
    token.user.name = std::move(f[1]);
    token.user.uid = std::move(f[2]);
    if (f.size() >= 4) token.user.groups = SplitGroups(f[3]);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

absl::StatusOr<std::vector<StaticToken>> LoadTokenFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string message = StrCat("open token file ", path, ": ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(message) : absl::FailedPreconditionError(message);
  }
  std::string contents;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return absl::FailedPreconditionError(StrCat("read token file ", path, ": ", std::strerror(err)));
    }
    if (n == 0) break;
    contents.append(buf, static_cast<size_t>(n));
    if (contents.size() > kMaxTokenFileBytes) {
      ::close(fd);
      return absl::FailedPreconditionError(StrCat("token file ", path, " is larger than 16 MiB"));
    }
  }
  ::close(fd);
  return ParseTokenFile(path, contents);
}

}  // namespace cubelet::auth
