#pragma once
// Helpers for Linux tests: child processes that hold real objects until killed, and
// reading ipcscope's JSON.

#include "run_cmd.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <functional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace ipcscope::test {

/// A forked child that runs `setup` (which creates or opens objects), reports readiness
/// through a pipe, then sleeps until the destructor kills it.
class Holder {
public:
    explicit Holder(const std::function<bool()>& setup) {
        int p[2];
        if (::pipe(p) != 0) return;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::close(p[0]);
            const char ok = setup() ? 'y' : 'n';
            (void)!::write(p[1], &ok, 1);
            for (;;) ::pause();
        }
        ::close(p[1]);
        char c = 'n';
        m_ready = ::read(p[0], &c, 1) == 1 && c == 'y';
        ::close(p[0]);
    }
    ~Holder() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;
    [[nodiscard]] pid_t pid() const { return m_pid; }
    [[nodiscard]] bool ready() const { return m_ready; }

private:
    pid_t m_pid = -1;
    bool m_ready = false;
};

/// Runs `ipcscope list ARGS --json` and parses the output (null json on failure).
inline nlohmann::json listJson(const std::vector<std::string>& what) {
    std::vector<std::string> argv{IPCSCOPE_BIN, "list"};
    argv.insert(argv.end(), what.begin(), what.end());
    argv.push_back("--json");
    auto r = runCmd(argv);
    if (r.exitCode != 0) return nullptr;
    return nlohmann::json::parse(r.out, nullptr, false);
}

/// The first object with this kind and name, or null.
inline nlohmann::json findObject(const nlohmann::json& snap, const std::string& kind, const std::string& name) {
    if (!snap.is_object() || !snap.contains("objects")) return nullptr;
    for (const auto& o : snap["objects"])
        if (o["kind"] == kind && o["name"] == name) return o;
    return nullptr;
}

inline bool hasPid(const nlohmann::json& obj, long long pid) {
    if (!obj.is_object()) return false;
    for (const auto& p : obj["pids"])
        if (p.get<long long>() == pid) return true;
    return false;
}

/// A fresh temporary directory, removed with its content at the end.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/ipcscope-test-XXXXXX";
        if (char* d = ::mkdtemp(tmpl)) m_path = d;
    }
    ~TempDir() {
        if (!m_path.empty()) runCmd({"rm", "-rf", m_path});
    }
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

}  // namespace ipcscope::test
