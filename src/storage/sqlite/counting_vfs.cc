#include "storage/sqlite/counting_vfs.h"

#include <cstring>

#include "common/strings.h"

namespace cubelet::storage::sqlite {
namespace {

// The file object SQLite allocates for us: our header, then the real VFS's file right after.
struct CountingFile {
  sqlite3_file base;
  sqlite3_file* real;
  VfsCounters* counters;
  bool is_wal;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<CountingFile*>(f)->real; }

int FileClose(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  return r->pMethods != nullptr ? r->pMethods->xClose(r) : SQLITE_OK;
}
int FileRead(sqlite3_file* f, void* buf, int amt, sqlite3_int64 ofst) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xRead(r, buf, amt, ofst);
}
int FileWrite(sqlite3_file* f, const void* buf, int amt, sqlite3_int64 ofst) {
  auto* cf = reinterpret_cast<CountingFile*>(f);
  int rc = cf->real->pMethods->xWrite(cf->real, buf, amt, ofst);
  if (rc == SQLITE_OK) {
    cf->counters->bytes_written.fetch_add(amt, std::memory_order_relaxed);
    if (cf->is_wal) cf->counters->wal_bytes_written.fetch_add(amt, std::memory_order_relaxed);
  }
  return rc;
}
int FileTruncate(sqlite3_file* f, sqlite3_int64 size) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xTruncate(r, size);
}
int FileSync(sqlite3_file* f, int flags) {
  auto* cf = reinterpret_cast<CountingFile*>(f);
  cf->counters->syncs.fetch_add(1, std::memory_order_relaxed);
  return cf->real->pMethods->xSync(cf->real, flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xFileSize(r, size);
}
int FileLock(sqlite3_file* f, int lock) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xLock(r, lock);
}
int FileUnlock(sqlite3_file* f, int lock) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xUnlock(r, lock);
}
int FileCheckReservedLock(sqlite3_file* f, int* out) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xCheckReservedLock(r, out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xFileControl(r, op, arg);
}
int FileSectorSize(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xSectorSize(r);
}
int FileDeviceCharacteristics(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xDeviceCharacteristics(r);
}
// Shared memory is never used (the store runs in exclusive locking mode) but is forwarded so
// the VFS stays correct for any connection.
int FileShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion < 2 || r->pMethods->xShmMap == nullptr) return SQLITE_IOERR;
  return r->pMethods->xShmMap(r, region, size, extend, out);
}
int FileShmLock(sqlite3_file* f, int offset, int n, int flags) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xShmLock(r, offset, n, flags);
}
void FileShmBarrier(sqlite3_file* f) {
  sqlite3_file* r = Real(f);
  r->pMethods->xShmBarrier(r);
}
int FileShmUnmap(sqlite3_file* f, int delete_flag) {
  sqlite3_file* r = Real(f);
  return r->pMethods->xShmUnmap(r, delete_flag);
}
int FileFetch(sqlite3_file* f, sqlite3_int64 ofst, int amt, void** pp) {
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion < 3 || r->pMethods->xFetch == nullptr) {
    *pp = nullptr;
    return SQLITE_OK;
  }
  return r->pMethods->xFetch(r, ofst, amt, pp);
}
int FileUnfetch(sqlite3_file* f, sqlite3_int64 ofst, void* p) {
  sqlite3_file* r = Real(f);
  if (r->pMethods->iVersion < 3 || r->pMethods->xUnfetch == nullptr) return SQLITE_OK;
  return r->pMethods->xUnfetch(r, ofst, p);
}

const sqlite3_io_methods kIoMethods = {
    3,
    FileClose,
    FileRead,
    FileWrite,
    FileTruncate,
    FileSync,
    FileSize,
    FileLock,
    FileUnlock,
    FileCheckReservedLock,
    FileControl,
    FileSectorSize,
    FileDeviceCharacteristics,
    FileShmMap,
    FileShmLock,
    FileShmBarrier,
    FileShmUnmap,
    FileFetch,
    FileUnfetch,
};

// pAppData of our sqlite3_vfs: the VFS we forward to and the counters of our store.
struct VfsContext {
  sqlite3_vfs* real;
  VfsCounters* counters;
};

int VfsOpen(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* ctx = static_cast<VfsContext*>(vfs->pAppData);
  auto* cf = reinterpret_cast<CountingFile*>(f);
  cf->base.pMethods = nullptr;
  cf->real = reinterpret_cast<sqlite3_file*>(cf + 1);
  cf->counters = ctx->counters;
  cf->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  int rc = ctx->real->xOpen(ctx->real, name, cf->real, flags, out_flags);
  // Only a successfully opened real file gets methods; SQLite then calls xClose exactly once.
  if (cf->real->pMethods != nullptr) cf->base.pMethods = &kIoMethods;
  return rc;
}
int VfsDelete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xDelete(r, name, sync_dir);
}
int VfsAccess(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xAccess(r, name, flags, out);
}
int VfsFullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xFullPathname(r, name, n, out);
}
void* VfsDlOpen(sqlite3_vfs* vfs, const char* name) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xDlOpen(r, name);
}
void VfsDlError(sqlite3_vfs* vfs, int n, char* out) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  r->xDlError(r, n, out);
}
void (*VfsDlSym(sqlite3_vfs* vfs, void* handle, const char* sym))(void) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xDlSym(r, handle, sym);
}
void VfsDlClose(sqlite3_vfs* vfs, void* handle) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  r->xDlClose(r, handle);
}
int VfsRandomness(sqlite3_vfs* vfs, int n, char* out) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xRandomness(r, n, out);
}
int VfsSleep(sqlite3_vfs* vfs, int micros) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xSleep(r, micros);
}
int VfsCurrentTime(sqlite3_vfs* vfs, double* out) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xCurrentTime(r, out);
}
int VfsGetLastError(sqlite3_vfs* vfs, int n, char* out) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xGetLastError != nullptr ? r->xGetLastError(r, n, out) : 0;
}
int VfsCurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  sqlite3_vfs* r = static_cast<VfsContext*>(vfs->pAppData)->real;
  return r->xCurrentTimeInt64(r, out);
}

std::atomic<int64_t> next_vfs_id{0};

}  // namespace

absl::StatusOr<std::unique_ptr<CountingVfs>> CountingVfs::Register() {
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (real == nullptr) return absl::InternalError("sqlite has no default VFS");
  if (real->iVersion < 2) return absl::InternalError("sqlite's default VFS is too old (version < 2)");
  std::unique_ptr<CountingVfs> v(new CountingVfs());
  v->name_ = StrCat("cubelet-counting-", next_vfs_id.fetch_add(1));
  auto* ctx = new VfsContext{real, &v->counters_};
  sqlite3_vfs& vfs = v->vfs_;
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(CountingFile)) + real->szOsFile;
  vfs.mxPathname = real->mxPathname;
  vfs.zName = v->name_.c_str();
  vfs.pAppData = ctx;
  vfs.xOpen = VfsOpen;
  vfs.xDelete = VfsDelete;
  vfs.xAccess = VfsAccess;
  vfs.xFullPathname = VfsFullPathname;
  vfs.xDlOpen = VfsDlOpen;
  vfs.xDlError = VfsDlError;
  vfs.xDlSym = VfsDlSym;
  vfs.xDlClose = VfsDlClose;
  vfs.xRandomness = VfsRandomness;
  vfs.xSleep = VfsSleep;
  vfs.xCurrentTime = VfsCurrentTime;
  vfs.xGetLastError = VfsGetLastError;
  vfs.xCurrentTimeInt64 = VfsCurrentTimeInt64;
  int rc = sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  if (rc != SQLITE_OK) {
    delete ctx;
    vfs.pAppData = nullptr;
    return absl::InternalError(StrCat("register sqlite VFS ", v->name_, ": ", sqlite3_errstr(rc)));
  }
  return v;
}

CountingVfs::~CountingVfs() {
  if (vfs_.pAppData == nullptr) return;
  sqlite3_vfs_unregister(&vfs_);
  delete static_cast<VfsContext*>(vfs_.pAppData);
}

}  // namespace cubelet::storage::sqlite
