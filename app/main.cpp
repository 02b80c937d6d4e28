// ipcscope: see inter-process communication. With no command, opens the GUI monitor.
//
// On Linux this file builds two programs. `ipcscope` (IPCSCOPE_FRONT) links neither SDL2 nor
// cpp-httplib, so a 'list' or 'send' does not map and relocate their sixty-odd libraries at every
// start; for 'gui' (the default), 'serve' and 'probe chart' it executes `ipcscope-full` with the
// same arguments. `ipcscope-full` is every command in one program, installed beside the probes.
// Elsewhere `ipcscope` is that one program.

#include "cli/commands.h"
#include "cli/self_doc.h"
#include "base/version.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#if IPCSCOPE_FRONT
#include "probe_runner/runner.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace {

/// The commands that need the libraries only ipcscope-full has: the GUI (also with no command),
/// the HTTP server, and the chart drawn with the GUI's renderer.
bool needsFullProgram(const CLI::App& app) {
    if (app.get_subcommands().empty()) return true;
    const CLI::App* sub = app.get_subcommands().front();
    const std::string& name = sub->get_name();
    return name == "gui" || name == "serve" || (name == "probe" && sub->got_subcommand("chart"));
}

/// Replaces this process with ipcscope-full and the same arguments; returns only on failure.
int runFullProgram(char** argv) {
    constexpr const char* kFull = "ipcscope-full";
    std::string tried;
    for (const auto& dir : ipcscope::probe::probeSearchDirs({})) {
        const std::string path = (std::filesystem::path(dir) / kFull).string();
        if (access(path.c_str(), X_OK) != 0) {
            tried += (tried.empty() ? "" : " or ") + path;
            continue;
        }
        argv[0] = const_cast<char*>(path.c_str());
        execv(path.c_str(), argv);
        ipcscope::cli::printError("cannot start " + path + ": " + std::strerror(errno));
        return ipcscope::cli::kExitFailure;
    }
    ipcscope::cli::printError(std::string("the GUI, 'serve' and 'probe chart' are in ") + kFull + ", which is not at " +
                              (tried.empty() ? std::string("the folder of ipcscope") : tried) +
                              " (reinstall ipcscope); 'ipcscope list' and the other commands work without it");
    return ipcscope::cli::kExitFailure;
}

}  // namespace
#endif

#ifdef _WIN32
#include "base/text.h"

#include <windows.h>
#include <shellapi.h>

namespace {

/// The arguments as UTF-8. main's argv is in the ANSI code page, which loses every character
/// that code page cannot hold (a --text "é" would arrive as "?" or an invalid byte).
std::vector<std::string> utf8Arguments(int argc, char** argv) {
    std::vector<std::string> out;
    int n = 0;
    if (LPWSTR* wide = CommandLineToArgvW(GetCommandLineW(), &n)) {
        for (int i = 0; i < n; ++i) out.push_back(ipcscope::base::utf16ToUtf8(reinterpret_cast<const char16_t*>(wide[i])));
        LocalFree(wide);
    }
    if (out.empty()) out.assign(argv, argv + argc);
    return out;
}

}  // namespace
#endif

int main(int argc, char** argv) {
#ifdef _WIN32
    std::vector<std::string> utf8 = utf8Arguments(argc, argv);
    std::vector<char*> utf8Argv;
    for (auto& a : utf8) utf8Argv.push_back(a.data());
    utf8Argv.push_back(nullptr);
    argc = static_cast<int>(utf8.size());
    argv = utf8Argv.data();
#endif
    using namespace ipcscope::cli;
    CLI::App app{"ipcscope: see every live named pipe, mailslot, shared-memory object, clipboard format and "
                 "socket on this machine and the LAN.\nWith no command it opens the GUI monitor.",
                 "ipcscope"};
    const std::string version(ipcscope::base::version());
    app.set_version_flag("-V,--version", "ipcscope " + version);
    int verbosity = 0;
    app.add_flag("-v,--verbose", verbosity, "More log output on stderr (repeat for debug)");
    bool man = false;
    app.add_flag("--man", man, "Print the manual page (roff) and exit");
    std::string completionShell;
    app.add_option("--completion", completionShell, "Print the completion script for SHELL and exit")
        ->type_name("SHELL")
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    app.require_subcommand(0, 1);
    app.fallthrough();

    std::map<std::string, Runner> runners;
    runners["list"] = addList(app);
    runners["kinds"] = addKinds(app);
    runners["gui"] = addGui(app);
    runners["send"] = addSend(app);
    runners["listen"] = addListen(app);
    runners["mailslot"] = addMailslot(app);
    runners["probe"] = addProbe(app, sweepChartWriter());
    runners["serve"] = addServe(app, serveRunner());
    Runner listNetbios = addListNetbios(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string msg = e.what();
        printError(msg + " (see 'ipcscope --help')");
        return kExitUsage;
    }

    if (man || !completionShell.empty()) {
        const std::string text = man ? manPage(app, version) : completionScript(app, completionShell);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
    }

#if IPCSCOPE_FRONT
    if (needsFullProgram(app)) return runFullProgram(argv);
#endif

    auto logger = spdlog::stderr_logger_mt("ipcscope");
    spdlog::set_default_logger(logger);
    spdlog::set_level(verbosity >= 2 ? spdlog::level::debug : verbosity == 1 ? spdlog::level::info : spdlog::level::warn);

    if (app.get_subcommand("list")->got_subcommand("netbios")) return listNetbios();
    for (auto* sub : app.get_subcommands())
        if (auto it = runners.find(sub->get_name()); it != runners.end()) return it->second();
    return runners["gui"]();
}
