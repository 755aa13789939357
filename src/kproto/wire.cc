#include "kproto/wire.h"

#include "absl/status/status.h"
#include "common/strings.h"

namespace cubelet::kproto {
namespace {

constexpr uint64_t kMaxFieldNumber = (uint64_t{1} << 29) - 1;
// Groups inside groups: a bound so hostile input cannot make skipping loop deeply.
constexpr int kMaxGroupDepth = 32;

absl::StatusOr<uint64_t> DecodeVarint(std::string_view data, size_t* pos) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) {
      return absl::InvalidArgumentError(StrCat("truncated varint at byte ", *pos));
    }
    const uint8_t byte = static_cast<uint8_t>(data[(*pos)++]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) {
      return absl::InvalidArgumentError(StrCat("varint longer than 64 bits at byte ", *pos - 1));
    }
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return absl::InvalidArgumentError(StrCat("varint longer than 10 bytes at byte ", *pos));
}

}  // namespace

std::string_view WireTypeName(WireType type) {
  switch (type) {
    case WireType::kVarint: return "varint";
    case WireType::kFixed64: return "fixed64";
    case WireType::kLengthDelimited: return "length-delimited";
    case WireType::kStartGroup: return "group";
    case WireType::kEndGroup: return "end-group";
    case WireType::kFixed32: return "fixed32";
  }
  return "unknown";
}

void WireWriter::Varint(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

void WireWriter::Tag(int number, WireType type) {
  Varint((static_cast<uint64_t>(number) << 3) | static_cast<uint64_t>(type));
}

void WireWriter::VarintField(int number, uint64_t value) {
  Tag(number, WireType::kVarint);
  Varint(value);
}

void WireWriter::Fixed64Field(int number, uint64_t bits) {
  Tag(number, WireType::kFixed64);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void WireWriter::BytesField(int number, std::string_view bytes) {
  Tag(number, WireType::kLengthDelimited);
  Varint(bytes.size());
  out_.append(bytes);
}

absl::StatusOr<uint64_t> WireReader::ReadVarint() { return DecodeVarint(data_, &pos_); }

absl::StatusOr<WireField> WireReader::Next() {
  const size_t start = pos_;
  auto tag = ReadVarint();
  if (!tag.ok()) return tag.status();
  WireField field;
  const uint64_t number = *tag >> 3;
  const uint64_t type = *tag & 7;
  if (number == 0 || number > kMaxFieldNumber) {
    return absl::InvalidArgumentError(StrCat("invalid field number ", number, " at byte ", start));
  }
  if (type > 5) return absl::InvalidArgumentError(StrCat("invalid wire type ", type, " at byte ", start));
  field.number = static_cast<int>(number);
  field.type = static_cast<WireType>(type);
  switch (field.type) {
    case WireType::kVarint: {
      auto value = ReadVarint();
      if (!value.ok()) return value.status();
      field.value = *value;
      break;
    }
    case WireType::kFixed64:
    case WireType::kFixed32: {
      const size_t width = field.type == WireType::kFixed64 ? 8 : 4;
      if (data_.size() - pos_ < width) {
        return absl::InvalidArgumentError(StrCat("truncated ", WireTypeName(field.type), " at byte ", pos_));
      }
      for (size_t i = 0; i < width; ++i) {
        field.value |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
      }
      pos_ += width;
      break;
    }
    case WireType::kLengthDelimited: {
      auto length = ReadVarint();
      if (!length.ok()) return length.status();
      if (*length > data_.size() - pos_) {
        return absl::InvalidArgumentError(StrCat("length ", *length, " at byte ", start, " exceeds the ",
                                                 data_.size() - pos_, " bytes left"));
      }
      field.bytes = data_.substr(pos_, *length);
      pos_ += *length;
      break;
    }
    case WireType::kStartGroup: {
      const size_t group_start = pos_;
      if (absl::Status s = SkipGroup(field.number); !s.ok()) return s;
      field.bytes = data_.substr(group_start, pos_ - group_start);
      break;
    }
    case WireType::kEndGroup:
      return absl::InvalidArgumentError(StrCat("end-group without a start at byte ", start));
  }
  return field;
}

absl::Status WireReader::SkipGroup(int number) {
  // The numbers of the groups still open, innermost last.
  int open[kMaxGroupDepth];
  int depth = 0;
  open[depth++] = number;
  while (depth > 0) {
    const size_t start = pos_;
    auto tag = ReadVarint();
    if (!tag.ok()) return tag.status();
    const uint64_t inner = *tag >> 3;
    const uint64_t type = *tag & 7;
    if (inner == 0 || inner > kMaxFieldNumber || type > 5) {
      return absl::InvalidArgumentError(StrCat("invalid tag inside a group at byte ", start));
    }
    switch (static_cast<WireType>(type)) {
      case WireType::kVarint:
        if (auto v = ReadVarint(); !v.ok()) return v.status();
        break;
      case WireType::kFixed64:
      case WireType::kFixed32: {
        const size_t width = type == 1 ? 8 : 4;
        if (data_.size() - pos_ < width) return absl::InvalidArgumentError(StrCat("truncated group at byte ", pos_));
        pos_ += width;
        break;
      }
      case WireType::kLengthDelimited: {
        auto length = ReadVarint();
        if (!length.ok()) return length.status();
        if (*length > data_.size() - pos_) return absl::InvalidArgumentError(StrCat("truncated group at byte ", pos_));
        pos_ += *length;
        break;
      }
      case WireType::kStartGroup:
        if (depth == kMaxGroupDepth) return absl::InvalidArgumentError(StrCat("groups nested too deeply at byte ", start));
        open[depth++] = static_cast<int>(inner);
        break;
      case WireType::kEndGroup:
        if (static_cast<int>(inner) != open[depth - 1]) {
          return absl::InvalidArgumentError(StrCat("end-group ", inner, " does not close group ", open[depth - 1],
                                                   " at byte ", start));
        }
        --depth;
        break;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ReadVarint(std::string_view* data) {
  size_t pos = 0;
  auto value = DecodeVarint(*data, &pos);
  if (value.ok()) data->remove_prefix(pos);
  return value;
}

}  // namespace cubelet::kproto
