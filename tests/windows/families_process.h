#pragma once
// Test helpers for Windows: running a program with captured output and a timeout, a helper
// process that reports "key=value" lines and lives until it is stopped, and ipcscope's JSON.

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace ipcscope::test {

/// A build path ("/build/x.exe", as CMake knows it) as Wine sees it ("Z:\build\x.exe").
std::wstring wineVisiblePath(const std::string& buildPath);

struct RunResult {
    int exitCode = -1;  ///< -1 when it had to be killed
    std::string out;
    std::string err;
};

/// Runs `exe args...` with stdin empty and stdout/stderr captured.
RunResult runProgram(const std::wstring& exe, const std::vector<std::wstring>& args, unsigned timeoutMs = 60000);

/// `ipcscope list WHAT... --json`, parsed (null on failure; `raw` gets the output either way).
nlohmann::json listJson(const std::vector<std::wstring>& what, RunResult* raw = nullptr);

/// The objects of a kind whose name equals `name` (null json when none).
nlohmann::json findObject(const nlohmann::json& snap, const std::string& kind, const std::string& name);
/// Whether `pids` of an object holds `pid`.
bool hasPid(const nlohmann::json& obj, long long pid);

/// Starts a program that prints "key=value" lines and "ready=1", then runs until its stdin
/// closes. The destructor closes stdin and, if needed, terminates it.
class HelperProcess {
public:
    HelperProcess(const std::wstring& exe, const std::vector<std::wstring>& args, unsigned readyTimeoutMs = 20000);
    ~HelperProcess();
    HelperProcess(const HelperProcess&) = delete;
    HelperProcess& operator=(const HelperProcess&) = delete;

    [[nodiscard]] bool ready() const { return m_ready; }
    [[nodiscard]] long long pid() const { return m_pid; }
    /// The value reported for `key`, or "" when it was not reported.
    [[nodiscard]] std::string value(const std::string& key) const;
    [[nodiscard]] const std::string& transcript() const { return m_transcript; }

private:
    void* m_process = nullptr;
    void* m_stdinWrite = nullptr;
    long long m_pid = 0;
    bool m_ready = false;
    std::map<std::string, std::string> m_values;
    std::string m_transcript;
};

}  // namespace ipcscope::test
