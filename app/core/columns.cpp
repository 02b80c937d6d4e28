#include "core/columns.h"

#include "core/render.h"

#include <algorithm>
#include <cctype>

namespace ipcscope::core {

namespace {

// --- cell helpers ------------------------------------------------------------------------------

const nlohmann::ordered_json* field(const IpcObject& o, const char* key) {
    if (!o.details.is_object()) return nullptr;
    auto it = o.details.find(key);
    return it == o.details.end() ? nullptr : &*it;
}

std::string text(const nlohmann::ordered_json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ",") + text(x);
        return s;
    }
    return v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string get(const IpcObject& o, const char* key) {
    const auto* v = field(o, key);
    return v ? text(*v) : std::string();
}

std::string commands(const IpcObject& o) {
    std::vector<std::string> seen;
    for (const auto& h : o.holders)
        if (!h.command.empty() && std::find(seen.begin(), seen.end(), h.command) == seen.end()) seen.push_back(h.command);
    std::string s;
    for (const auto& c : seen) s += (s.empty() ? "" : ", ") + c;
    return s;
}

std::string kindCell(const IpcObject& o) { return std::string(kindName(o.kind)); }
std::string nameCell(const IpcObject& o) { return o.name; }
std::string pidsCell(const IpcObject& o) { return pidList(o.pids); }
std::int64_t firstPid(const IpcObject& o) { return o.pids.empty() ? -1 : o.pids.front(); }
std::string sizeCell(const IpcObject& o) { return humanSize(o.size); }
std::int64_t sizeNumber(const IpcObject& o) { return o.size ? static_cast<std::int64_t>(*o.size) : -1; }
std::string summaryCell(const IpcObject& o) { return detailSummary(o); }

// Pipes: FIFOs and Unix sockets show their state, anonymous pipes their writer -> reader flow.
std::string pipeState(const IpcObject& o) {
    switch (o.kind) {
    case Kind::UnixSocket: return get(o, "type") + " " + get(o, "state");
    case Kind::NamedPipe: {
        std::string t = get(o, "type");
        if (const auto d = get(o, "direction"); !d.empty()) t += (t.empty() ? "" : " ") + d;
        return t;
    }
    case Kind::Fifo:
        if (!field(o, "readers") || !field(o, "writers")) return {};
        return get(o, "readers") + " readers, " + get(o, "writers") + " writers";
    default: return {};
    }
}
// Named pipes: current / maximum instances.
std::string instances(const IpcObject& o) {
    if (o.kind != Kind::NamedPipe || !field(o, "instances")) return {};
    return get(o, "instances") + "/" + (field(o, "unlimited") ? std::string("unlimited") : get(o, "max_instances"));
}

std::string pipePeer(const IpcObject& o) {
    if (o.kind == Kind::NamedPipe) {
        const auto* ends = field(o, "ends");
        if (!ends || !ends->is_object()) return {};
        std::string out;
        for (const char* end : {"server", "client"})
            if (auto it = ends->find(end); it != ends->end() && it->is_array() && !it->empty())
                out += (out.empty() ? "" : ", ") + std::string(end) + " " + text(*it);
        return out;
    }
    if (o.kind == Kind::AnonPipe) {
        const auto chain = get(o, "chain");
        return chain.empty() ? get(o, "flow") : chain;
    }
    if (o.kind != Kind::UnixSocket) return {};
    std::string peer = get(o, "peer_name");
    if (peer.empty() && field(o, "peer")) peer = "socket:[" + get(o, "peer") + "]";
    if (const auto cmd = get(o, "peer_command"); !cmd.empty()) peer += (peer.empty() ? "" : " <-> ") + cmd + " (" + get(o, "peer_pids") + ")";
    if (field(o, "accept_pending")) peer += " (not accepted yet)";
    return peer;
}
std::string queues(const IpcObject& o) {
    if (field(o, "backlog")) return "backlog " + get(o, "backlog") + (field(o, "max_backlog") ? "/" + get(o, "max_backlog") : "");
    if (field(o, "recv_queue") || field(o, "send_queue")) return get(o, "recv_queue") + " / " + get(o, "send_queue");
    return {};
}

// Mappings.
std::string owner(const IpcObject& o) { return get(o, "owner"); }
std::string modeCell(const IpcObject& o) {
    const auto m = get(o, "mode");
    return m.empty() ? get(o, "perms") : m;
}
std::string mappedBy(const IpcObject& o) {
    if (o.kind == Kind::SysvShm) return "nattch " + get(o, "nattch");
    return std::to_string(o.holders.size()) + (o.holders.size() == 1 ? " holder" : " holders");
}
std::string keyOrInode(const IpcObject& o) {
    const auto key = get(o, "key");
    return key.empty() ? get(o, "inode") : key + " id " + get(o, "shmid");
}

// Sockets.
std::string protocol(const IpcObject& o) { return get(o, "protocol"); }
std::string local(const IpcObject& o) { return get(o, "local"); }
std::string remote(const IpcObject& o) { return o.name.find(" -> ") == std::string::npos ? std::string() : get(o, "remote"); }
std::string state(const IpcObject& o) { return get(o, "state"); }
std::string service(const IpcObject& o) { return get(o, "netbios"); }

// Clipboard.
std::string selection(const IpcObject& o) { return get(o, "selection"); }
std::string target(const IpcObject& o) { return get(o, "target"); }
std::string clipType(const IpcObject& o) {
    const auto err = get(o, "size_error");
    return err.empty() ? get(o, "type") + (field(o, "incr") ? " (INCR, at least)" : "") : err;
}
std::string clipOwner(const IpcObject& o) {
    if (!o.holders.empty()) return o.holders.front().command + " (" + std::to_string(o.holders.front().pid) + ")";
    const auto cls = get(o, "owner_class");
    return cls.empty() ? std::string("?") : cls;
}
std::string window(const IpcObject& o) { return get(o, "owner_window"); }

const std::vector<Column> kPipes{
    {"Kind", kindCell},
    {"Name", nameCell, nullptr, true},
    {"State", pipeState},
    {"Instances", instances},
    {"Flow / peer", pipePeer, nullptr, true},
    {"Queues", queues},
    {"PIDs", pidsCell, firstPid},
    {"Commands", commands, nullptr, true},
};
const std::vector<Column> kMappings{
    {"Kind", kindCell},
    {"Name", nameCell, nullptr, true},
    {"Size", sizeCell, sizeNumber},
    {"Owner", owner},
    {"Mode", modeCell},
    {"Key / inode", keyOrInode},
    {"Mapped by", mappedBy},
    {"PIDs", pidsCell, firstPid},
    {"Commands", commands, nullptr, true},
};
const std::vector<Column> kSockets{
    {"Protocol", protocol},
    {"Local", local, nullptr, true},
    {"Remote", remote, nullptr, true},
    {"State", state},
    {"Queues", queues},
    {"Service", service},
    {"PIDs", pidsCell, firstPid},
    {"Commands", commands, nullptr, true},
};
const std::vector<Column> kClipboard{
    {"Selection", selection},
    {"Target", target, nullptr, true},
    {"Size", sizeCell, sizeNumber},
    {"Type", clipType},
    {"Owner", clipOwner},
    {"Window", window},
};
const std::vector<Column> kGeneric{
    {"Kind", kindCell},
    {"Name", nameCell, nullptr, true},
    {"PIDs", pidsCell, firstPid},
    {"Size", sizeCell, sizeNumber},
    {"Details", summaryCell, nullptr, true},
};

}  // namespace

const std::vector<Column>& columnsFor(Family family) {
    switch (family) {
    case Family::Pipes: return kPipes;
    case Family::Mappings: return kMappings;
    case Family::Sockets: return kSockets;
    case Family::Clipboard: return kClipboard;
    default: return kGeneric;
    }
}

const std::vector<Column>& genericColumns() { return kGeneric; }

std::vector<std::pair<std::string, std::string>> detailFields(const IpcObject& obj) {
    std::vector<std::pair<std::string, std::string>> out{
        {"family", std::string(familyName(obj.family()))},
        {"kind", std::string(kindName(obj.kind))},
        {"name", obj.name},
        {"size", obj.size ? std::to_string(*obj.size) + " (" + humanSize(obj.size) + ")" : std::string("-")},
        {"pids", pidList(obj.pids, obj.pids.size())},
    };
    if (obj.details.is_object())
        for (auto it = obj.details.begin(); it != obj.details.end(); ++it)
            if (it.key() != "holders") out.emplace_back(it.key(), text(it.value()));
    if (obj.error) out.emplace_back("error", *obj.error);
    return out;
}

}  // namespace ipcscope::core
