#pragma once
// A probe process whose stdout is read line by line through a pipe, with timeouts: reading
// never blocks longer than asked, and the destructor kills and reaps a child still running.

#include "core/result.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ipcscope::probe {

class ChildProcess {
public:
    /// Starts `exe` with `args`; its stdout goes to a pipe, stdin is empty, stderr to an
    /// unnamed temporary file (see stderrTail()).
    [[nodiscard]] static core::Result<std::unique_ptr<ChildProcess>> spawn(const std::string& exe,
                                                                           const std::vector<std::string>& args);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// The next line without its "\n"; nullopt at end of output. Errc::Timeout when no full
    /// line arrived within `timeout`; Errc::TooLarge when a line exceeds `maxLength` bytes.
    [[nodiscard]] core::Result<std::optional<std::string>> readLine(std::chrono::milliseconds timeout, std::size_t maxLength);
    /// Ends the process at once (SIGKILL to its process group / TerminateProcess).
    void kill();
    /// Waits up to `timeout` for the exit; then "exit code N" / "killed by signal N" in
    /// exitDescription(). Errc::Timeout when it is still running.
    [[nodiscard]] core::Status wait(std::chrono::milliseconds timeout);
    [[nodiscard]] bool exitedCleanly() const noexcept { return m_exited && m_exitCode == 0 && m_signal == 0; }
    [[nodiscard]] const std::string& exitDescription() const noexcept { return m_exitDescription; }
    [[nodiscard]] std::int64_t pid() const noexcept { return m_pid; }
    /// The last `maxBytes` of what the process wrote on stderr so far, from a line start when
    /// it was cut. Read it after the process ended (on Windows the file position is shared).
    [[nodiscard]] std::string stderrTail(std::size_t maxBytes) const;

private:
    ChildProcess() = default;
    /// A complete line (or the last bytes at end of file) from what was already read, an
    /// error for an over-long line, or nothing when more must be read first.
    [[nodiscard]] std::optional<core::Result<std::optional<std::string>>> takeBufferedLine(std::size_t maxLength);

    std::int64_t m_pid = 0;
    bool m_exited = false;
    int m_exitCode = -1;
    int m_signal = 0;
    std::string m_exitDescription = "still running";
    std::string m_buffer;
    bool m_eof = false;
#if defined(_WIN32)
    void* m_process = nullptr;
    void* m_stdout = nullptr;
    void* m_stderr = nullptr;
#else
    int m_stdout = -1;
    int m_stderr = -1;
#endif
};

/// The folder of the running executable ("" when it cannot be found).
[[nodiscard]] std::string executableDir();

}  // namespace ipcscope::probe
