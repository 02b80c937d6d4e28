// FIFOs, anonymous pipes and Unix domain sockets, from the shared /proc/*/fd walk, unix_diag
// and /proc/net/unix.

#include "platform/linux/collectors.h"
#include "platform/linux/diag_unix.h"

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unordered_set>

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
        // Open regular files outnumber FIFOs: only a path's first fd is stat'ed, and through
        // the fd link, so a FIFO in another mount namespace is still recognised.
        if (refs.empty()) continue;
        auto st = scan.fdStat(refs.front().pid, refs.front().fd);
        if (!st || !S_ISFIFO(st->st_mode)) continue;
        core::IpcObject obj;
        obj.kind = core::Kind::Fifo;
        obj.name = path;
        Details d(obj.details, 5);
        d.add("inode", static_cast<std::uint64_t>(st->st_ino));
        d.add("mode", octalMode(static_cast<unsigned>(st->st_mode)));
        d.add("uid", static_cast<std::uint64_t>(st->st_uid));
        addHolders(scan, refs, obj, true);
        std::size_t readers = 0, writers = 0;
        for (const auto& h : obj.holders) {
            readers += h.how.ends_with(" r") || h.how.ends_with(" rw");
            writers += h.how.ends_with(" w") || h.how.ends_with(" rw");
        }
        d.add("readers", readers);
        d.add("writers", writers);
        out.objects.push_back(std::move(obj));
    }
}

// --- anonymous pipes -------------------------------------------------------------------------

struct PipeEnds {
    std::uint64_t inode = 0;
    std::vector<std::int64_t> writers;  // unique pids holding a write end
    std::vector<std::int64_t> readers;  // unique pids holding a read end
};

void addUnique(std::vector<std::int64_t>& v, std::int64_t pid) {
    if (std::find(v.begin(), v.end(), pid) == v.end()) v.push_back(pid);
}

std::string procLabel(const ProcScan& scan, std::int64_t pid) {
    const auto& cmd = scan.command(pid);
    return std::to_string(pid) + (cmd.empty() ? std::string() : " " + cmd);
}

std::string endsLabel(const ProcScan& scan, const std::vector<std::int64_t>& pids) {
    if (pids.empty()) return "(none)";
    std::string s;
    for (auto pid : pids) s += (s.empty() ? "" : ", ") + procLabel(scan, pid);
    return s;
}

// A shell pipeline `a | b | c` is two pipes: a writes the first and b reads it, b writes the
// second and c reads it. Pipes whose ends are each held by a single process chain through
// the process in the middle; the walk stops where a process reads or writes several pipes.
class PipeGraph {
public:
    explicit PipeGraph(const std::vector<PipeEnds>& pipes) : m_pipes(pipes) {
        for (std::size_t i = 0; i < pipes.size(); ++i) {
            if (!simple(pipes[i])) continue;
            m_readsFrom[pipes[i].readers.front()].push_back(i);
            m_writesTo[pipes[i].writers.front()].push_back(i);
        }
    }

    /// The pids along the chain through pipe i (writer first), or empty if it is not simple.
    std::vector<std::int64_t> chain(std::size_t i) const {
        const auto& p = m_pipes[i];
        if (!simple(p)) return {};
        std::vector<std::int64_t> back{p.writers.front()}, fwd{p.readers.front()};
        std::unordered_set<std::int64_t> seen{p.writers.front(), p.readers.front()};
        constexpr std::size_t kMaxLength = 64;
        for (std::int64_t cur = back.back(); back.size() < kMaxLength;) {
            auto it = m_readsFrom.find(cur);
            if (it == m_readsFrom.end() || it->second.size() != 1) break;
            const std::int64_t prev = m_pipes[it->second.front()].writers.front();
            if (!seen.insert(prev).second) break;
            back.push_back(cur = prev);
        }
        for (std::int64_t cur = fwd.back(); fwd.size() < kMaxLength;) {
            auto it = m_writesTo.find(cur);
            if (it == m_writesTo.end() || it->second.size() != 1) break;
            const std::int64_t next = m_pipes[it->second.front()].readers.front();
            if (!seen.insert(next).second) break;
            fwd.push_back(cur = next);
        }
        std::vector<std::int64_t> out(back.rbegin(), back.rend());
        out.insert(out.end(), fwd.begin(), fwd.end());
        return out;
    }

private:
    static bool simple(const PipeEnds& p) {
        return p.writers.size() == 1 && p.readers.size() == 1 && p.writers.front() != p.readers.front();
    }
    const std::vector<PipeEnds>& m_pipes;
    std::map<std::int64_t, std::vector<std::size_t>> m_readsFrom, m_writesTo;
};

void collectAnonPipes(const ProcScan& scan, core::Snapshot& out) {
    std::vector<PipeEnds> ends;
    std::vector<core::IpcObject> objs;
    ends.reserve(scan.pipes().size());
    objs.reserve(scan.pipes().size());
    for (const auto& [inode, refs] : scan.pipes()) {
        core::IpcObject obj;
        obj.kind = core::Kind::AnonPipe;
        obj.name = "pipe:[" + std::to_string(inode) + "]";
        PipeEnds e{inode, {}, {}};
        for (FdRef ref : refs) {
            ref.mode = scan.fdMode(ref.pid, ref.fd);
            if (ref.mode == 'w' || ref.mode == 'u') addUnique(e.writers, ref.pid);
            if (ref.mode == 'r' || ref.mode == 'u') addUnique(e.readers, ref.pid);
            obj.addHolder(scan.holder(ref));
        }
        std::sort(e.writers.begin(), e.writers.end());
        std::sort(e.readers.begin(), e.readers.end());
        ends.push_back(std::move(e));
        objs.push_back(std::move(obj));
    }
    PipeGraph graph(ends);
    for (std::size_t i = 0; i < objs.size(); ++i) {
        auto& obj = objs[i];
        const auto& e = ends[i];
        Details d(obj.details, 6);
        d.add("inode", e.inode);
        d.add("flow", endsLabel(scan, e.writers) + " -> " + endsLabel(scan, e.readers));
        d.add("writers", e.writers);
        d.add("readers", e.readers);
        auto chain = graph.chain(i);
        if (chain.size() > 2) {
            std::string text;
            for (auto pid : chain) text += (text.empty() ? "" : " | ") + procLabel(scan, pid);
            d.add("chain", std::move(text));
            d.add("chain_pids", std::move(chain));
        }
        out.objects.push_back(std::move(obj));
    }
}

// --- Unix domain sockets ---------------------------------------------------------------------

std::string_view addressKind(const std::string& name) {
    return name.empty() ? "unnamed" : (name.front() == '@' ? "abstract" : "path");
}

void collectUnixFromProcText(const ProcScan& scan, core::Snapshot& out) {
    auto text = readSmallFile(scan.root() + "/net/unix");
    if (!text) {
        out.errors.push_back({core::Family::Pipes, core::Kind::UnixSocket,
                              core::Error::fromErrno(errno, "cannot read " + scan.root() + "/net/unix")});
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
        obj.details["address"] = addressKind(e.path);
        if (auto it = scan.sockets().find(e.inode); it != scan.sockets().end()) addHolders(scan, it->second, obj, false);
        out.objects.push_back(std::move(obj));
    }
    if (bad > 0)
        out.errors.push_back({core::Family::Pipes, core::Kind::UnixSocket,
                              core::Error::make(core::Errc::Malformed, std::to_string(bad) +
                                                                           " malformed lines in /net/unix were skipped")});
}

void collectUnixFromDiag(const ProcScan& scan, const std::vector<UnixDiagEntry>& entries, core::Snapshot& out) {
    std::unordered_map<std::uint64_t, const UnixDiagEntry*> byInode;
    byInode.reserve(entries.size());
    std::unordered_map<std::uint64_t, const UnixDiagEntry*> pendingAt;  // client inode -> listener
    for (const auto& e : entries) {
        byInode.emplace(e.inode, &e);
        for (auto client : e.pending) pendingAt.emplace(client, &e);
    }
    out.objects.reserve(out.objects.size() + entries.size());
    for (const auto& e : entries) {
        core::IpcObject obj;
        obj.kind = core::Kind::UnixSocket;
        obj.name = e.name.empty() ? "socket:[" + std::to_string(e.inode) + "]" : e.name;
        Details d(obj.details, 12);
        d.add("inode", e.inode);
        d.add("type", unixTypeName(e.type));
        d.add("state", unixDiagStateName(e.state));
        d.add("address", addressKind(e.name));
        const bool listening = e.state == 10;
        if (listening) {
            if (e.rqueue) d.add("backlog", *e.rqueue);
            if (e.wqueue) d.add("max_backlog", *e.wqueue);
            if (!e.pending.empty()) d.add("pending", e.pending);
        } else {
            if (e.rqueue) d.add("recv_queue", *e.rqueue);
            if (e.wqueue) d.add("send_queue", *e.wqueue);
        }
        if (e.uid) d.add("uid", *e.uid);
        if (e.shutdown && *e.shutdown) d.add("shutdown", *e.shutdown == 3 ? "both" : *e.shutdown == 1 ? "read" : "write");
        auto peerProcesses = [&](std::uint64_t inode) {
            auto sit = scan.sockets().find(inode);
            if (sit == scan.sockets().end()) return;
            std::vector<std::int64_t> pids;
            for (const auto& ref : sit->second) addUnique(pids, ref.pid);
            std::sort(pids.begin(), pids.end());
            d.add("peer_command", scan.command(pids.front()));
            d.add("peer_pids", std::move(pids));
        };
        if (e.peer && *e.peer) {
            d.add("peer", *e.peer);
            auto pit = byInode.find(*e.peer);
            if (pit != byInode.end() && !pit->second->name.empty()) d.add("peer_name", pit->second->name);
            peerProcesses(*e.peer);
        } else if (auto lit = pendingAt.find(e.inode); lit != pendingAt.end()) {
            // Connected but not yet accepted: the kernel's peer is an embryo socket without an
            // inode; the listener that will accept it is the useful peer.
            d.add("accept_pending", true);
            d.add("peer_name", lit->second->name);
            peerProcesses(lit->second->inode);
        }
        if (auto it = scan.sockets().find(e.inode); it != scan.sockets().end()) addHolders(scan, it->second, obj, false);
        out.objects.push_back(std::move(obj));
    }
}

void collectUnixSockets(const ProcScan& scan, core::Result<std::vector<UnixDiagEntry>>* diag, core::Snapshot& out) {
    // unix_diag describes the live kernel only; a fixture tree has its own net/unix.
    if (!diag) return collectUnixFromProcText(scan, out);
    if (!diag->ok()) {
        auto err = diag->error();
        err.context += "; peers and queues are not shown";
        out.errors.push_back({core::Family::Pipes, core::Kind::UnixSocket, std::move(err)});
        return collectUnixFromProcText(scan, out);
    }
    collectUnixFromDiag(scan, diag->value(), out);
}

}  // namespace

void collectPipes(const ProcScan& scan, core::Result<std::vector<UnixDiagEntry>>* diag, core::Snapshot& out) {
    collectFifos(scan, out);
    collectAnonPipes(scan, out);
    collectUnixSockets(scan, diag, out);
}

}  // namespace ipcscope::lnx
