// ipcscope list [WHAT ...] [--json] [--filter TEXT] [--sort KEY]

#include "base/json.h"
#include "cli/commands.h"
#include "cli/self_doc.h"
#include "platform/collect.h"
#include "base/text.h"
#include "core/columns.h"
#include "core/platform.h"
#include "core/render.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

namespace ipcscope::cli {

void printError(const std::string& message) { std::fprintf(stderr, "ipcscope: %s\n", message.c_str()); }

namespace {

struct ListOptions {
    std::vector<std::string> what;
    bool json = false;
    std::string filter;
    std::string sort = "kind";
    std::vector<long long> pids;
    bool deep = false;
    std::vector<std::string> dbusAddresses;
    bool deepConnect = false;
};

bool matches(const core::IpcObject& o, const ListOptions& opt) {
    if (!opt.pids.empty() &&
        std::none_of(opt.pids.begin(), opt.pids.end(), [&](long long p) { return std::find(o.pids.begin(), o.pids.end(), p) != o.pids.end(); }))
        return false;
    if (opt.filter.empty()) return true;
    auto contains = [&](std::string_view hay) { return base::containsNoCase(hay, opt.filter); };
    if (contains(o.name) || contains(std::string(core::kindName(o.kind)))) return true;
    for (const auto& h : o.holders)
        if (contains(h.command)) return true;
    return false;
}

void sortObjects(std::vector<core::IpcObject>& objs, const std::string& key) {
    auto firstPid = [](const core::IpcObject& o) { return o.pids.empty() ? INT64_MAX : o.pids.front(); };
    if (key == "name")
        std::stable_sort(objs.begin(), objs.end(), [](auto& a, auto& b) { return a.name < b.name; });
    else if (key == "pid")
        std::stable_sort(objs.begin(), objs.end(), [&](auto& a, auto& b) { return firstPid(a) < firstPid(b); });
    else if (key == "size")
        std::stable_sort(objs.begin(), objs.end(), [](auto& a, auto& b) { return a.size.value_or(0) > b.size.value_or(0); });
}

std::string whatHelp() {
    std::string s = "Families or kinds to list (default: all).\nFamilies: ";
    for (auto f : core::kAllFamilies) s += std::string(core::familyName(f)) + ' ';
    s += "\nKinds: ";
    for (auto k : core::kAllKinds) s += std::string(core::kindName(k)) + ' ';
    return s;
}

}  // namespace

Runner addList(CLI::App& app) {
    auto opt = std::make_shared<ListOptions>();
    auto* cmd = app.add_subcommand("list", "Print a snapshot of live IPC objects as a table or JSON");
    std::vector<std::string> names{"all"};
    for (auto f : core::kAllFamilies) names.emplace_back(core::familyName(f));
    for (auto k : core::kAllKinds) names.emplace_back(core::kindName(k));
    cmd->add_option("what", opt->what, whatHelp())->check(valueHint(names));
    cmd->add_flag("--json", opt->json, "Print the snapshot as JSON (the stable contract for scripts)");
    cmd->add_option("-f,--filter", opt->filter, "Keep rows whose name, kind or holder command contains TEXT");
    cmd->add_option("-p,--pid", opt->pids, "Keep rows held by this process (repeatable)");
    cmd->add_flag("--deep", opt->deep,
                  "Windows: also read each named pipe's mode, buffer sizes, server PID and security descriptor "
                  "(SDDL) from the server end some process holds, duplicated from the handle table. Nothing "
                  "connects to the pipe. With --filter, only pipes whose name matches are looked at");
    cmd->add_flag("--deep-connect", opt->deepConnect,
                  "With --deep (implied): where no server end is visible (a protected or denied process holds "
                  "it), connect to the pipe as a client instead, labelled via=client-connect. The server sees a "
                  "client come and go, and a single-instance server is busy for that moment");
    cmd->add_option("--dbus-address", opt->dbusAddresses,
                    "Also list the names on this D-Bus bus (an address such as unix:path=/run/user/1000/bus; "
                    "repeatable). The system bus, ipcscope's own session bus and /run/user/UID/bus are found anyway")
        ->type_name("ADDR");
    cmd->add_option("-s,--sort", opt->sort, "Sort rows by kind, name, pid or size")
        ->check(CLI::IsMember({"kind", "name", "pid", "size"}));
    return [opt]() -> int {
        auto sel = core::parseSelection(opt->what);
        if (!sel) {
            printError(sel.error().message());
            return kExitUsage;
        }
        sel->deep = opt->deep || opt->deepConnect;
        sel->deepConnect = opt->deepConnect;
        sel->deepMatch = opt->filter;  // connect only to what will be shown
        sel->dbusAddresses = opt->dbusAddresses;
        platform::prepareOneShotHeap();  // one snapshot, printed, then exit
        core::Snapshot snap = core::takeSnapshot(*sel);
        std::erase_if(snap.objects, [&](const core::IpcObject& o) { return !matches(o, *opt); });
        sortObjects(snap.objects, opt->sort);
        if (opt->json) {
            // Streamed: a snapshot of tens of thousands of rows is megabytes of text.
            core::writeJson(snap, [](std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); });
        } else {
            core::Snapshot shown = snap;
            auto errors = std::move(shown.errors);
            shown.errors.clear();
            std::fputs(core::renderTable(shown).c_str(), stdout);
            for (const auto& e : errors) {
                std::string where = e.kind ? std::string(core::kindName(*e.kind))
                                           : e.family ? std::string(core::familyName(*e.family)) : std::string("snapshot");
                std::fprintf(stderr, "ipcscope: %s: %s\n", where.c_str(), e.error.message().c_str());
            }
        }
        std::fflush(stdout);
        // The process exits next and the system takes its memory back at once: freeing tens of
        // thousands of rows block by block would cost a tenth of the snapshot. Kept reachable
        // (volatile: the store must stay, so that a leak checker still sees the rows).
        [[maybe_unused]] static core::Snapshot* volatile exiting = nullptr;
        exiting = new core::Snapshot(std::move(snap));
        return kExitOk;
    };
}

Runner addKinds(CLI::App& app) {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("kinds", "Show which kinds of object ipcscope knows and where each exists");
    cmd->add_flag("--json", *json, "Print as JSON");
    return [json]() -> int {
        const auto here = platform::current();
        if (*json) {
            nlohmann::ordered_json j = nlohmann::ordered_json::array();
            for (auto k : core::kAllKinds)
                j.push_back({{"kind", core::kindName(k)},
                             {"family", core::familyName(core::familyOf(k))},
                             {"linux", core::kindSupported(k, core::Platform::Linux)},
                             {"windows", core::kindSupported(k, core::Platform::Windows)},
                             {"here", core::kindSupported(k, here)}});
            std::puts(base::dumpJson(j, 2).c_str());
            return kExitOk;
        }
        std::printf("%-20s %-10s %-6s %-8s\n", "KIND", "FAMILY", "LINUX", "WINDOWS");
        for (auto k : core::kAllKinds)
            std::printf("%-20s %-10s %-6s %-8s\n", std::string(core::kindName(k)).c_str(),
                        std::string(core::familyName(core::familyOf(k))).c_str(),
                        core::kindSupported(k, core::Platform::Linux) ? "yes" : "-",
                        core::kindSupported(k, core::Platform::Windows) ? "yes" : "-");
        return kExitOk;
    };
}

}  // namespace ipcscope::cli
