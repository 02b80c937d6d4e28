#pragma once
// The SDL2 + Dear ImGui monitor.

#include <optional>
#include <string>

namespace ipcscope::gui {

struct Options {
    std::string screenshot;     ///< write a PNG of the window after `frames` frames, then exit
    int frames = 60;            ///< frames to render before the screenshot (with --screenshot)
    std::string tab = "overview";  ///< tab at start: overview, processes, graph, a family, throughput
    std::string probe;          ///< start this probe transport at launch (Throughput tab)
    bool probeSweep = false;    ///< ... as a message-size sweep
    bool probePingPong = false; ///< ... in ping-pong mode
    int probeMegabytes = 0;     ///< ... moving at most this many MiB per run (0: the tab's default)
    int probeSeconds = 0;       ///< ... for at most this many seconds per run (0: the tab's default)
    std::string probeDir;       ///< ... with the probe executables of this folder
    int intervalMs = 2000;      ///< refresh period
    std::string sendTarget;     ///< open "Send test message..." for this TARGET at start
    int width = 1280;
    int height = 800;
    std::string testScript;  ///< test hook: a script of injected input events (see test_hook.h)
    std::string testOutput;  ///< where the test script writes what the window showed
};

/// Runs the monitor. Returns the process exit code (2 when there is no display).
int run(const Options& options);

}  // namespace ipcscope::gui
