#pragma once
// The subcommands. Each registers its options on the CLI11 app and returns an exit code:
// 0 success, 1 runtime failure, 2 bad usage. Errors go to stderr as one sentence.

#include "core/result.h"
#include "core/throughput.h"

#include <CLI/CLI.hpp>

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
/// The GUI's chart writer where the GUI is built, else empty.
SweepChartWriter sweepChartWriter();
/// 'serve': the Prometheus exporter and JSON API over HTTP.
Runner addServe(CLI::App& app);
/// Adds "list netbios" under the list command (call after addList).
Runner addListNetbios(CLI::App& app);

/// Prints "ipcscope: MESSAGE" on stderr.
void printError(const std::string& message);

}  // namespace ipcscope::cli
