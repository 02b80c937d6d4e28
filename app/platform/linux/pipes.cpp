// FIFOs, anonymous pipes and Unix domain sockets, from /proc/*/fd and /proc/net/unix.

#include "linux/collectors.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <sys/stat.h>

namespace ipcscope::lnx {
namespace {

void addHolders(const ProcScan& scan, const std::vector<FdRef>& refs, core::IpcObject& obj, bool withMode) {
    for (FdRef ref : refs) {
        if (withMode) ref.mode = scan.fdMode(ref.pid, ref.fd);
        obj.addHolder(scan.holder(ref));
    }
}

void collectFifos(const ProcScan& scan, core::Snapshot& out) {
    for (const auto& [path, refs] : scan.paths()) {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode)) continue;
        core::IpcObject obj;
        obj.kind = core::Kind::Fifo;
        obj.name = path;
        obj.details["inode"] = static_cast<std::uint64_t>(st.st_ino);
        obj.details["mode"] = [&] {
            char buf[8];
            std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(st.st_mode & 07777));
            return std::string(buf);
        }();
        obj.details["uid"] = static_cast<std::uint64_t>(st.st_uid);
        addHolders(scan, refs, obj, true);
        out.objects.push_back(std::move(obj));
    }
}

void collectAnonPipes(const ProcScan& scan, core::Snapshot& out) {
    for (const auto& [inode, refs] : scan.pipes()) {
        core::IpcObject obj;
        obj.kind = core::Kind::AnonPipe;
        obj.name = "pipe:[" + std::to_string(inode) + "]";
        obj.details["inode"] = inode;
        addHolders(scan, refs, obj, true);
        std::vector<std::int64_t> writers, readers;
        for (const auto& h : obj.holders) {
            const bool w = h.how.find(" w") != std::string::npos || h.how.find(" rw") != std::string::npos;
            const bool r = h.how.find(" r") != std::string::npos;
            if (w && std::find(writers.begin(), writers.end(), h.pid) == writers.end()) writers.push_back(h.pid);
            if (r && std::find(readers.begin(), readers.end(), h.pid) == readers.end()) readers.push_back(h.pid);
        }
        obj.details["writers"] = writers;
        obj.details["readers"] = readers;
        out.objects.push_back(std::move(obj));
    }
}

void collectUnixSockets(const ProcScan& scan, core::Snapshot& out) {
    auto text = readSmallFile(procRoot() + "/net/unix");
    if (!text) {
        out.errors.push_back({core::Family::Pipes, core::Kind::UnixSocket,
                              core::Error::fromErrno(errno, "cannot read " + procRoot() + "/net/unix")});
        return;
    }
    std::size_t bad = 0;
    for (auto& e : parseProcNetUnix(*text, &bad)) {
        core::IpcObject obj;
        obj.kind = core::Kind::UnixSocket;
        const bool listening = (e.flags & 0x10000u) != 0;
        obj.name = e.path.empty() ? "socket:[" + std::to_string(e.inode) + "]" : e.path;
        obj.details["inode"] = e.inode;
        obj.details["type"] = unixTypeName(e.type);
        obj.details["state"] = unixStateName(e.state, listening);
        obj.details["address"] = e.path.empty() ? "unnamed" : (e.path.front() == '@' ? "abstract" : "path");
        if (auto it = scan.sockets().find(e.inode); it != scan.sockets().end()) addHolders(scan, it->second, obj, false);
        out.objects.push_back(std::move(obj));
    }
    if (bad > 0)
        out.errors.push_back({core::Family::Pipes, core::Kind::UnixSocket,
                              core::Error::make(core::Errc::Malformed, std::to_string(bad) +
                                                                           " malformed lines in /net/unix were skipped")});
}

}  // namespace

void collectPipes(const ProcScan& scan, core::Snapshot& out) {
    collectFifos(scan, out);
    collectAnonPipes(scan, out);
    collectUnixSockets(scan, out);
}

}  // namespace ipcscope::lnx
