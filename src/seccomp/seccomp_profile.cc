#include "seccomp/seccomp_profile.h"

#include <seccomp.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "common/status_macros.h"
#include "common/strings.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"

namespace cubelet::seccomp {
namespace {

// A profile is a few levels deep; anything deeper is refused before a Document is built (its
// destructor recurses once per level, so a 1 MiB run of '[' would overflow the stack).
constexpr int kMaxProfileDepth = 64;

// Counts nesting while RapidJSON reads iteratively; stops the read past kMaxProfileDepth.
struct DepthLimit : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DepthLimit> {
  int depth = 0;
  bool too_deep = false;
  bool Default() { return true; }
  bool StartObject() { return Enter(); }
  bool StartArray() { return Enter(); }
  bool EndObject(rapidjson::SizeType) { return Leave(); }
  bool EndArray(rapidjson::SizeType) { return Leave(); }
  bool Enter() {
    too_deep = ++depth > kMaxProfileDepth;
    return !too_deep;
  }
  bool Leave() {
    --depth;
    return true;
  }
};

constexpr size_t kMaxProfileBytes = 1 << 20;

struct FilterDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterDeleter>;

absl::Status Invalid(std::string_view field, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(field, ": ", what));
}

// "SCMP_ACT_ERRNO" -> the libseccomp action, with `errno_ret` for ERRNO and TRACE.
absl::StatusOr<uint32_t> ParseAction(std::string_view field, std::string_view name, uint32_t errno_ret) {
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret);
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  return Invalid(field, StrCat("unknown action \"", name, "\""));
}

absl::StatusOr<scmp_compare> ParseOp(std::string_view field, std::string_view name) {
  if (name == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (name == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (name == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (name == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (name == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (name == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (name == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  return Invalid(field, StrCat("unknown comparison \"", name, "\""));
}

// "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64"; 0 when unknown.
uint32_t ResolveArch(std::string_view name) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return 0;
  std::string lower(name.substr(kPrefix.size()));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return seccomp_arch_resolve_name(lower.c_str());
}

absl::StatusOr<std::string> String(const rapidjson::Value& v, std::string_view field) {
  if (!v.IsString()) return Invalid(field, "must be a string");
  return std::string(v.GetString(), v.GetStringLength());
}

absl::StatusOr<uint32_t> ErrnoRet(const rapidjson::Value& obj, const char* key, std::string_view field,
                                  uint32_t fallback) {
  if (!obj.HasMember(key)) return fallback;
  const auto& v = obj[key];
  if (!v.IsUint() || v.GetUint() > 0xffff) return Invalid(StrCat(field, key), "must be a number from 0 to 65535");
  return v.GetUint();
}

}  // namespace

absl::Status ValidateSeccompProfile(std::string_view json) {
  {
    DepthLimit limit;
    rapidjson::Reader reader;
    rapidjson::MemoryStream in(json.data(), json.size());
    reader.Parse<rapidjson::kParseIterativeFlag>(in, limit);
    if (limit.too_deep) {
      return absl::InvalidArgumentError(StrCat("malformed JSON at offset ", reader.GetErrorOffset(),
                                               ": nested deeper than ", kMaxProfileDepth, " levels"));
    }
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(StrCat("malformed JSON at offset ", doc.GetErrorOffset(), ": ",
                                             rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError("the profile must be a JSON object");
  if (!doc.HasMember("defaultAction")) return Invalid("defaultAction", "is required");
  ASSIGN_OR_RETURN(std::string default_name, String(doc["defaultAction"], "defaultAction"));
  ASSIGN_OR_RETURN(uint32_t default_errno, ErrnoRet(doc, "defaultErrnoRet", "", EPERM));
  ASSIGN_OR_RETURN(uint32_t default_action, ParseAction("defaultAction", default_name, default_errno));

  Filter filter(seccomp_init(default_action));
  if (!filter) return Invalid("defaultAction", StrCat("libseccomp refuses \"", default_name, "\""));

  std::vector<uint32_t> arches;
  if (doc.HasMember("architectures")) {
    const auto& list = doc["architectures"];
    if (!list.IsArray()) return Invalid("architectures", "must be a list");
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const std::string field = StrCat("architectures[", i, "]");
      ASSIGN_OR_RETURN(std::string name, String(list[i], field));
      const uint32_t arch = ResolveArch(name);
      if (arch == 0) return Invalid(field, StrCat("unknown architecture \"", name, "\""));
      int rc = seccomp_arch_add(filter.get(), arch);
      if (rc != 0 && rc != -EEXIST) return Invalid(field, StrCat("libseccomp cannot add \"", name, "\""));
      arches.push_back(arch);
    }
  }
  // Docker's form: archMap entries name an architecture and its sub-architectures. Syscall
  // names may belong to any of them (a profile written for several machines).
  if (doc.HasMember("archMap")) {
    const auto& list = doc["archMap"];
    if (!list.IsArray()) return Invalid("archMap", "must be a list");
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const std::string field = StrCat("archMap[", i, "]");
      if (!list[i].IsObject() || !list[i].HasMember("architecture")) {
        return Invalid(field, "must be an object with \"architecture\"");
      }
      std::vector<std::pair<const rapidjson::Value*, std::string>> names = {
          {&list[i]["architecture"], StrCat(field, ".architecture")}};
      if (list[i].HasMember("subArchitectures")) {
        const auto& subs = list[i]["subArchitectures"];
        if (!subs.IsArray()) return Invalid(StrCat(field, ".subArchitectures"), "must be a list");
        for (rapidjson::SizeType j = 0; j < subs.Size(); ++j) {
          names.emplace_back(&subs[j], StrCat(field, ".subArchitectures[", j, "]"));
        }
      }
      for (const auto& [value, f] : names) {
        ASSIGN_OR_RETURN(std::string name, String(*value, f));
        const uint32_t arch = ResolveArch(name);
        if (arch == 0) return Invalid(f, StrCat("unknown architecture \"", name, "\""));
        arches.push_back(arch);
      }
    }
  }
  if (arches.empty()) arches.push_back(seccomp_arch_native());

  if (doc.HasMember("flags")) {
    const auto& list = doc["flags"];
    if (!list.IsArray()) return Invalid("flags", "must be a list");
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const std::string field = StrCat("flags[", i, "]");
      ASSIGN_OR_RETURN(std::string flag, String(list[i], field));
      if (flag != "SECCOMP_FILTER_FLAG_TSYNC" && flag != "SECCOMP_FILTER_FLAG_LOG" &&
          flag != "SECCOMP_FILTER_FLAG_SPEC_ALLOW" && flag != "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") {
        return Invalid(field, StrCat("unknown flag \"", flag, "\""));
      }
    }
  }

  if (!doc.HasMember("syscalls")) return absl::OkStatus();
  const auto& rules = doc["syscalls"];
  if (!rules.IsArray()) return Invalid("syscalls", "must be a list");
  for (rapidjson::SizeType r = 0; r < rules.Size(); ++r) {
    const std::string field = StrCat("syscalls[", r, "]");
    const auto& rule = rules[r];
    if (!rule.IsObject()) return Invalid(field, "must be an object");
    if (!rule.HasMember("action")) return Invalid(StrCat(field, ".action"), "is required");
    ASSIGN_OR_RETURN(std::string action_name, String(rule["action"], StrCat(field, ".action")));
    ASSIGN_OR_RETURN(uint32_t errno_ret, ErrnoRet(rule, "errnoRet", StrCat(field, "."), EPERM));
    ASSIGN_OR_RETURN(uint32_t action, ParseAction(StrCat(field, ".action"), action_name, errno_ret));

    std::vector<scmp_arg_cmp> args;
    if (rule.HasMember("args") && !rule["args"].IsNull()) {
      const auto& list = rule["args"];
      if (!list.IsArray() || list.Size() > 6) return Invalid(StrCat(field, ".args"), "must be a list of at most 6");
      for (rapidjson::SizeType a = 0; a < list.Size(); ++a) {
        const std::string af = StrCat(field, ".args[", a, "]");
        const auto& arg = list[a];
        if (!arg.IsObject() || !arg.HasMember("index") || !arg["index"].IsUint() || arg["index"].GetUint() > 5) {
          return Invalid(StrCat(af, ".index"), "must be a number from 0 to 5");
        }
        if (!arg.HasMember("op")) return Invalid(StrCat(af, ".op"), "is required");
        ASSIGN_OR_RETURN(std::string op_name, String(arg["op"], StrCat(af, ".op")));
        ASSIGN_OR_RETURN(scmp_compare op, ParseOp(StrCat(af, ".op"), op_name));
        auto u64 = [&](const char* key) -> absl::StatusOr<uint64_t> {
          if (!arg.HasMember(key)) return 0;
          if (!arg[key].IsUint64()) return Invalid(StrCat(af, ".", key), "must be a non-negative number");
          return arg[key].GetUint64();
        };
        ASSIGN_OR_RETURN(uint64_t value, u64("value"));
        ASSIGN_OR_RETURN(uint64_t value_two, u64("valueTwo"));
        args.push_back({arg["index"].GetUint(), op, value, value_two});
      }
    }

    std::vector<std::pair<std::string, std::string>> names;  // name, field
    if (rule.HasMember("names")) {
      const auto& list = rule["names"];
      if (!list.IsArray()) return Invalid(StrCat(field, ".names"), "must be a list");
      for (rapidjson::SizeType n = 0; n < list.Size(); ++n) {
        const std::string nf = StrCat(field, ".names[", n, "]");
        ASSIGN_OR_RETURN(std::string name, String(list[n], nf));
        names.emplace_back(name, nf);
      }
    }
    if (rule.HasMember("name")) {  // the older single-name form
      ASSIGN_OR_RETURN(std::string name, String(rule["name"], StrCat(field, ".name")));
      names.emplace_back(name, StrCat(field, ".name"));
    }
    for (const auto& [name, nf] : names) {
      int nr = __NR_SCMP_ERROR;
      for (uint32_t arch : arches) {
        nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
        if (nr != __NR_SCMP_ERROR) break;
      }
      if (nr == __NR_SCMP_ERROR) return Invalid(nf, StrCat("unknown syscall \"", name, "\""));
      // A rule that repeats the default changes nothing; libseccomp refuses it, runc skips it.
      if (action == default_action) continue;
      int native_nr = seccomp_syscall_resolve_name(name.c_str());
      if (native_nr == __NR_SCMP_ERROR) continue;  // another architecture's syscall
      int rc = seccomp_rule_add_array(filter.get(), action, native_nr, static_cast<unsigned>(args.size()),
                                      args.empty() ? nullptr : args.data());
      if (rc != 0) {
        return Invalid(nf, StrCat("libseccomp refuses the rule for \"", name, "\": ", std::strerror(-rc)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSeccompProfileFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return absl::NotFoundError(StrCat(path, ": cannot read the seccomp profile: ", std::strerror(errno)));
  f.seekg(0, std::ios::end);
  const std::streamoff size = f.tellg();
  if (size > static_cast<std::streamoff>(kMaxProfileBytes)) {
    return absl::InvalidArgumentError(StrCat(path, ": the seccomp profile is larger than 1 MiB"));
  }
  f.seekg(0);
  std::string text(static_cast<size_t>(std::max<std::streamoff>(size, 0)), '\0');
  f.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(f.gcount()));
  return Annotate(ValidateSeccompProfile(text), path);
}

}  // namespace cubelet::seccomp
