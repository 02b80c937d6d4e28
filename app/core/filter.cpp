#include "core/filter.h"

#include "base/text.h"
#include "core/columns.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ipcscope::core {
namespace {

using base::containsNoCase;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// Reads one possibly quoted word at `pos`; false on an unclosed quote.
bool readWord(std::string_view text, std::size_t& pos, std::string& out) {
    while (pos < text.size() && !isSpace(text[pos])) {
        if (text[pos] == '"') {
            const auto close = text.find('"', pos + 1);
            if (close == std::string_view::npos) return false;
            out.append(text.substr(pos + 1, close - pos - 1));
            pos = close + 1;
        } else {
            out.push_back(text[pos++]);
        }
    }
    return true;
}

bool holdsPid(const IpcObject& obj, std::int64_t pid) {
    if (std::binary_search(obj.pids.begin(), obj.pids.end(), pid)) return true;
    return std::any_of(obj.holders.begin(), obj.holders.end(), [&](const Holder& h) { return h.pid == pid; });
}

bool anyCommand(const IpcObject& obj, std::string_view value) {
    return std::any_of(obj.holders.begin(), obj.holders.end(),
                       [&](const Holder& h) { return containsNoCase(h.command, value); });
}

bool matchesBare(const IpcObject& obj, std::string_view value) {
    if (containsNoCase(obj.name, value) || containsNoCase(kindName(obj.kind), value) || anyCommand(obj, value)) return true;
    for (auto pid : obj.pids)
        if (containsNoCase(std::to_string(pid), value)) return true;
    return std::any_of(obj.holders.begin(), obj.holders.end(),
                       [&](const Holder& h) { return containsNoCase(std::to_string(h.pid), value); });
}

bool matchesTerm(const IpcObject& obj, const Filter::Term& t) {
    if (t.field.empty()) return matchesBare(obj, t.value);
    if (t.field == "pid") {
        std::int64_t pid = 0;
        std::from_chars(t.value.data(), t.value.data() + t.value.size(), pid);
        return holdsPid(obj, pid);
    }
    if (t.field == "kind") return containsNoCase(kindName(obj.kind), t.value);
    if (t.field == "name") return containsNoCase(obj.name, t.value);
    if (t.field == "family") return containsNoCase(familyName(obj.family()), t.value);
    if (t.field == "cmd" || t.field == "command") return anyCommand(obj, t.value);
    bool known = false;
    for (const auto& [label, value] : detailFields(obj)) {
        if (lower(label) != t.field) continue;
        if (containsNoCase(value, t.value)) return true;
        known = true;
    }
    // Not a field of this object ("pipe:[4242]", "C:\\x"): the whole term is a substring.
    return !known && matchesBare(obj, t.field + ":" + t.value);
}

}  // namespace

Result<Filter> Filter::parse(std::string_view text) {
    Filter f;
    std::size_t pos = 0;
    while (true) {
        while (pos < text.size() && isSpace(text[pos])) ++pos;
        if (pos >= text.size()) break;
        const std::size_t start = pos;
        Term t;
        if (text[pos] == '-') {
            t.negate = true;
            ++pos;
        }
        // A field name is letters, digits, '_' and '-' up to the first ':'.
        std::size_t nameEnd = pos;
        while (nameEnd < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[nameEnd])) || text[nameEnd] == '_' || text[nameEnd] == '-'))
            ++nameEnd;
        if (nameEnd > pos && nameEnd < text.size() && text[nameEnd] == ':') {
            t.field = lower(text.substr(pos, nameEnd - pos));
            pos = nameEnd + 1;
        }
        if (!readWord(text, pos, t.value))
            return Error::make(Errc::InvalidArgument, "unclosed quote in '" + std::string(text.substr(start)) + "'");
        const std::string term(text.substr(start, pos - start));
        if (t.value.empty()) {
            if (t.field.empty()) return Error::make(Errc::InvalidArgument, "'-' needs a term after it");
            return Error::make(Errc::InvalidArgument, "'" + term + "' needs a value after the ':'");
        }
        if (t.field == "pid" && !std::all_of(t.value.begin(), t.value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return Error::make(Errc::InvalidArgument, "'" + term + "': a PID is a number");
        f.m_terms.push_back(std::move(t));
    }
    return f;
}

bool Filter::matches(const IpcObject& obj) const {
    return std::all_of(m_terms.begin(), m_terms.end(), [&](const Term& t) { return matchesTerm(obj, t) != t.negate; });
}

}  // namespace ipcscope::core
