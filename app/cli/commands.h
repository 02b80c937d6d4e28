#pragma once
// The subcommands. Each registers its options on the CLI11 app and returns an exit code:
// 0 success, 1 runtime failure, 2 bad usage. Errors go to stderr as one sentence.

#include "core/result.h"
#include "core/throughput.h"

#include <CLI/CLI.hpp>

#include <cstddef>
#include <functional>
#include <string>

namespace ipcscope::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

/// A registered subcommand: run() is called when CLI11 selected it.
using Runner = std::function<int()>;

Runner addList(CLI::App& app);
Runner addKinds(CLI::App& app);
Runner addGui(CLI::App& app);
Runner addSend(CLI::App& app);
/// 'listen TARGET': create an endpoint and print what arrives.
Runner addListen(CLI::App& app);
Runner addMailslot(CLI::App& app);
/// Writes a sweep chart PNG: curves, title, width, height, path. Empty where there is no GUI.
using SweepChartWriter =
    std::function<core::Status(const std::vector<core::SweepCurve>&, const std::string&, int, int, const std::string&)>;
/// 'probe run TRANSPORT': throughput of one transport, measured by a probe executable;
/// 'probe chart RESULTS.json --out FILE.png': a sweep chart, drawn by `chart`.
Runner addProbe(CLI::App& app, SweepChartWriter chart);
/// The GUI's chart writer where this program has the GUI (gui_cmd.cpp), else empty.
SweepChartWriter sweepChartWriter();
/// The options of 'serve'.
struct ServeArgs {
    std::string listen = "127.0.0.1:9464";
    long long intervalMs = 5000;
    std::string mailslotIface;
    int mailslotPort = 138;
    std::size_t maxSeries = 500;
    std::size_t maxConnections = 256;
    double seconds = 0;
};
/// Runs the HTTP server with these options until a signal or --seconds; returns the exit code.
using ServeRunner = std::function<int(const ServeArgs&)>;
/// 'serve': the Prometheus exporter and JSON API over HTTP, carried out by `run`.
Runner addServe(CLI::App& app, ServeRunner run);
/// The HTTP server where this program has it (serve_cmd.cpp), else empty.
ServeRunner serveRunner();
/// Adds "list netbios" under the list command (call after addList).
Runner addListNetbios(CLI::App& app);

/// Prints "ipcscope: MESSAGE" on stderr.
void printError(const std::string& message);

}  // namespace ipcscope::cli
