#pragma once
// Helpers for the Windows tests: run a command capturing its output, and a helper process
// that holds real objects until the test ends.

#include <windows.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ipcscope::test {

struct WinRun {
    int exitCode = -1;  ///< -1 when it could not start or was killed at the timeout
    std::string out;
    std::string err;
};

/// Runs `argv` (the first element is the program path, Linux paths get a Z: prefix by the
/// build) and captures stdout and stderr.
WinRun runWin(const std::vector<std::string>& argv, DWORD timeoutMs = 60000);

/// A program running next to the test, its stdout and stderr on pipes that are only read when
/// data is there: neither it nor a process it starts (which may inherit the pipes) can block
/// the test. The destructor terminates it if it still runs.
class ChildProcess {
public:
    explicit ChildProcess(const std::vector<std::string>& argv);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// Waits until stdout or stderr contains `text`; false when the program ended or
    /// `timeoutMs` passed first.
    bool waitForOutput(const std::string& text, DWORD timeoutMs);
    /// Waits for the exit (terminating the program after `timeoutMs`, exit code -1) and
    /// returns what it printed.
    const WinRun& finish(DWORD timeoutMs = 60000);

private:
    void readAvailable();

    HANDLE m_process = nullptr;
    HANDLE m_out = nullptr;
    HANDLE m_err = nullptr;
    bool m_done = false;
    WinRun m_run;
};

/// The helper executable, started with arguments; ready() once it printed "ready PID".
class HelperProcess {
public:
    explicit HelperProcess(const std::vector<std::string>& args, DWORD timeoutMs = 30000);
    ~HelperProcess();
    HelperProcess(const HelperProcess&) = delete;
    HelperProcess& operator=(const HelperProcess&) = delete;

    [[nodiscard]] bool ready() const { return m_ready; }
    [[nodiscard]] std::uint32_t pid() const { return m_pid; }
    [[nodiscard]] const std::string& output() const { return m_line; }

private:
    HANDLE m_process = nullptr;
    std::uint32_t m_pid = 0;
    bool m_ready = false;
    std::string m_line;
};

/// A name unique to this test run: "ipcscope-test-<pid>-<tick>-<n>".
std::string uniqueName();

}  // namespace ipcscope::test
