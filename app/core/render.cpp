#include "core/render.h"

#include "base/json.h"
#include "base/utf8.h"
#include "base/text.h"
#include "core/columns.h"
#include "core/target.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace ipcscope::core {

nlohmann::ordered_json toJson(const IpcObject& obj) {
    nlohmann::ordered_json j;
    j["family"] = familyName(obj.family());
    j["kind"] = kindName(obj.kind);
    j["name"] = obj.name;
    const auto target = targetOf(obj);
    j["target"] = target ? nlohmann::ordered_json(*target) : nlohmann::ordered_json(nullptr);
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

namespace {

// Writes the same bytes as base::dumpJson(toJson(snap), 2) without building the tree:
// a snapshot of tens of thousands of objects would otherwise spend most of its time allocating
// and freeing JSON nodes. Anything unusual (escapes, non-ASCII, floating point) is handed to
// nlohmann for that one scalar, so the output format has a single definition.
class JsonWriter {
    // A comma, a newline and more indentation than any snapshot nests.
    static constexpr std::string_view kLead =
        ",\n                                                                                                ";

public:
    explicit JsonWriter(std::string& out) : m_out(out) {}

    /// Hands what is written so far to `sink` once it passes `atLeast` bytes (none: keep all).
    void flushTo(const JsonSink* sink, std::size_t atLeast) {
        if (!sink || m_out.size() < atLeast) return;
        (*sink)(m_out);
        m_out.clear();
    }

    void string(std::string_view s) {
        bool plain = true;
        for (char c : s) {
            const auto u = static_cast<unsigned char>(c);
            plain &= u >= 0x20 && u < 0x7f && c != '"' && c != '\\';
        }
        if (plain) {
            m_out += '"';  // appended, not resized: a resize would clear the bytes before the copy
            m_out.append(s.data(), s.size());
            m_out += '"';
        } else {
            m_out += base::jsonString(s);
        }
    }
    void integer(std::int64_t v) { number(v); }
    void unsignedInteger(std::uint64_t v) { number(v); }
    template <class T>
    void number(T v) {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
        m_out.append(buf, static_cast<std::size_t>(end - buf));
    }
    void scalar(const nlohmann::ordered_json& j) {
        m_out += base::dumpJson(j);
    }

    void value(const nlohmann::ordered_json& j, int indent) {
        switch (j.type()) {
        case nlohmann::ordered_json::value_t::string: string(j.get_ref<const std::string&>()); break;
        case nlohmann::ordered_json::value_t::number_integer: integer(j.get<std::int64_t>()); break;
        case nlohmann::ordered_json::value_t::number_unsigned: unsignedInteger(j.get<std::uint64_t>()); break;
        case nlohmann::ordered_json::value_t::boolean: m_out += j.get<bool>() ? "true" : "false"; break;
        case nlohmann::ordered_json::value_t::null: m_out += "null"; break;
        case nlohmann::ordered_json::value_t::object:
            if (j.empty()) {
                m_out += "{}";
                break;
            }
            open('{');
            for (auto it = j.begin(); it != j.end(); ++it) {
                key(it.key(), indent + 2);
                value(it.value(), indent + 2);
                afterValue();
            }
            close('}', indent);
            break;
        case nlohmann::ordered_json::value_t::array:
            if (j.empty()) {
                m_out += "[]";
                break;
            }
            open('[');
            for (const auto& v : j) {
                item(indent + 2);
                value(v, indent + 2);
                afterValue();
            }
            close(']', indent);
            break;
        default: scalar(j); break;
        }
    }

    // Containers: open, then key()/item() before each member, then close.
    void open(char c) {
        m_out += c;
        m_first = true;
    }
    void key(std::string_view k, int indent) {
        item(indent);
        string(k);
        m_out += ": ";
    }
    void item(int indent) {
        // ",\n" and the indentation in one append.
        const std::string_view lead = kLead.substr(m_first ? 1 : 0, (m_first ? 1 : 2) + static_cast<std::size_t>(indent));
        m_out.append(lead.data(), lead.size());
    }
    void close(char c, int indent) {
        const std::string_view lead = kLead.substr(1, 1 + static_cast<std::size_t>(indent));
        m_out.append(lead.data(), lead.size());
        m_out += c;
        m_first = false;
    }
    void afterValue() { m_first = false; }

private:
    std::string& m_out;
    bool m_first = true;
};

// NOTE: every value written must be followed by afterValue() (done by the helpers below) so
// the next member gets its comma.
struct Emit {
    JsonWriter& w;
    template <class F>
    void member(std::string_view k, int indent, F&& write) {
        w.key(k, indent);
        write();
        w.afterValue();
    }
    void json(std::string_view k, int indent, const nlohmann::ordered_json& v) {
        member(k, indent, [&] { w.value(v, indent); });
    }
    void str(std::string_view k, int indent, std::string_view v) {
        member(k, indent, [&] { w.string(v); });
    }
};

void writeHolders(JsonWriter& w, const std::vector<Holder>& holders, int indent) {
    Emit e{w};
    w.open('[');
    for (const auto& h : holders) {
        w.item(indent + 2);
        w.open('{');
        e.member("pid", indent + 4, [&] { w.integer(h.pid); });
        e.str("command", indent + 4, h.command);
        e.str("how", indent + 4, h.how);
        w.close('}', indent + 2);
        w.afterValue();
    }
    w.close(']', indent);
}

void writeObject(JsonWriter& w, const IpcObject& obj, int indent) {
    Emit e{w};
    const int in = indent + 2;
    w.open('{');
    e.str("family", in, familyName(obj.family()));
    e.str("kind", in, kindName(obj.kind));
    e.str("name", in, obj.name);
    e.member("target", in, [&] {
        if (const auto target = targetOf(obj)) w.string(*target);
        else w.scalar(nullptr);
    });
    e.member("pids", in, [&] {
        if (obj.pids.empty()) {
            w.scalar(nlohmann::ordered_json::array());
            return;
        }
        w.open('[');
        for (auto pid : obj.pids) {
            w.item(in + 2);
            w.integer(pid);
            w.afterValue();
        }
        w.close(']', in);
    });
    e.member("size", in, [&] {
        if (obj.size) w.unsignedInteger(*obj.size);
        else w.scalar(nullptr);
    });
    e.member("details", in, [&] {
        const bool isObject = obj.details.is_object();
        const bool withHolders = !obj.holders.empty();
        if ((!isObject || obj.details.empty()) && !withHolders) {
            w.scalar(nlohmann::ordered_json::object());
            return;
        }
        w.open('{');
        bool holdersDone = false;
        if (isObject) {
            for (auto it = obj.details.begin(); it != obj.details.end(); ++it) {
                if (withHolders && it.key().size() == 7 && it.key() == "holders") {  // toJson replaces it in place
                    e.member("holders", in + 2, [&] { writeHolders(w, obj.holders, in + 2); });
                    holdersDone = true;
                    continue;
                }
                e.json(it.key(), in + 2, it.value());
            }
        }
        if (withHolders && !holdersDone) e.member("holders", in + 2, [&] { writeHolders(w, obj.holders, in + 2); });
        w.close('}', in);
    });
    if (obj.error) e.str("error", in, *obj.error);
    w.close('}', indent);
}

// The text is written into `out`; with a sink, `out` is handed to it and emptied every
// kJsonChunk bytes, so a snapshot of tens of thousands of rows never holds its megabytes of
// text in memory at once (fresh memory costs a page fault per 4 KiB).
constexpr std::size_t kJsonChunk = 64 * 1024;

void writeSnapshot(const Snapshot& snap, std::string& out, const JsonSink* sink) {
    JsonWriter w(out);
    Emit e{w};
    w.open('{');
    e.str("host", 2, snap.host);
    e.str("platform", 2, platformName(snap.platform));
    e.str("taken_at", 2, isoUtc(snap.takenAt));
    e.json("elevated", 2, snap.elevated);
    e.json("duration_ms", 2, static_cast<double>(snap.duration.count()) / 1000.0);
    e.member("denied_processes", 2, [&] { w.unsignedInteger(snap.deniedProcesses); });
    auto fams = nlohmann::ordered_json::array();
    for (Family f : snap.families) fams.push_back(familyName(f));
    e.json("families", 2, fams);
    e.member("objects", 2, [&] {
        if (snap.objects.empty()) {
            w.scalar(nlohmann::ordered_json::array());
            return;
        }
        w.open('[');
        for (const auto& o : snap.objects) {
            w.item(4);
            writeObject(w, o, 4);
            w.afterValue();
            w.flushTo(sink, kJsonChunk);
        }
        w.close(']', 2);
    });
    auto errs = nlohmann::ordered_json::array();
    for (const auto& err : snap.errors) errs.push_back(toJson(err));
    e.json("errors", 2, errs);
    w.close('}', 0);
    out += '\n';
    w.flushTo(sink, 0);
}

}  // namespace

std::string renderJson(const Snapshot& snap) {
    std::string out;
    out.reserve(4096 + snap.objects.size() * 768);  // a pretty-printed row takes 400-700 bytes
    writeSnapshot(snap, out, nullptr);
    return out;
}

void writeJson(const Snapshot& snap, const JsonSink& sink) {
    std::string chunk;
    chunk.reserve(kJsonChunk + 16 * 1024);  // a chunk ends after the row that passes kJsonChunk
    writeSnapshot(snap, chunk, &sink);
}

std::string humanSize(std::optional<std::uint64_t> size) {
    if (!size) return "-";
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(*size);
    int u = 0;
    while (v >= 1024.0 && u < 4) { v /= 1024.0; ++u; }
    if (u == 0) return fmt::format("{} B", *size);
    return fmt::format("{:.1f} {}", v, units[u]);
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
        out += value.is_string() ? base::escapeInvalidUtf8(value.get_ref<const std::string&>()) : base::dumpJson(value);
    }
    if (obj.error) out += (out.empty() ? "" : " ") + std::string("error=") + *obj.error;
    return out;
}

std::string renderTable(const Snapshot& snap) {
    // One family on show: its own columns, as in the GUI's tab. Several: the generic ones.
    std::optional<Family> only;
    if (snap.families.size() == 1) only = snap.families.front();
    for (const auto& o : snap.objects) {
        if (!only) only = o.family();
        if (o.family() != *only) {
            only.reset();
            break;
        }
    }
    const auto& columns = only ? columnsFor(*only) : genericColumns();

    std::vector<std::vector<std::string>> rows;
    rows.reserve(snap.objects.size() + 1);
    rows.emplace_back();
    for (const auto& c : columns) {
        rows.front().push_back(base::toUpperAscii(c.header));
    }
    for (const auto& o : snap.objects) {
        auto& r = rows.emplace_back();
        for (const auto& c : columns) r.push_back(base::escapeInvalidUtf8(c.text(o)));
    }
    // Columns empty in every row (queues of FIFOs, say) are left out.
    std::vector<std::size_t> shown;
    std::vector<std::size_t> width(columns.size(), 0);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        bool any = rows.size() == 1;
        for (std::size_t r = 1; r < rows.size(); ++r) {
            width[c] = std::max(width[c], base::displayWidth(rows[r][c]));
            any = any || !rows[r][c].empty();
        }
        width[c] = std::max(width[c], base::displayWidth(rows[0][c]));
        if (any) shown.push_back(c);
    }
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < shown.size(); ++i) {
            const std::size_t c = shown[i];
            line += r[c];
            if (i + 1 < shown.size()) line.append(width[c] - base::displayWidth(r[c]) + 2, ' ');
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
    out += fmt::format("{} objects on {} ({}) in {:.1f} ms", snap.objects.size(), snap.host, platformName(snap.platform),
                       static_cast<double>(snap.duration.count()) / 1000.0);
    if (snap.deniedProcesses > 0)
        out += "; " + std::to_string(snap.deniedProcesses) + " processes could not be read (run as " +
               (snap.platform == Platform::Windows ? "administrator" : "root") + " to see them)";
    if (snap.unexaminedHandles > 0)
        out += "; " + std::to_string(snap.unexaminedHandles) + " handles left unexamined (see errors)";
    out += '\n';
    return out;
}

}  // namespace ipcscope::core
