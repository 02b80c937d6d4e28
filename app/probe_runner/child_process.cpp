#include "probe_runner/child_process.h"

#include <algorithm>
#include <thread>

#if defined(_WIN32)
#include <windows.h>
#else
#include <cerrno>
#include <climits>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
extern char** environ;
#endif

namespace ipcscope::probe {

using core::Errc;
using core::Error;
using Clock = std::chrono::steady_clock;

std::optional<core::Result<std::optional<std::string>>> ChildProcess::takeBufferedLine(std::size_t maxLength) {
    using Line = core::Result<std::optional<std::string>>;
    if (const auto nl = m_buffer.find('\n'); nl != std::string::npos) {
        if (nl > maxLength) return Line(Error::make(Errc::TooLarge, "a line of " + std::to_string(nl) + " bytes"));
        std::string line = m_buffer.substr(0, nl);
        m_buffer.erase(0, nl + 1);
        return Line(std::optional<std::string>(std::move(line)));
    }
    if (m_buffer.size() > maxLength)
        return Line(Error::make(Errc::TooLarge, "more than " + std::to_string(maxLength) + " bytes without a line end"));
    if (m_eof) {
        if (m_buffer.empty()) return Line(std::optional<std::string>());
        std::string line = std::move(m_buffer);
        m_buffer.clear();
        return Line(std::optional<std::string>(std::move(line)));
    }
    return std::nullopt;
}

namespace {
/// `text` from its first line start when it was cut at `cut`.
std::string fromLineStart(std::string text, bool cut) {
    if (cut)
        if (const auto nl = text.find('\n'); nl != std::string::npos) text.erase(0, nl + 1);
    return text;
}
}  // namespace

#if defined(_WIN32)

core::Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const std::string& exe, const std::vector<std::string>& args) {
    SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE rd = nullptr, wr = nullptr;
    if (!CreatePipe(&rd, &wr, &sa, 1 << 16)) return Error::fromWin32(GetLastError(), "CreatePipe for the probe's output");
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    // stderr: a temporary file that goes away with its last handle.
    char dir[MAX_PATH + 1] = {}, name[MAX_PATH + 1] = {};
    HANDLE err = INVALID_HANDLE_VALUE;
    if (GetTempPathA(sizeof dir, dir) && GetTempFileNameA(dir, "ips", 0, name))
        err = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa, CREATE_ALWAYS,
                          FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, nullptr);
    std::string cmd = "\"" + exe + "\"";
    for (const auto& a : args) cmd += " \"" + a + "\"";
    STARTUPINFOA si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = nullptr;
    si.hStdOutput = wr;
    si.hStdError = err != INVALID_HANDLE_VALUE ? err : GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION pi{};
    std::vector<char> cmdline(cmd.begin(), cmd.end());
    cmdline.push_back('\0');
    const BOOL ok = CreateProcessA(exe.c_str(), cmdline.data(), nullptr, nullptr, TRUE, CREATE_NO_WINDOW, nullptr, nullptr, &si, &pi);
    const DWORD code = GetLastError();
    CloseHandle(wr);
    if (err != INVALID_HANDLE_VALUE) SetHandleInformation(err, HANDLE_FLAG_INHERIT, 0);  // not into the next probe
    if (!ok) {
        CloseHandle(rd);
        if (err != INVALID_HANDLE_VALUE) CloseHandle(err);
        return Error::fromWin32(code, "cannot start " + exe);
    }
    CloseHandle(pi.hThread);
    std::unique_ptr<ChildProcess> c(new ChildProcess());
    c->m_pid = pi.dwProcessId;
    c->m_process = pi.hProcess;
    c->m_stdout = rd;
    c->m_stderr = err != INVALID_HANDLE_VALUE ? err : nullptr;
    return c;
}

std::string ChildProcess::stderrTail(std::size_t maxBytes) const {
    LARGE_INTEGER size{};
    if (!m_stderr || !GetFileSizeEx(static_cast<HANDLE>(m_stderr), &size) || size.QuadPart <= 0) return {};
    const auto total = static_cast<std::uint64_t>(size.QuadPart);
    const std::uint64_t from = total > maxBytes ? total - maxBytes : 0;
    std::string text(static_cast<std::size_t>(total - from), '\0');
    OVERLAPPED at{};
    at.Offset = static_cast<DWORD>(from & 0xffffffffu);
    at.OffsetHigh = static_cast<DWORD>(from >> 32);
    DWORD n = 0;
    if (!ReadFile(static_cast<HANDLE>(m_stderr), text.data(), static_cast<DWORD>(text.size()), &n, &at)) return {};
    text.resize(n);
    return fromLineStart(std::move(text), from > 0);
}

ChildProcess::~ChildProcess() {
    if (!m_exited) {
        kill();
        (void)wait(std::chrono::milliseconds(2000));
    }
    if (m_stdout) CloseHandle(static_cast<HANDLE>(m_stdout));
    if (m_stderr) CloseHandle(static_cast<HANDLE>(m_stderr));
    if (m_process) CloseHandle(static_cast<HANDLE>(m_process));
}

core::Result<std::optional<std::string>> ChildProcess::readLine(std::chrono::milliseconds timeout, std::size_t maxLength) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        if (auto ready = takeBufferedLine(maxLength)) return std::move(*ready);
        // Anonymous pipes have no overlapped reads: poll what is available.
        DWORD avail = 0;
        if (!PeekNamedPipe(static_cast<HANDLE>(m_stdout), nullptr, 0, nullptr, &avail, nullptr)) {
            m_eof = true;  // broken pipe: the writer is gone
            continue;
        }
        if (avail == 0) {
            if (Clock::now() >= deadline) return Error::make(Errc::Timeout, "no output for " + std::to_string(timeout.count()) + " ms");
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        char chunk[4096];
        DWORD n = 0;
        if (!ReadFile(static_cast<HANDLE>(m_stdout), chunk, std::min<DWORD>(avail, sizeof chunk), &n, nullptr) || n == 0) {
            m_eof = true;
            continue;
        }
        m_buffer.append(chunk, n);
    }
}

void ChildProcess::kill() {
    if (!m_exited && m_process) TerminateProcess(static_cast<HANDLE>(m_process), 137);
}

core::Status ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (m_exited) return core::okStatus();
    const DWORD rc = WaitForSingleObject(static_cast<HANDLE>(m_process), static_cast<DWORD>(timeout.count()));
    if (rc != WAIT_OBJECT_0) return Error::make(Errc::Timeout, "the probe did not exit within " + std::to_string(timeout.count()) + " ms");
    DWORD code = 0;
    GetExitCodeProcess(static_cast<HANDLE>(m_process), &code);
    m_exited = true;
    m_exitCode = static_cast<int>(code);
    m_exitDescription = "exit code " + std::to_string(code);
    return core::okStatus();
}

std::string executableDir() {
    char buf[MAX_PATH * 2];
    const DWORD n = GetModuleFileNameA(nullptr, buf, sizeof buf);
    if (n == 0 || n >= sizeof buf) return {};
    std::string p(buf, n);
    const auto slash = p.find_last_of("\\/");
    return slash == std::string::npos ? std::string() : p.substr(0, slash);
}

#else

namespace {
std::chrono::milliseconds left(Clock::time_point deadline) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return ms.count() > 0 ? ms : std::chrono::milliseconds(0);
}
}  // namespace

core::Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const std::string& exe, const std::vector<std::string>& args) {
    if (access(exe.c_str(), X_OK) != 0) return Error::fromErrno(errno, "cannot run " + exe);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return Error::fromErrno(errno, "pipe for the probe's output");
    // stderr: an unnamed temporary file, read back by stderrTail(); none left behind.
    int err = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (err < 0) {
        char tmpl[] = "/tmp/ipcscope-probe-stderr-XXXXXX";
        err = mkostemp(tmpl, O_CLOEXEC);
        if (err >= 0) unlink(tmpl);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    if (err >= 0) posix_spawn_file_actions_adddup2(&fa, err, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(exe.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // Its own process group: a kill also reaches whatever the probe started.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, exe.c_str(), &fa, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        if (err >= 0) close(err);
        return Error::fromErrno(rc, "cannot start " + exe);
    }
    std::unique_ptr<ChildProcess> c(new ChildProcess());
    c->m_pid = pid;
    c->m_stdout = fds[0];
    c->m_stderr = err;
    return c;
}

std::string ChildProcess::stderrTail(std::size_t maxBytes) const {
    struct stat st {};
    if (m_stderr < 0 || fstat(m_stderr, &st) != 0 || st.st_size <= 0) return {};
    const auto total = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t from = total > maxBytes ? total - maxBytes : 0;
    std::string text(static_cast<std::size_t>(total - from), '\0');
    const ssize_t n = pread(m_stderr, text.data(), text.size(), static_cast<off_t>(from));
    text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return fromLineStart(std::move(text), from > 0);
}

ChildProcess::~ChildProcess() {
    if (!m_exited) {
        kill();
        (void)wait(std::chrono::milliseconds(2000));
    }
    if (m_stdout >= 0) close(m_stdout);
    if (m_stderr >= 0) close(m_stderr);
}

core::Result<std::optional<std::string>> ChildProcess::readLine(std::chrono::milliseconds timeout, std::size_t maxLength) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        if (auto ready = takeBufferedLine(maxLength)) return std::move(*ready);
        pollfd p{m_stdout, POLLIN, 0};
        const int ms = static_cast<int>(std::min<std::int64_t>(left(deadline).count(), INT_MAX));
        const int rc = poll(&p, 1, ms);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return Error::fromErrno(errno, "poll on the probe's output");
        if (rc == 0) return Error::make(Errc::Timeout, "no output for " + std::to_string(timeout.count()) + " ms");
        char chunk[4096];
        const ssize_t n = read(m_stdout, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            m_eof = true;
            continue;
        }
        m_buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

void ChildProcess::kill() {
    if (m_pid <= 0) return;
    if (!m_exited) ::kill(static_cast<pid_t>(m_pid), SIGKILL);
    ::kill(-static_cast<pid_t>(m_pid), SIGKILL);  // the rest of its group, even after it exited
}

core::Status ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (m_exited) return core::okStatus();
    const auto deadline = Clock::now() + timeout;
    while (true) {
        int status = 0;
        const pid_t r = waitpid(static_cast<pid_t>(m_pid), &status, WNOHANG);
        if (r == static_cast<pid_t>(m_pid)) {
            m_exited = true;
            if (WIFSIGNALED(status)) {
                m_signal = WTERMSIG(status);
                m_exitDescription = "killed by signal " + std::to_string(m_signal);
            } else {
                m_exitCode = WEXITSTATUS(status);
                m_exitDescription = "exit code " + std::to_string(m_exitCode);
            }
            return core::okStatus();
        }
        if (r < 0 && errno != EINTR) {
            m_exited = true;
            m_exitDescription = "lost";
            return Error::fromErrno(errno, "waitpid");
        }
        if (Clock::now() >= deadline) return Error::make(Errc::Timeout, "the probe did not exit within " + std::to_string(timeout.count()) + " ms");
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string executableDir() {
    char buf[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    std::string p(buf, static_cast<std::size_t>(n));
    const auto slash = p.rfind('/');
    return slash == std::string::npos ? std::string() : p.substr(0, slash);
}

#endif

}  // namespace ipcscope::probe
