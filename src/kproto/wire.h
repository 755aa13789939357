// Owns: the protobuf wire format written and read by hand (varints, tags, length-delimited
// fields, fixed 64-bit and 32-bit values, skipping of deprecated groups), every length checked
// against what is left, for the schema-driven transcoder of Kubernetes objects.
// Does not own: what any field means (transcode.h) or the `k8s\0` envelope (envelope.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cubelet::kproto {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,  // deprecated groups: skipped whole when read, never written
  kEndGroup = 4,
  kFixed32 = 5,
};

// "varint", "fixed64", "length-delimited", ... for error messages.
std::string_view WireTypeName(WireType type);

// Appends fields to a byte string. Field numbers are the caller's (1 to 2^29-1).
class WireWriter {
 public:
  void Varint(uint64_t value);
  void Tag(int number, WireType type);
  void VarintField(int number, uint64_t value);
  void Fixed64Field(int number, uint64_t bits);
  void BytesField(int number, std::string_view bytes);

  const std::string& data() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// One field as read: its number, wire type and payload.
struct WireField {
  int number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;      // kVarint, kFixed64, kFixed32
  std::string_view bytes;  // kLengthDelimited (points into the reader's input); kStartGroup: the group
};

// Reads fields one after the other from `data`, which must outlive the reader. Malformed input
// (a truncated varint or length, a length past the end, field number 0, wire type 6 or 7, an
// end-group without its start) is an InvalidArgument error saying what is wrong at which byte.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }
  absl::StatusOr<WireField> Next();

 private:
  absl::StatusOr<uint64_t> ReadVarint();
  // Skips the rest of the group whose start tag (number `number`) was just read.
  absl::Status SkipGroup(int number);

  std::string_view data_;
  size_t pos_ = 0;
};

// Reads one varint from the front of `*data` and removes it (packed repeated elements are a run
// of varints in one length-delimited field).
absl::StatusOr<uint64_t> ReadVarint(std::string_view* data);

}  // namespace cubelet::kproto
