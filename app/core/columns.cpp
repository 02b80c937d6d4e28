#include "core/columns.h"

#include "base/json.h"
#include "base/utf8.h"
#include "core/render.h"

#include <algorithm>
#include <cctype>

namespace ipcscope::core {

bool containsNoCase(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           }) != hay.end();
}

namespace {

// --- cell helpers ------------------------------------------------------------------------------

const nlohmann::ordered_json* field(const IpcObject& o, const char* key) {
    if (!o.details.is_object()) return nullptr;
    auto it = o.details.find(key);
    return it == o.details.end() ? nullptr : &*it;
}

std::string text(const nlohmann::ordered_json& v) {
    if (v.is_string()) return base::escapeInvalidUtf8(v.get_ref<const std::string&>());
    if (v.is_array()) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ",") + text(x);
        return s;
    }
    return base::dumpJson(v);
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
    for (const auto& c : seen) s += (s.empty() ? "" : ", ") + base::escapeInvalidUtf8(c);
    return s;
}

std::string kindCell(const IpcObject& o) { return std::string(kindName(o.kind)); }
std::string nameCell(const IpcObject& o) { return base::escapeInvalidUtf8(o.name); }
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
// Named pipes: whether the pipe accepts clients from other machines (PIPE_REJECT_REMOTE_CLIENTS).
std::string remoteClients(const IpcObject& o) { return o.kind == Kind::NamedPipe ? get(o, "remote_clients") : std::string(); }
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
// System V objects: the key and the id ipcs prints ("0x0000162e id 3").
std::string sysvId(const IpcObject& o) {
    for (const char* id : {"shmid", "msqid", "semid"})
        if (field(o, id)) return get(o, id);
    return {};
}
std::string keyOrInode(const IpcObject& o) {
    const auto key = get(o, "key");
    return key.empty() ? get(o, "inode") : key + " id " + sysvId(o);
}

// Queues: what is queued, and the limits where the kind has them (an ALPC port has none of these).
std::string queuedCell(const IpcObject& o) { return o.size ? humanSize(o.size) : std::string(); }
std::string messages(const IpcObject& o) {
    if (!field(o, "messages")) return {};
    return get(o, "messages") + (field(o, "max_messages") ? " / " + get(o, "max_messages") : std::string());
}
std::int64_t messageCount(const IpcObject& o) {
    const auto* v = field(o, "messages");
    return v && v->is_number() ? v->get<std::int64_t>() : -1;
}
std::string messageSize(const IpcObject& o) { return field(o, "message_size") ? humanSize(field(o, "message_size")->get<std::uint64_t>()) : std::string(); }
std::string lastUsers(const IpcObject& o) {
    if (field(o, "lspid")) return "send " + get(o, "lspid") + ", recv " + get(o, "lrpid");
    const auto notify = get(o, "notify_pid");
    return notify.empty() || notify == "0" ? std::string() : "notify " + notify;
}

// Sync objects: how many semaphores, or the state of an event, mutex or semaphore.
std::string syncState(const IpcObject& o) {
    if (o.kind == Kind::SysvSem) {
        const auto values = get(o, "values");
        return get(o, "nsems") + (get(o, "nsems") == "1" ? " semaphore" : " semaphores") + (values.empty() ? "" : " = " + values);
    }
    return get(o, "state");
}

// Services: where the name lives and who owns it.
std::string where(const IpcObject& o) {
    const auto bus = get(o, "bus");
    return bus.empty() ? get(o, "directory") : bus;
}
std::string serviceOwner(const IpcObject& o) {
    const auto unique = get(o, "owner");
    return unique.empty() ? get(o, "state") : unique;
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
    {"Remote clients", remoteClients},
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
const std::vector<Column> kQueues{
    {"Kind", kindCell},
    {"Name", nameCell, nullptr, true},
    {"Queued", queuedCell, sizeNumber},
    {"Messages", messages, messageCount},
    {"Msg size", messageSize},
    {"Owner", owner},
    {"Mode", modeCell},
    {"Key / id", keyOrInode},
    {"Last users", lastUsers},
    {"PIDs", pidsCell, firstPid},
    {"Commands", commands, nullptr, true},
};
const std::vector<Column> kSync{
    {"Kind", kindCell},
    {"Name", nameCell, nullptr, true},
    {"State", syncState, nullptr, true},
    {"Owner", owner},
    {"Mode", modeCell},
    {"Key / id", keyOrInode},
    {"PIDs", pidsCell, firstPid},
    {"Commands", commands, nullptr, true},
};
const std::vector<Column> kServices{
    {"Kind", kindCell},
    {"Name", nameCell, nullptr, true},
    {"Bus / directory", where},
    {"Owner", serviceOwner},
    {"PIDs", pidsCell, firstPid},
    {"Commands", commands},
    {"Details", summaryCell, nullptr, true},
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
    case Family::Queues: return kQueues;
    case Family::Sync: return kSync;
    case Family::Services: return kServices;
    default: return kGeneric;
    }
}

const std::vector<Column>& genericColumns() { return kGeneric; }

std::vector<std::pair<std::string, std::string>> detailFields(const IpcObject& obj) {
    std::vector<std::pair<std::string, std::string>> out{
        {"family", std::string(familyName(obj.family()))},
        {"kind", std::string(kindName(obj.kind))},
        {"name", base::escapeInvalidUtf8(obj.name)},
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
