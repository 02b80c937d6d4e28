// Rows of named pipes and mailslots from directory entries and handle sightings (pipe_rows.h).

#include "base/text.h"
#include "platform/windows/pipe_rows.h"

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <map>

namespace ipcscope::win {
namespace {

constexpr std::uint32_t kUnlimited = 0xFFFFFFFFu;

struct Row {
    core::IpcObject obj;
    std::u16string name;  // the first spelling seen
    std::optional<Sighting> server;
    bool fromDirectory = false;
    bool fromHandles = false;
    std::optional<std::uint32_t> instances;
    std::optional<std::uint32_t> maxInstances;
    std::optional<PipeLocalInfo> pipe;
    std::optional<MailslotInfo> mailslot;
    std::vector<std::int64_t> servers;
    std::vector<std::int64_t> clients;
};

using Rows = std::map<std::u16string, Row>;

void addPid(std::vector<std::int64_t>& v, std::int64_t pid) {
    auto it = std::lower_bound(v.begin(), v.end(), pid);
    if (it == v.end() || *it != pid) v.insert(it, pid);
}

Row& rowFor(Rows& rows, std::u16string_view name, core::Kind kind) {
    auto [it, added] = rows.try_emplace(base::toLowerAscii(name));
    if (added) {
        it->second.obj.kind = kind;
        it->second.obj.name = toUtf8(name);
        it->second.name = std::u16string(name);
    }
    return it->second;
}

core::Holder holderOf(const Sighting& s, std::string_view role) {
    std::string how = fmt::format("handle 0x{:x}", static_cast<unsigned long long>(s.entry.handle));
    if (!role.empty()) how += ' ' + std::string(role);
    return core::Holder{static_cast<std::int64_t>(s.entry.pid), s.command, std::move(how)};
}

void commonDetails(Row& row) {
    auto& d = row.obj.details;
    d["ends"] = {{"server", row.servers}, {"client", row.clients}};
    d["source"] = row.fromDirectory && row.fromHandles ? "directory+handles"
                  : row.fromDirectory                  ? "directory"
                                                       : "handles";
}

}  // namespace

std::vector<PipeRow> mergePipeRows(std::span<const DirEntry> directory, std::span<const Sighting> sightings) {
    Rows rows;
    for (const auto& e : directory) {
        if (e.name.empty()) continue;
        Row& row = rowFor(rows, e.name, core::Kind::NamedPipe);
        row.fromDirectory = true;
        // npfs: EndOfFile = current instances, AllocationSize (low part) = maximum.
        row.instances = static_cast<std::uint32_t>(e.endOfFile);
        row.maxInstances = static_cast<std::uint32_t>(e.allocationSize);
    }
    for (const auto& s : sightings) {
        if (s.name.empty()) continue;
        Row& row = rowFor(rows, s.name, core::Kind::NamedPipe);
        row.fromHandles = true;
        std::string_view role;
        if (s.pipe) {
            const bool server = s.pipe->end == 1;
            role = server ? "server" : "client";
            addPid(server ? row.servers : row.clients, s.entry.pid);
            if (!row.fromDirectory && !row.instances) {
                row.instances = s.pipe->curInstances;
                row.maxInstances = s.pipe->maxInstances;
            }
            if (!row.pipe) row.pipe = s.pipe;
            if (server && !row.server) row.server = s;
        }
        row.obj.addHolder(holderOf(s, role));
    }

    std::vector<PipeRow> out;
    out.reserve(rows.size());
    for (auto& [key, row] : rows) {
        auto& d = row.obj.details;
        d["instances"] = row.instances ? nlohmann::ordered_json(*row.instances) : nlohmann::ordered_json(nullptr);
        // PIPE_UNLIMITED_INSTANCES is stored as 0xFFFFFFFF: null with unlimited=true.
        const bool unlimited = row.maxInstances && *row.maxInstances == kUnlimited;
        d["max_instances"] = (row.maxInstances && !unlimited) ? nlohmann::ordered_json(*row.maxInstances)
                                                              : nlohmann::ordered_json(nullptr);
        if (unlimited) d["unlimited"] = true;
        commonDetails(row);
        if (row.pipe) {
            d["type"] = (row.pipe->type & kPipeTypeMask) != 0 ? "message" : "byte";
            d["remote_clients"] = (row.pipe->type & kPipeRejectRemoteClients) != 0 ? "reject" : "accept";
            d["direction"] = row.pipe->configuration == 0   ? "inbound"
                             : row.pipe->configuration == 1 ? "outbound"
                                                            : "duplex";
            d["in_quota"] = row.pipe->inboundQuota;
            d["out_quota"] = row.pipe->outboundQuota;
        }
        out.push_back({std::move(row.obj), std::move(row.name), std::move(row.server)});
    }
    return out;
}

std::vector<core::IpcObject> mergePipes(std::span<const DirEntry> directory, std::span<const Sighting> sightings) {
    std::vector<core::IpcObject> out;
    for (auto& r : mergePipeRows(directory, sightings)) out.push_back(std::move(r.obj));
    return out;
}

DeepSource chooseDeepSource(const PipeRow& row, bool connectAllowed) noexcept {
    if (row.server) return DeepSource::ServerHandle;
    return connectAllowed ? DeepSource::Connect : DeepSource::None;
}

nlohmann::ordered_json deepFromServer(const Sighting& server) {
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    d["via"] = "server-handle";
    if (server.pipe) {
        const auto& p = *server.pipe;
        d["mode"] = (p.type & kPipeTypeMask) != 0 ? "message" : "byte";
        d["in_buffer"] = p.inboundQuota;
        d["out_buffer"] = p.outboundQuota;
        d["remote_clients"] = (p.type & kPipeRejectRemoteClients) != 0 ? "reject" : "accept";
    }
    d["server_pid"] = server.entry.pid;
    return d;
}

std::vector<core::IpcObject> mergeMailslots(std::span<const DirEntry> directory,
                                            std::span<const Sighting> sightings) {
    Rows rows;
    for (const auto& e : directory)
        if (!e.name.empty()) rowFor(rows, e.name, core::Kind::Mailslot).fromDirectory = true;
    for (const auto& s : sightings) {
        if (s.name.empty()) continue;
        Row& row = rowFor(rows, s.name, core::Kind::Mailslot);
        row.fromHandles = true;
        std::string_view role;
        if (s.mailslot) {
            role = "server";
            addPid(row.servers, s.entry.pid);
            if (!row.mailslot) row.mailslot = s.mailslot;
        } else if (s.duplicated) {
            role = "client";
            addPid(row.clients, s.entry.pid);
        }
        row.obj.addHolder(holderOf(s, role));
    }

    std::vector<core::IpcObject> out;
    out.reserve(rows.size());
    for (auto& [key, row] : rows) {
        auto& d = row.obj.details;
        if (row.mailslot) {
            const auto& m = *row.mailslot;
            d["max_message_size"] = m.maxMessageSize;
            d["next_size"] = m.nextSize ? nlohmann::ordered_json(*m.nextSize) : nlohmann::ordered_json(nullptr);
            d["pending"] = m.messageCount;
            // null: a read waits forever.
            d["read_timeout_ms"] = m.readTimeoutMs == kWaitForever ? nlohmann::ordered_json(nullptr)
                                                                   : nlohmann::ordered_json(m.readTimeoutMs);
        }
        commonDetails(row);
        out.push_back(std::move(row.obj));
    }
    return out;
}

}  // namespace ipcscope::win
