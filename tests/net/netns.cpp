#include "netns.h"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ipcscope::test {
namespace {

bool run(const std::vector<std::string>& argv, std::string& error) {
    auto r = runCmd(argv, 20);
    if (r.exitCode == 0) return true;
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    error = cmd + "failed: " + r.err;
    return false;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TestLan::TestLan(const std::string& prefix, int hosts, int octet) : m_hosts(hosts) {
    m_base = prefix + std::to_string(::getpid());
    m_net = "10." + std::to_string(octet) + ".0.";
    const std::string br = m_base + "_br";
    m_ok = run({"ip", "netns", "add", br}, m_error) && run({"ip", "-n", br, "link", "add", "br0", "type", "bridge"}, m_error) &&
           run({"ip", "-n", br, "link", "set", "br0", "up"}, m_error);
    for (int i = 0; m_ok && i < hosts; ++i) {
        const std::string n = ns(i), l = letter(i);
        m_ok = run({"ip", "netns", "add", n}, m_error) &&
               run({"ip", "link", "add", "veth_" + l, "netns", n, "type", "veth", "peer", "name", "br_" + l, "netns", br}, m_error) &&
               run({"ip", "-n", br, "link", "set", "br_" + l, "master", "br0"}, m_error) &&
               run({"ip", "-n", br, "link", "set", "br_" + l, "up"}, m_error) &&
               run({"ip", "-n", n, "addr", "add", ip(i) + "/24", "brd", broadcast(), "dev", "veth_" + l}, m_error) &&
               run({"ip", "-n", n, "link", "set", "veth_" + l, "up"}, m_error) &&
               run({"ip", "-n", n, "link", "set", "lo", "up"}, m_error);
    }
}

TestLan::~TestLan() {
    for (int i = 0; i < m_hosts; ++i) (void)runCmd({"ip", "netns", "del", ns(i)}, 20);
    (void)runCmd({"ip", "netns", "del", m_base + "_br"}, 20);
}

std::vector<std::string> TestLan::in(int host, std::vector<std::string> argv) const {
    std::vector<std::string> full{"ip", "netns", "exec", ns(host)};
    full.insert(full.end(), argv.begin(), argv.end());
    return full;
}

bool TestLan::waitUdpPort(int host, int port, std::chrono::milliseconds timeout) const {
    return eventually(
        [&] {
            auto r = runCmd(in(host, {"ss", "-Huln", "sport", "=", ":" + std::to_string(port)}), 10);
            return r.exitCode == 0 && !r.out.empty();
        },
        timeout);
}

Background::Background(const std::vector<std::string>& argv, const std::string& dir, const std::string& tag,
                       const std::vector<std::string>& extraEnv) {
    m_outPath = dir + "/" + tag + ".out";
    m_errPath = dir + "/" + tag + ".err";
    m_pid = ::fork();
    if (m_pid == 0) {
        ::setpgid(0, 0);
        const int o = ::open(m_outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(m_errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        for (const auto& kv : extraEnv) {
            auto eq = kv.find('=');
            if (eq != std::string::npos) ::setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
}

Background::~Background() {
    if (m_pid > 0) {
        ::kill(-m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
}

bool Background::running() {
    if (m_pid <= 0) return false;
    int st = 0;
    if (::waitpid(m_pid, &st, WNOHANG) == m_pid) {
        m_status = st;
        m_pid = -1;
        return false;
    }
    return true;
}

void Background::terminate() {
    if (m_pid > 0) ::kill(-m_pid, SIGTERM);
}

void Background::signal(int sig) {
    if (m_pid > 0) ::kill(-m_pid, sig);
}

int Background::wait(std::chrono::milliseconds timeout) {
    if (m_pid > 0) {
        if (!eventually([&] { return !running(); }, timeout)) {
            ::kill(-m_pid, SIGTERM);
            if (!eventually([&] { return !running(); }, std::chrono::seconds(3))) {
                ::kill(-m_pid, SIGKILL);
                ::waitpid(m_pid, &m_status, 0);
                m_pid = -1;
            }
        }
    }
    return WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -1;
}

std::string Background::out() const { return slurp(m_outPath); }
std::string Background::err() const { return slurp(m_errPath); }

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream s(text);
    std::string l;
    while (std::getline(s, l))
        if (!l.empty()) out.push_back(l);
    return out;
}

}  // namespace ipcscope::test
