#include "win_process.h"
#include "start_process.h"

#include <atomic>
#include <thread>
#include <utility>

namespace ipcscope::test {
namespace {

std::wstring widen(const std::string& s) {
    if (s.empty()) return {};
    const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
    std::wstring out(static_cast<std::size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
    return out;
}

// Quotes one argument for CommandLineToArgvW / the CRT parser.
std::wstring quote(const std::wstring& a) {
    if (!a.empty() && a.find_first_of(L" \t\"") == std::wstring::npos) return a;
    std::wstring out = L"\"";
    std::size_t slashes = 0;
    for (wchar_t c : a) {
        if (c == L'\\') {
            ++slashes;
        } else if (c == L'"') {
            out.append(slashes * 2 + 1, L'\\');
            slashes = 0;
        } else {
            slashes = 0;
        }
        out.push_back(c);
    }
    out.append(slashes, L'\\');
    out.push_back(L'"');
    return out;
}

std::wstring commandLine(const std::vector<std::string>& argv) {
    std::wstring cmd;
    for (const auto& a : argv) {
        if (!cmd.empty()) cmd.push_back(L' ');
        cmd += quote(widen(a));
    }
    return cmd;
}

struct Pipe {
    HANDLE read = nullptr;
    HANDLE write = nullptr;
    bool open() {
        SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
        if (!CreatePipe(&read, &write, &sa, 0)) return false;
        SetHandleInformation(read, HANDLE_FLAG_INHERIT, 0);
        return true;
    }
    void closeWrite() {
        if (write) CloseHandle(write);
        write = nullptr;
    }
    ~Pipe() {
        closeWrite();
        if (read) CloseHandle(read);
    }
};

HANDLE nulInput() {
    SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
    return CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, nullptr);
}

/// Appends what `pipe` holds now to `into`, without waiting for more.
void readNow(HANDLE pipe, std::string& into) {
    char buf[4096];
    DWORD avail = 0, n = 0;
    while (PeekNamedPipe(pipe, nullptr, 0, nullptr, &avail, nullptr) && avail > 0 &&
           ReadFile(pipe, buf, avail < sizeof buf ? avail : sizeof buf, &n, nullptr) && n > 0)
        into.append(buf, n);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
    Pipe out, err;
    if (!out.open() || !err.open()) return;
    HANDLE in = nulInput();
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in;
    si.hStdOutput = out.write;
    si.hStdError = err.write;
    PROCESS_INFORMATION pi{};
    std::wstring cmd = commandLine(argv);
    const BOOL started = startProcess(nullptr, cmd.data(), CREATE_NO_WINDOW, nullptr, &si, &pi);
    if (in != INVALID_HANDLE_VALUE) CloseHandle(in);
    if (!started) {
        m_run.err = "CreateProcess failed: " + std::to_string(GetLastError());
        m_done = true;
        return;
    }
    CloseHandle(pi.hThread);
    m_process = pi.hProcess;
    std::swap(m_out, out.read);
    std::swap(m_err, err.read);
}

ChildProcess::~ChildProcess() {
    if (m_process && !m_done) TerminateProcess(m_process, 255);
    if (m_process) {
        WaitForSingleObject(m_process, 5000);
        CloseHandle(m_process);
    }
    if (m_out) CloseHandle(m_out);
    if (m_err) CloseHandle(m_err);
}

void ChildProcess::readAvailable() {
    if (m_out) readNow(m_out, m_run.out);
    if (m_err) readNow(m_err, m_run.err);
}

bool ChildProcess::waitForOutput(const std::string& text, DWORD timeoutMs) {
    const DWORD start = GetTickCount();
    for (;;) {
        readAvailable();
        if (m_run.out.find(text) != std::string::npos || m_run.err.find(text) != std::string::npos) return true;
        if (m_done || !m_process || WaitForSingleObject(m_process, 0) == WAIT_OBJECT_0 || GetTickCount() - start >= timeoutMs) {
            readAvailable();
            return m_run.out.find(text) != std::string::npos || m_run.err.find(text) != std::string::npos;
        }
        Sleep(10);
    }
}

const WinRun& ChildProcess::finish(DWORD timeoutMs) {
    if (m_done) return m_run;
    const DWORD start = GetTickCount();
    for (;;) {
        readAvailable();
        if (WaitForSingleObject(m_process, 10) == WAIT_OBJECT_0) {
            DWORD code = 0;
            GetExitCodeProcess(m_process, &code);
            m_run.exitCode = static_cast<int>(code);
            break;
        }
        if (GetTickCount() - start >= timeoutMs) {
            TerminateProcess(m_process, 255);
            WaitForSingleObject(m_process, 5000);
            m_run.exitCode = -1;
            break;
        }
    }
    readAvailable();  // what it wrote before it ended is still in the pipes
    m_done = true;
    return m_run;
}

WinRun runWin(const std::vector<std::string>& argv, DWORD timeoutMs) {
    ChildProcess child(argv);
    return child.finish(timeoutMs);
}

HelperProcess::HelperProcess(const std::vector<std::string>& args, DWORD timeoutMs) {
    Pipe out;
    if (!out.open()) return;
    HANDLE in = nulInput();
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in;
    si.hStdOutput = out.write;
    si.hStdError = out.write;
    PROCESS_INFORMATION pi{};
    std::vector<std::string> argv{IPCSCOPE_WIN_HELPER};
    argv.insert(argv.end(), args.begin(), args.end());
    std::wstring cmd = commandLine(argv);
    const BOOL started = startProcess(nullptr, cmd.data(), CREATE_NO_WINDOW, nullptr, &si, &pi);
    out.closeWrite();
    if (in != INVALID_HANDLE_VALUE) CloseHandle(in);
    if (!started) {
        m_line = "CreateProcess failed: " + std::to_string(GetLastError());
        return;
    }
    CloseHandle(pi.hThread);
    m_process = pi.hProcess;
    m_pid = pi.dwProcessId;
    // Read the first line on a thread so a helper that prints nothing cannot hang the test.
    std::string line;
    std::atomic<bool> done{false};
    std::thread reader([&] {
        char c = 0;
        DWORD n = 0;
        while (ReadFile(out.read, &c, 1, &n, nullptr) && n == 1 && c != '\n') line.push_back(c);
        done = true;
    });
    const DWORD start = GetTickCount();
    while (!done && GetTickCount() - start < timeoutMs) Sleep(10);
    if (!done) {
        TerminateProcess(m_process, 255);  // closes the pipe, which ends the reader
        m_line = "helper did not report readiness";
    }
    reader.join();
    if (done) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        m_line = line;
        m_ready = line == "ready " + std::to_string(m_pid);
    }
}

HelperProcess::~HelperProcess() {
    if (m_process) {
        TerminateProcess(m_process, 0);
        WaitForSingleObject(m_process, 5000);
        CloseHandle(m_process);
    }
}

std::string uniqueName() {
    static std::atomic<int> counter{0};
    return "ipcscope-test-" + std::to_string(GetCurrentProcessId()) + "-" + std::to_string(GetTickCount()) + "-" +
           std::to_string(counter++);
}

}  // namespace ipcscope::test
