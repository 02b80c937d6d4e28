#include "core/links.h"

#include <algorithm>

namespace ipcscope::core {
namespace {

std::string detailText(const IpcObject& o, const char* key) {
    if (!o.details.is_object()) return {};
    auto it = o.details.find(key);
    if (it == o.details.end()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

bool loopback(std::string_view address) {
    return address.rfind("127.", 0) == 0 || address.rfind("[::1]", 0) == 0 || address.rfind("::1", 0) == 0;
}

// A shared file mapping carries data between processes only when one of them can write it: a
// cache every program maps read-only (gconv-modules.cache, locale archives) links nobody.
bool somebodyWrites(const IpcObject& o) {
    for (const auto& h : o.holders)
        if (h.how.rfind("mmap ", 0) != 0 || (h.how.size() > 6 && h.how[6] == 'w')) return true;
    return false;
}

void sortUnique(std::vector<std::int64_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

LinkIndex::LinkIndex(const Snapshot& snap) {
    std::unordered_map<std::int64_t, ProcessInfo> procs;
    for (const auto& o : snap.objects) {
        for (std::int64_t pid : holdersOf(o)) {
            auto& p = procs[pid];
            p.pid = pid;
            ++p.objects;
            m_held[pid].push_back(&o);
        }
        for (const auto& h : o.holders)
            if (auto& p = procs[h.pid]; p.command.empty()) p.command = h.command;
        if (o.kind == Kind::TcpSocket) {
            const std::string local = detailText(o, "local");
            if (loopback(local)) m_tcpByLocal.emplace(local, &o);
        }
    }
    m_processes.reserve(procs.size());
    for (auto& [pid, p] : procs) m_processes.push_back(std::move(p));
    std::sort(m_processes.begin(), m_processes.end(), [](const auto& a, const auto& b) { return a.pid < b.pid; });
}

std::vector<std::int64_t> LinkIndex::holdersOf(const IpcObject& obj) const {
    std::vector<std::int64_t> pids = obj.pids;
    for (const auto& h : obj.holders) pids.push_back(h.pid);
    sortUnique(pids);
    return pids;
}

const ProcessInfo* LinkIndex::process(std::int64_t pid) const {
    auto it = std::lower_bound(m_processes.begin(), m_processes.end(), pid, [](const auto& p, std::int64_t v) { return p.pid < v; });
    return it != m_processes.end() && it->pid == pid ? &*it : nullptr;
}

std::vector<Link> LinkIndex::linksOf(std::int64_t pid) const {
    std::vector<Link> out;
    auto it = m_held.find(pid);
    if (it == m_held.end()) return out;
    for (const IpcObject* o : it->second) {
        Link l;
        l.object = o;
        for (const auto& h : o->holders)
            if (h.pid == pid && !h.how.empty()) l.how += (l.how.empty() ? "" : ", ") + h.how;
        if (o->kind != Kind::SharedFileMapping || somebodyWrites(*o)) l.others = holdersOf(*o);
        if (o->details.is_object())
            if (auto peers = o->details.find("peer_pids"); peers != o->details.end() && peers->is_array())
                for (const auto& p : *peers)
                    if (p.is_number_integer()) l.others.push_back(p.get<std::int64_t>());
        if (o->kind == Kind::TcpSocket) {
            const std::string remote = detailText(*o, "remote");
            if (auto peer = m_tcpByLocal.find(remote); loopback(remote) && peer != m_tcpByLocal.end())
                for (std::int64_t p : holdersOf(*peer->second)) l.others.push_back(p);
        }
        std::erase(l.others, pid);
        sortUnique(l.others);
        out.push_back(std::move(l));
    }
    return out;
}

}  // namespace ipcscope::core
