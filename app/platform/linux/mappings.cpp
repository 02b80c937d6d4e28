// Shared memory: POSIX shm objects in /dev/shm, System V segments, memfds, and MAP_SHARED
// mappings of regular files. Who maps what comes from /proc/PID/maps (shared lines only);
// who holds an fd comes from the shared fd walk.

#include "platform/linux/collectors.h"

#include "core/render.h"

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unordered_map>

namespace ipcscope::lnx {
namespace {

std::string& shmDirStorage() {
    static std::string dir = [] {
        const char* env = std::getenv("IPCSCOPE_SHM_DIR");
        return std::string(env && *env ? env : "/dev/shm");
    }();
    return dir;
}

// One process's shared mapping of some object, for the holder list.
struct Mapper {
    std::int64_t pid;
    std::string perms;
    std::uint64_t bytes;
};

struct MapIndex {
    std::map<std::string, std::vector<Mapper>> shm;  // /dev/shm path -> mappers
    std::map<std::uint64_t, std::vector<Mapper>> sysv;  // shmid -> mappers
    struct Memfd {
        std::string name;
        std::vector<Mapper> mappers;
    };
    std::map<std::uint64_t, Memfd> memfd;  // inode -> name, mappers
    struct File {
        std::string path;
        bool deleted = false;
        std::uint64_t inode = 0;
        std::uint32_t major = 0, minor = 0;
        std::vector<Mapper> mappers;
    };
    std::map<std::pair<std::uint64_t, std::uint64_t>, File> files;  // (dev, inode) -> file
};

void addMapper(std::vector<Mapper>& v, std::int64_t pid, const MapEntry& e) {
    const std::string perms(e.perms, 4);
    for (auto& m : v)
        if (m.pid == pid && m.perms == perms) {
            m.bytes += e.end - e.start;
            return;
        }
    v.push_back({pid, perms, e.end - e.start});
}

MapIndex indexMaps(const ProcScan& scan) {
    MapIndex idx;
    const std::string& shmDir = shmDirStorage();
    std::vector<std::pair<std::int64_t, std::vector<MapEntry>>> own;
    if (!scan.mapsRead()) {
        for (std::int64_t pid : scan.pids())
            if (auto text = scan.readPidFile(pid, "maps"))  // unreadable: the fd walk counted it
                own.push_back({pid, parseMaps(*text, true)});
    }
    for (const auto& [pid, entries] : scan.mapsRead() ? scan.sharedMaps() : own) {
        for (const auto& e : entries) {
            if (e.path.empty() || e.path.front() != '/') continue;  // anonymous shared memory
            if (e.path.starts_with("/SYSV")) {
                // The inode of a System V mapping is its shmid (ipc/shm.c, newseg).
                addMapper(idx.sysv[e.inode], pid, e);
            } else if (e.path.starts_with("/memfd:")) {
                auto& m = idx.memfd[e.inode];
                if (m.name.empty()) m.name = e.path.substr(7);
                addMapper(m.mappers, pid, e);
            } else if (e.path.size() > shmDir.size() && e.path.starts_with(shmDir) && e.path[shmDir.size()] == '/') {
                addMapper(idx.shm[e.path], pid, e);
            } else if (!e.path.starts_with("/dev/")) {  // device memory is not a file mapping
                auto& f = idx.files[{(std::uint64_t{e.devMajor} << 32) | e.devMinor, e.inode}];
                f.path = e.path;
                f.deleted = e.deleted;
                f.inode = e.inode;
                f.major = e.devMajor;
                f.minor = e.devMinor;
                addMapper(f.mappers, pid, e);
            }
        }
    }
    return idx;
}

void addMappers(const ProcScan& scan, const std::vector<Mapper>& mappers, core::IpcObject& obj) {
    std::uint64_t mapped = 0;
    for (const auto& m : mappers) {
        obj.addHolder({m.pid, scan.command(m.pid), "mmap " + m.perms + " " + core::humanSize(m.bytes)});
        mapped += m.bytes;
    }
    if (!mappers.empty()) obj.details["mapped_bytes"] = mapped;
}

void addFdHolders(const ProcScan& scan, const std::vector<FdRef>* refs, core::IpcObject& obj) {
    if (!refs) return;
    for (const auto& r : *refs) obj.addHolder(scan.holder(r));
}

void collectPosixShm(const ProcScan& scan, const MapIndex& idx, core::Snapshot& out) {
    const std::string& dir = shmDirStorage();
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        out.errors.push_back({core::Family::Mappings, core::Kind::PosixShm, core::Error::fromErrno(errno, "cannot list " + dir)});
        return;
    }
    const int dfd = ::dirfd(d);
    while (dirent* de = ::readdir(d)) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2]))) continue;
        struct stat st {};
        if (::fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // removed meanwhile
        if (!S_ISREG(st.st_mode)) continue;
        const std::string path = dir + '/' + de->d_name;
        core::IpcObject obj;
        obj.kind = core::Kind::PosixShm;
        // shm_open("/name") creates /dev/shm/name; semaphores appear as sem.NAME.
        obj.name = std::string("/") + de->d_name;
        obj.size = static_cast<std::uint64_t>(st.st_size);
        obj.details["path"] = path;
        obj.details["inode"] = static_cast<std::uint64_t>(st.st_ino);
        obj.details["owner"] = userName(st.st_uid);
        obj.details["uid"] = static_cast<std::uint64_t>(st.st_uid);
        obj.details["mode"] = octalMode(static_cast<unsigned>(st.st_mode));
        if (std::string_view(de->d_name).starts_with("sem.")) obj.details["semaphore"] = true;
        obj.details["modified"] = epochOrNull(st.st_mtime);
        if (auto it = idx.shm.find(path); it != idx.shm.end()) addMappers(scan, it->second, obj);
        if (auto it = scan.paths().find(path); it != scan.paths().end()) addFdHolders(scan, &it->second, obj);
        out.objects.push_back(std::move(obj));
    }
    ::closedir(d);
}

void collectSysvShm(const ProcScan& scan, const MapIndex& idx, core::Snapshot& out) {
    auto text = readSmallFile(scan.root() + "/sysvipc/shm");
    if (!text) {
        out.errors.push_back({core::Family::Mappings, core::Kind::SysvShm,
                              core::Error::fromErrno(errno, "cannot read " + scan.root() + "/sysvipc/shm")});
        return;
    }
    std::size_t bad = 0;
    for (const auto& e : parseSysvShm(*text, &bad)) {
        core::IpcObject obj;
        obj.kind = core::Kind::SysvShm;
        const std::string key = formatSysvKey(e.key);
        // IPC_PRIVATE segments all share key 0: the id tells them apart.
        obj.name = e.key == 0 ? "private/" + std::to_string(e.shmid) : key;
        obj.size = e.size;
        auto& d = obj.details;
        d["key"] = key;
        d["shmid"] = e.shmid;
        d["perms"] = octalMode(e.perms);
        d["owner"] = userName(e.uid);
        d["uid"] = e.uid;
        d["gid"] = e.gid;
        d["cuid"] = e.cuid;
        d["cgid"] = e.cgid;
        d["nattch"] = e.nattch;
        d["cpid"] = e.cpid;
        d["lpid"] = e.lpid;
        d["attached"] = epochOrNull(e.atime);
        d["detached"] = epochOrNull(e.dtime);
        d["changed"] = epochOrNull(e.ctime);
        if (e.rss) d["rss"] = *e.rss;
        if (e.perms & 01000) d["marked_for_removal"] = true;  // SHM_DEST
        if (auto it = idx.sysv.find(e.shmid); it != idx.sysv.end()) addMappers(scan, it->second, obj);
        out.objects.push_back(std::move(obj));
    }
    if (bad > 0)
        out.errors.push_back({core::Family::Mappings, core::Kind::SysvShm,
                              core::Error::make(core::Errc::Malformed, std::to_string(bad) + " malformed lines in sysvipc/shm were skipped")});
}

void collectMemfds(const ProcScan& scan, const MapIndex& idx, core::Snapshot& out) {
    // Several memfds may share a name: the inode identifies one.
    std::map<std::uint64_t, core::IpcObject> byInode;
    for (const auto& [name, refs] : scan.memfds()) {
        for (const auto& ref : refs) {
            auto st = scan.fdStat(ref.pid, ref.fd);
            if (!st) continue;  // closed meanwhile
            auto& obj = byInode[st->st_ino];
            if (obj.name.empty()) {
                obj.kind = core::Kind::Memfd;
                obj.name = "memfd:" + name;
                obj.size = static_cast<std::uint64_t>(st->st_size);
                obj.details["inode"] = static_cast<std::uint64_t>(st->st_ino);
                obj.details["owner"] = userName(st->st_uid);
            }
            obj.addHolder(scan.holder(ref));
        }
    }
    for (const auto& [inode, m] : idx.memfd) {
        auto& obj = byInode[inode];
        if (obj.name.empty()) {  // mapped, but no process keeps an fd to it
            obj.kind = core::Kind::Memfd;
            obj.name = "memfd:" + m.name;
            obj.details["inode"] = inode;
        }
        addMappers(scan, m.mappers, obj);
    }
    for (auto& [inode, obj] : byInode) out.objects.push_back(std::move(obj));
}

void collectSharedFiles(const ProcScan& scan, const MapIndex& idx, core::Snapshot& out) {
    for (const auto& [key, f] : idx.files) {
        core::IpcObject obj;
        obj.kind = core::Kind::SharedFileMapping;
        obj.name = f.path;
        obj.details["inode"] = f.inode;
        obj.details["device"] = fmt::format("{:02x}:{:02x}", f.major, f.minor);
        if (f.deleted) {
            obj.details["deleted"] = true;
        } else {
            struct stat st {};
            // The path is resolved in our mount namespace: trust it only if it is the same file.
            if (::stat(f.path.c_str(), &st) == 0 && st.st_ino == f.inode && major(st.st_dev) == f.major &&
                minor(st.st_dev) == f.minor)
                obj.size = static_cast<std::uint64_t>(st.st_size);
        }
        addMappers(scan, f.mappers, obj);
        out.objects.push_back(std::move(obj));
    }
}

}  // namespace

void collectMappings(const ProcScan& scan, core::Snapshot& out) {
    const MapIndex idx = indexMaps(scan);
    collectPosixShm(scan, idx, out);
    collectSysvShm(scan, idx, out);
    collectMemfds(scan, idx, out);
    collectSharedFiles(scan, idx, out);
}

}  // namespace ipcscope::lnx
