#include "core/render.h"

#include <algorithm>
#include <cstdio>

namespace ipcscope::core {

nlohmann::ordered_json toJson(const IpcObject& obj) {
    nlohmann::ordered_json j;
    j["family"] = familyName(obj.family());
    j["kind"] = kindName(obj.kind);
    j["name"] = obj.name;
    j["pids"] = obj.pids;
    j["size"] = obj.size ? nlohmann::ordered_json(*obj.size) : nlohmann::ordered_json(nullptr);
    nlohmann::ordered_json details = obj.details.is_object() ? obj.details : nlohmann::ordered_json::object();
    if (!obj.holders.empty()) {
        auto& hs = details["holders"] = nlohmann::ordered_json::array();
        for (const auto& h : obj.holders) hs.push_back({{"pid", h.pid}, {"command", h.command}, {"how", h.how}});
    }
    j["details"] = std::move(details);
    if (obj.error) j["error"] = *obj.error;
    return j;
}

nlohmann::ordered_json toJson(const SnapshotError& err) {
    nlohmann::ordered_json j;
    j["family"] = err.family ? nlohmann::ordered_json(familyName(*err.family)) : nlohmann::ordered_json(nullptr);
    j["kind"] = err.kind ? nlohmann::ordered_json(kindName(*err.kind)) : nlohmann::ordered_json(nullptr);
    j["code"] = errcName(err.error.code);
    j["native_kind"] = nativeKindName(err.error.nativeKind);
    j["native"] = err.error.native;
    j["message"] = err.error.message();
    return j;
}

nlohmann::ordered_json toJson(const Snapshot& snap) {
    nlohmann::ordered_json j;
    j["host"] = snap.host;
    j["platform"] = platformName(snap.platform);
    j["taken_at"] = isoUtc(snap.takenAt);
    j["elevated"] = snap.elevated;
    j["duration_ms"] = static_cast<double>(snap.duration.count()) / 1000.0;
    j["denied_processes"] = snap.deniedProcesses;
    auto& fams = j["families"] = nlohmann::ordered_json::array();
    for (Family f : snap.families) fams.push_back(familyName(f));
    auto& objs = j["objects"] = nlohmann::ordered_json::array();
    for (const auto& o : snap.objects) objs.push_back(toJson(o));
    auto& errs = j["errors"] = nlohmann::ordered_json::array();
    for (const auto& e : snap.errors) errs.push_back(toJson(e));
    return j;
}

std::string renderJson(const Snapshot& snap) { return toJson(snap).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n"; }

std::string humanSize(std::optional<std::uint64_t> size) {
    if (!size) return "-";
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(*size);
    int u = 0;
    while (v >= 1024.0 && u < 4) { v /= 1024.0; ++u; }
    char buf[32];
    if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(*size));
    else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

std::string pidList(const std::vector<std::int64_t>& pids, std::size_t limit) {
    if (pids.empty()) return "-";
    std::string out;
    for (std::size_t i = 0; i < pids.size() && i < limit; ++i) {
        if (i) out += ',';
        out += std::to_string(pids[i]);
    }
    if (pids.size() > limit) out += ",+" + std::to_string(pids.size() - limit);
    return out;
}

std::string detailSummary(const IpcObject& obj) {
    std::string out;
    if (!obj.details.is_object()) return out;
    for (const auto& [key, value] : obj.details.items()) {
        if (value.is_structured() || value.is_null()) continue;
        if (!out.empty()) out += ' ';
        out += key;
        out += '=';
        out += value.is_string() ? value.get<std::string>() : value.dump();
    }
    if (obj.error) out += (out.empty() ? "" : " ") + std::string("error=") + *obj.error;
    return out;
}

namespace {

// Display width in code points, so UTF-8 names keep columns aligned.
std::size_t displayWidth(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string renderTable(const Snapshot& snap) {
    std::vector<std::array<std::string, 5>> rows;
    rows.push_back({"KIND", "NAME", "PIDS", "SIZE", "DETAILS"});
    for (const auto& o : snap.objects)
        rows.push_back({std::string(kindName(o.kind)), o.name, pidList(o.pids), humanSize(o.size), detailSummary(o)});
    std::array<std::size_t, 5> width{};
    for (const auto& r : rows)
        for (std::size_t c = 0; c < 4; ++c) width[c] = std::max(width[c], displayWidth(r[c]));
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t c = 0; c < 5; ++c) {
            line += r[c];
            if (c < 4) line.append(width[c] - displayWidth(r[c]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + '\n';
    }
    for (const auto& e : snap.errors) {
        out += "! ";
        if (e.kind) out += std::string(kindName(*e.kind)) + ": ";
        else if (e.family) out += std::string(familyName(*e.family)) + ": ";
        out += e.error.message() + '\n';
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "%zu objects on %s (%s) in %.1f ms", snap.objects.size(), snap.host.c_str(),
                  std::string(platformName(snap.platform)).c_str(), static_cast<double>(snap.duration.count()) / 1000.0);
    out += buf;
    if (snap.deniedProcesses > 0)
        out += "; " + std::to_string(snap.deniedProcesses) + " processes could not be read (run as " +
               (snap.platform == Platform::Windows ? "administrator" : "root") + " to see them)";
    out += '\n';
    return out;
}

}  // namespace ipcscope::core
