#pragma once
// Test LANs in network namespaces: hosts joined by a bridge that lives in its own
// namespace, a private 10.x subnet that exists only inside them, removed in the destructor.
// And background processes whose output goes to files, killed and reaped at the end.

#include "run_cmd.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ipcscope::test {

/// Host indexes of a TestLan.
inline constexpr int kA = 0, kB = 1, kC = 2;

class TestLan {
public:
    /// Creates `hosts` namespaces named <prefix><pid>_a, _b, ... on 10.<octet>.0.0/24,
    /// host i at 10.<octet>.0.<i+1>, interface veth_<letter>.
    TestLan(const std::string& prefix, int hosts, int octet);
    ~TestLan();
    TestLan(const TestLan&) = delete;
    TestLan& operator=(const TestLan&) = delete;

    [[nodiscard]] bool ok() const { return m_ok; }
    [[nodiscard]] const std::string& error() const { return m_error; }
    [[nodiscard]] std::string ns(int host) const { return m_base + "_" + letter(host); }
    [[nodiscard]] std::string ip(int host) const { return m_net + std::to_string(host + 1); }
    [[nodiscard]] std::string dev(int host) const { return "veth_" + letter(host); }
    [[nodiscard]] std::string broadcast() const { return m_net + "255"; }
    /// argv prefixed with "ip netns exec NS".
    [[nodiscard]] std::vector<std::string> in(int host, std::vector<std::string> argv) const;
    /// Waits until something listens on UDP `port` in the host's namespace.
    bool waitUdpPort(int host, int port, std::chrono::milliseconds timeout) const;

private:
    static std::string letter(int host) { return std::string(1, static_cast<char>('a' + host)); }
    std::string m_base;
    std::string m_net;
    int m_hosts = 0;
    bool m_ok = false;
    std::string m_error;
};

/// A process started in the background with stdout and stderr in files.
class Background {
public:
    Background(const std::vector<std::string>& argv, const std::string& dir, const std::string& tag,
               const std::vector<std::string>& extraEnv = {});
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    /// Waits for the process to exit (SIGTERM, then SIGKILL, after `timeout`); returns its exit code.
    int wait(std::chrono::milliseconds timeout);
    void terminate();
    /// Sends `sig` to the process and its group (SIGSTOP/SIGCONT to freeze and resume it).
    void signal(int sig);
    /// The process id (ip netns exec replaces itself with the command, so this is the command).
    [[nodiscard]] int pid() const { return m_pid; }
    [[nodiscard]] std::string out() const;
    [[nodiscard]] std::string err() const;
    [[nodiscard]] bool running();

private:
    int m_pid = -1;
    int m_status = -1;
    std::string m_outPath, m_errPath;
};

/// Polls `done` every 100 ms until it returns true or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);

/// Lines of text, without empty ones.
std::vector<std::string> lines(const std::string& text);

}  // namespace ipcscope::test
