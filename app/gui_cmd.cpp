// ipcscope gui [--screenshot FILE --frames N] [--tab FAMILY]

#include "cli/commands.h"
#include "cli/self_doc.h"
#include "probe_runner/runner.h"
#include "core/model.h"

#if IPCSCOPE_HAVE_GUI
#include "gui/chart.h"
#include "gui/gui.h"
#endif

#include <memory>

namespace ipcscope::cli {

namespace {
struct GuiArgs {
    std::string screenshot;
    int frames = 60;
    std::string tab = "overview";
    std::string probe;
    bool probeSweep = false;
    std::string probeMode = "bulk";
    int probeMegabytes = 0;
    int probeSeconds = 0;
    std::string probeDir;
    std::string sendTarget;
    int intervalMs = 2000;
    std::string size = "1280x800";
    std::string testScript;
    std::string testOutput;
};
}  // namespace

SweepChartWriter sweepChartWriter() {
#if IPCSCOPE_HAVE_GUI
    return gui::writeSweepChartPng;
#else
    return {};
#endif
}

Runner addGui(CLI::App& app) {
    auto a = std::make_shared<GuiArgs>();
    auto* cmd = app.add_subcommand("gui", "Open the live monitor (the default with no command)");
    cmd->add_option("--screenshot", a->screenshot, "Render, write a PNG of the window to FILE and exit");
    cmd->add_option("--frames", a->frames, "Frames to render before the screenshot")->check(CLI::Range(1, 100000));
    std::vector<std::string> fams{"overview", "processes", "graph", "changes"};
    for (auto f : core::kAllFamilies) fams.emplace_back(core::familyName(f));
    fams.emplace_back("throughput");
    cmd->add_option("--tab", a->tab, "Tab to open: overview, processes, graph, a family, changes or throughput")->check(CLI::IsMember(fams));
    std::vector<std::string> transports;
    for (const auto& t : probe::transports()) transports.emplace_back(t.name);
    cmd->add_option("--probe", a->probe, "Start the probe of this transport at launch (see 'probe run --help')")
        ->check(valueHint(transports));
    cmd->add_flag("--probe-sweep", a->probeSweep, "With --probe: run every message size from 64 B to 4 MiB and chart MiB/s by size");
    cmd->add_option("--probe-mode", a->probeMode, "With --probe: bulk or pingpong")->check(CLI::IsMember({"bulk", "pingpong"}));
    cmd->add_option("--probe-mib", a->probeMegabytes, "With --probe: MiB to move per run, at most (default 1024)")
        ->check(CLI::Range(1, static_cast<int>(probe::kMaxRunBytes >> 20)));
    cmd->add_option("--probe-seconds", a->probeSeconds, "With --probe: seconds per run, at most (default 5); a run ends at either limit")
        ->check(CLI::Range(1, 60));
    cmd->add_option("--probe-dir", a->probeDir, "With --probe: the folder of the probe executables (default: next to ipcscope)");
    cmd->add_option("--interval", a->intervalMs, "Refresh period in milliseconds")->check(CLI::Range(100, 3600000));
    cmd->add_option("--size", a->size, "Window size WIDTHxHEIGHT");
    cmd->add_option("--send-form", a->sendTarget, "Open the \"Send test message\" form for this TARGET");
    // The test hook: hidden from --help.
    cmd->add_option("--test-script", a->testScript, "Drive the window with the input events of this script")->group("");
    cmd->add_option("--test-output", a->testOutput, "Write what the window showed to this file")->group("");
    return [a]() -> int {
#if IPCSCOPE_HAVE_GUI
        gui::Options o;
        o.screenshot = a->screenshot;
        o.frames = a->frames;
        o.tab = a->tab;
        o.probe = a->probe;
        o.probeSweep = a->probeSweep;
        o.probePingPong = a->probeMode == "pingpong";
        o.probeMegabytes = a->probeMegabytes;
        o.probeSeconds = a->probeSeconds;
        o.probeDir = a->probeDir;
        o.intervalMs = a->intervalMs;
        o.sendTarget = a->sendTarget;
        o.testScript = a->testScript;
        o.testOutput = a->testOutput;
        if (!o.testScript.empty() && o.testOutput.empty()) {
            printError("--test-script needs --test-output FILE");
            return kExitUsage;
        }
        if (std::sscanf(a->size.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 200 || o.height < 150) {
            printError("--size takes WIDTHxHEIGHT, at least 200x150, e.g. 1280x800");
            return kExitUsage;
        }
        return gui::run(o);
#else
        printError("this build has no GUI; use 'ipcscope list' (add --json for scripts)");
        return kExitUsage;
#endif
    };
}

}  // namespace ipcscope::cli
