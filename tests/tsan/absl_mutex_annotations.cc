// Makes absl::Mutex, absl::CondVar and absl::Notification visible to ThreadSanitizer in the
// tsan preset's test binaries. Not part of any product binary.
//
// Why: Debian's libabsl is not built with -fsanitize=thread, so its lock and unlock are invisible
// and every field guarded by an absl::Mutex (the clock, the timer queue, the pod config, the HTTP
// server, the store) would be reported as a race. An instrumented Abseil announces each lock
// operation with the __tsan_mutex_* hooks (ABSL_TSAN_MUTEX_* in absl/synchronization/mutex.cc);
// this file does the same from outside: the test executable defines the same symbols, so the
// dynamic linker binds every caller (our code, and gRPC's, which uses absl::Mutex too) to these
// definitions, which announce the operation and call the library's own through dlsym(RTLD_NEXT).
// It holds no state of its own besides the resolved function pointers and, per thread, the modes
// of the locks that thread holds (so a CondVar wait releases in the mode the lock was taken).

#include <dlfcn.h>
#include <link.h>
#include <sanitizer/tsan_interface.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace {

#define CUBELET_TSAN_STR2(x) #x
#define CUBELET_TSAN_STR(x) CUBELET_TSAN_STR2(x)

// The Itanium mangling of a member of absl::<inline namespace>: "_ZN" ("_ZNK" for a const
// member) + "4absl" + <len><ns> + rest.
enum class Member { kNonConst, kConst };
std::string Mangled(Member member, const char* rest) {
  const std::string ns = CUBELET_TSAN_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  return std::string(member == Member::kConst ? "_ZNK" : "_ZN") + "4absl" + std::to_string(ns.size()) +
         ns + rest;
}

// The library's definition of `rest`; aborts with the symbol's name when it is missing (a new
// Abseil whose API moved: update this file rather than run without the annotations).
template <typename Fn>
Fn Real(const char* rest, Member member = Member::kNonConst) {
  const std::string name = Mangled(member, rest);
  void* sym = dlsym(RTLD_NEXT, name.c_str());
  if (sym == nullptr) {
    std::fprintf(stderr, "tsan/absl_mutex_annotations: %s not found in libabsl: %s\n", name.c_str(),
                 dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(sym);
}

// The locks this thread holds and whether each was taken shared, so Await and CondVar waits
// release and re-take it in the same mode. Plain arrays: thread exit may still lock (gRPC's
// threads do) after a thread_local with a destructor is gone. Deeper nesting than kMaxHeld is
// not tracked and counts as exclusive.
struct Held {
  const absl::Mutex* mu;
  bool shared;
};
constexpr int kMaxHeld = 64;
thread_local Held held[kMaxHeld];
thread_local int held_count = 0;

void Push(const absl::Mutex* mu, bool shared) {
  if (held_count < kMaxHeld) held[held_count] = {mu, shared};
  ++held_count;
}

void Pop(const absl::Mutex* mu) {
  if (held_count == 0) return;
  for (int i = std::min(held_count, kMaxHeld) - 1; i >= 0; --i) {
    if (held[i].mu == mu) {
      for (int j = i; j + 1 < std::min(held_count, kMaxHeld); ++j) held[j] = held[j + 1];
      break;
    }
  }
  --held_count;
}

bool HeldShared(const absl::Mutex* mu) {
  for (int i = std::min(held_count, kMaxHeld) - 1; i >= 0; --i) {
    if (held[i].mu == mu) return held[i].shared;
  }
  return false;
}

// Whether `pc` is in the test executable, where all of cubelet's (instrumented) code is linked.
// Only those calls are announced: libraries' own mutexes (gRPC's) stay invisible to TSan, as
// everything else inside an uninstrumented library is, rather than half-seen.
bool FromExecutable(const void* pc) {
  struct Range {
    uintptr_t begin = UINTPTR_MAX, end = 0;
  };
  static const Range range = [] {
    Range r;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) {
          auto* r = static_cast<Range*>(data);
          for (int i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr)& ph = info->dlpi_phdr[i];
            if (ph.p_type != PT_LOAD) continue;
            r->begin = std::min<uintptr_t>(r->begin, info->dlpi_addr + ph.p_vaddr);
            r->end = std::max<uintptr_t>(r->end, info->dlpi_addr + ph.p_vaddr + ph.p_memsz);
          }
          return 1;  // the first object is the executable
        },
        &r);
    return r;
  }();
  const auto addr = reinterpret_cast<uintptr_t>(pc);
  return addr >= range.begin && addr < range.end;
}

// Abseil calls its own public functions through the PLT (LockWhenWithTimeout calls
// LockWhenWithDeadline, Notification locks its Mutex), so they land here again: only the
// outermost call on a thread announces anything.
thread_local int depth = 0;

// Runs `real` with nothing announced when the call comes from a library or this thread is
// already inside an annotated call, otherwise `annotated`.
template <typename Real, typename Annotated>
auto Outermost(const void* caller, Real&& real, Annotated&& annotated) {
  if (depth > 0) return real();
  ++depth;
  struct Leave {
    ~Leave() { --depth; }
  } leave;
  // A library's call is not announced, nor what Abseil does inside it (its tail calls through
  // the PLT return straight to the library's caller, so their return address proves nothing).
  if (!FromExecutable(caller)) return real();
  return annotated();
}

unsigned Flags(bool shared) { return shared ? __tsan_mutex_read_lock : 0; }

void* Addr(const absl::Mutex* mu) { return const_cast<absl::Mutex*>(mu); }

// A release then an acquire of a lock this thread holds, around a call that may drop and
// re-take it (Await, CondVar waits). The call runs inside the release's ignore region, as an
// instrumented Abseil evaluates a Condition (EvalConditionIgnored): the Condition reads guarded
// state while the lock is held, but TSan has already seen it released.
template <typename F>
auto ReleaseAround(const void* caller, const absl::Mutex* mu, F&& call) {
  return Outermost(caller, call, [&] {
    const unsigned flags = Flags(HeldShared(mu));
    __tsan_mutex_pre_unlock(Addr(mu), flags);
    auto result = call();
    __tsan_mutex_post_unlock(Addr(mu), flags);
    __tsan_mutex_pre_lock(Addr(mu), flags);
    __tsan_mutex_post_lock(Addr(mu), flags, 0);
    return result;
  });
}

template <typename F>
auto Acquire(const void* caller, const absl::Mutex* mu, bool shared, F&& call) {
  return Outermost(caller, call, [&] {
    __tsan_mutex_pre_lock(Addr(mu), Flags(shared));
    auto result = call();
    __tsan_mutex_post_lock(Addr(mu), Flags(shared), 0);
    Push(mu, shared);
    return result;
  });
}

void Release(const void* caller, absl::Mutex* mu, bool shared, void (*real)(absl::Mutex*)) {
  Outermost(caller, [&] { real(mu); return 0; },
            [&] {
              Pop(mu);
              __tsan_mutex_pre_unlock(mu, Flags(shared));
              real(mu);
              __tsan_mutex_post_unlock(mu, Flags(shared));
              return 0;
            });
}

bool TryAcquire(const void* caller, absl::Mutex* mu, bool shared, bool (*real)(absl::Mutex*)) {
  return Outermost(caller, [&] { return real(mu); },
                   [&] {
                     const unsigned flags = Flags(shared) | __tsan_mutex_try_lock;
                     __tsan_mutex_pre_lock(mu, flags);
                     const bool ok = real(mu);
                     __tsan_mutex_post_lock(mu, ok ? flags : flags | __tsan_mutex_try_lock_failed, 0);
                     if (ok) Push(mu, shared);
                     return ok;
                   });
}

// Notification's fast path (HasBeenNotified, inline in our code) is an acquire load of
// notified_yet_, the member after its Mutex; Notify releases on that address too.
static_assert(sizeof(absl::Mutex) == sizeof(intptr_t));
static_assert(sizeof(absl::Notification) == 2 * sizeof(intptr_t));
void* NotifiedYet(const absl::Notification* n) {
  return const_cast<char*>(reinterpret_cast<const char*>(n) + sizeof(absl::Mutex));
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

Mutex::~Mutex() {
  static const auto real = Real<void (*)(Mutex*)>("5MutexD2Ev");
  __tsan_mutex_destroy(this, 0);
  real(this);
}

void Mutex::Lock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex4LockEv");
  Acquire(__builtin_return_address(0), this, false, [&] { real(this); return 0; });
}

void Mutex::ReaderLock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  Acquire(__builtin_return_address(0), this, true, [&] { real(this); return 0; });
}

void Mutex::Unlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex6UnlockEv");
  Release(__builtin_return_address(0), this, false, real);
}

void Mutex::ReaderUnlock() {
  static const auto real = Real<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  Release(__builtin_return_address(0), this, true, real);
}

bool Mutex::TryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  return TryAcquire(__builtin_return_address(0), this, false, real);
}

bool Mutex::ReaderTryLock() {
  static const auto real = Real<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  return TryAcquire(__builtin_return_address(0), this, true, real);
}

void Mutex::LockWhen(const Condition& cond) {
  static const auto real = Real<void (*)(Mutex*, const Condition&)>("5Mutex8LockWhenERKNS0_9ConditionE");
  Acquire(__builtin_return_address(0), this, false, [&] { real(this, cond); return 0; });
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  static const auto real = Real<void (*)(Mutex*, const Condition&)>("5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  Acquire(__builtin_return_address(0), this, true, [&] { real(this, cond); return 0; });
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>("5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return Acquire(__builtin_return_address(0), this, false, [&] { return real(this, cond, timeout); });
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>("5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return Acquire(__builtin_return_address(0), this, true, [&] { return real(this, cond, timeout); });
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Time)>("5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Acquire(__builtin_return_address(0), this, false, [&] { return real(this, cond, deadline); });
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Time)>("5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Acquire(__builtin_return_address(0), this, true, [&] { return real(this, cond, deadline); });
}

void Mutex::Await(const Condition& cond) {
  static const auto real = Real<void (*)(Mutex*, const Condition&)>("5Mutex5AwaitERKNS0_9ConditionE");
  ReleaseAround(__builtin_return_address(0), this, [&] { real(this, cond); return 0; });
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Duration)>("5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return ReleaseAround(__builtin_return_address(0), this, [&] { return real(this, cond, timeout); });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  static const auto real = Real<bool (*)(Mutex*, const Condition&, Time)>("5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return ReleaseAround(__builtin_return_address(0), this, [&] { return real(this, cond, deadline); });
}

void CondVar::Wait(Mutex* mu) {
  static const auto real = Real<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  ReleaseAround(__builtin_return_address(0), mu, [&] { real(this, mu); return 0; });
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  static const auto real = Real<bool (*)(CondVar*, Mutex*, Duration)>("7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  return ReleaseAround(__builtin_return_address(0), mu, [&] { return real(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  static const auto real = Real<bool (*)(CondVar*, Mutex*, Time)>("7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return ReleaseAround(__builtin_return_address(0), mu, [&] { return real(this, mu, deadline); });
}

void Notification::Notify() {
  static const auto real = Real<void (*)(Notification*)>("12Notification6NotifyEv");
  Outermost(__builtin_return_address(0), [&] { real(this); return 0; },
            [&] {
              __tsan_release(NotifiedYet(this));
              real(this);
              return 0;
            });
}

void Notification::WaitForNotification() const {
  static const auto real = Real<void (*)(const Notification*)>("12Notification19WaitForNotificationEv", Member::kConst);
  Outermost(__builtin_return_address(0), [&] { real(this); return 0; },
            [&] {
              real(this);
              __tsan_acquire(NotifiedYet(this));
              return 0;
            });
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  static const auto real = Real<bool (*)(const Notification*, Duration)>("12Notification30WaitForNotificationWithTimeoutENS0_8DurationE", Member::kConst);
  return Outermost(__builtin_return_address(0), [&] { return real(this, timeout); },
                   [&] {
                     const bool notified = real(this, timeout);
                     if (notified) __tsan_acquire(NotifiedYet(this));
                     return notified;
                   });
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  static const auto real = Real<bool (*)(const Notification*, Time)>("12Notification31WaitForNotificationWithDeadlineENS0_4TimeE", Member::kConst);
  return Outermost(__builtin_return_address(0), [&] { return real(this, deadline); },
                   [&] {
                     const bool notified = real(this, deadline);
                     if (notified) __tsan_acquire(NotifiedYet(this));
                     return notified;
                   });
}

ABSL_NAMESPACE_END
}  // namespace absl
