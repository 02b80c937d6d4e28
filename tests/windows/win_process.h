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
