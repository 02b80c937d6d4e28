#include "families_process.h"
#include "start_process.h"

#include <windows.h>

#include <chrono>
#include <thread>

namespace ipcscope::test {
namespace {

std::wstring quote(const std::wstring& arg) {
    if (!arg.empty() && arg.find_first_of(L" \t\"") == std::wstring::npos) return arg;
    std::wstring out = L"\"";
    for (wchar_t c : arg) {
        if (c == L'"') out += L'\\';
        out += c;
    }
    return out + L"\"";
}

std::wstring commandLine(const std::wstring& exe, const std::vector<std::wstring>& args) {
    std::wstring cmd = quote(exe);
    for (const auto& a : args) cmd += L" " + quote(a);
    return cmd;
}

void drain(HANDLE pipe, std::string* into) {
    char buf[4096];
    DWORD n = 0;
    while (ReadFile(pipe, buf, sizeof buf, &n, nullptr) && n > 0) into->append(buf, n);
}

}  // namespace

std::wstring wineVisiblePath(const std::string& buildPath) {
    std::wstring out = buildPath.starts_with("/") ? L"Z:" : L"";
    for (char c : buildPath) out += c == '/' ? L'\\' : static_cast<wchar_t>(static_cast<unsigned char>(c));
    return out;
}

RunResult runProgram(const std::wstring& exe, const std::vector<std::wstring>& args, unsigned timeoutMs) {
    RunResult r;
    SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
    HANDLE outRead, outWrite, errRead, errWrite;
    if (!CreatePipe(&outRead, &outWrite, &sa, 0)) return r;
    if (!CreatePipe(&errRead, &errWrite, &sa, 0)) return r;
    SetHandleInformation(outRead, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(errRead, HANDLE_FLAG_INHERIT, 0);
    HANDLE nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, nullptr);
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = nul;
    si.hStdOutput = outWrite;
    si.hStdError = errWrite;
    PROCESS_INFORMATION pi{};
    std::wstring cmd = commandLine(exe, args);
    const BOOL started = startProcess(exe.c_str(), cmd.data(), 0, nullptr, &si, &pi);
    CloseHandle(outWrite);
    CloseHandle(errWrite);
    if (nul != INVALID_HANDLE_VALUE) CloseHandle(nul);
    if (!started) {
        r.err = "CreateProcess failed: " + std::to_string(GetLastError());
        CloseHandle(outRead);
        CloseHandle(errRead);
        return r;
    }
    std::thread outThread(drain, outRead, &r.out);
    std::thread errThread(drain, errRead, &r.err);
    if (WaitForSingleObject(pi.hProcess, timeoutMs) != WAIT_OBJECT_0) {
        TerminateProcess(pi.hProcess, 255);
        WaitForSingleObject(pi.hProcess, 5000);
    } else {
        DWORD code = 0;
        GetExitCodeProcess(pi.hProcess, &code);
        r.exitCode = static_cast<int>(code);
    }
    outThread.join();
    errThread.join();
    CloseHandle(outRead);
    CloseHandle(errRead);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return r;
}

nlohmann::json listJson(const std::vector<std::wstring>& what, RunResult* raw) {
    std::vector<std::wstring> args{L"list"};
    args.insert(args.end(), what.begin(), what.end());
    args.push_back(L"--json");
    RunResult r = runProgram(wineVisiblePath(IPCSCOPE_BIN), args);
    nlohmann::json j = r.exitCode == 0 ? nlohmann::json::parse(r.out, nullptr, false) : nlohmann::json(nullptr);
    if (raw) *raw = std::move(r);
    return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

nlohmann::json findObject(const nlohmann::json& snap, const std::string& kind, const std::string& name) {
    if (!snap.is_object() || !snap.contains("objects")) return nullptr;
    for (const auto& o : snap["objects"])
        if (o["kind"] == kind && o["name"] == name) return o;
    return nullptr;
}

bool hasPid(const nlohmann::json& obj, long long pid) {
    if (!obj.is_object()) return false;
    for (const auto& p : obj["pids"])
        if (p.get<long long>() == pid) return true;
    return false;
}

HelperProcess::HelperProcess(const std::wstring& exe, const std::vector<std::wstring>& args, unsigned readyTimeoutMs) {
    SECURITY_ATTRIBUTES sa{sizeof sa, nullptr, TRUE};
    HANDLE inRead, inWrite, outRead, outWrite;
    if (!CreatePipe(&inRead, &inWrite, &sa, 0)) return;
    if (!CreatePipe(&outRead, &outWrite, &sa, 0)) return;
    SetHandleInformation(inWrite, HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(outRead, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = inRead;
    si.hStdOutput = outWrite;
    si.hStdError = outWrite;
    PROCESS_INFORMATION pi{};
    std::wstring cmd = commandLine(exe, args);
    // The helper finds its DLL next to itself; start it in its own folder as well.
    std::wstring dir = exe.substr(0, exe.find_last_of(L"\\/"));
    const BOOL started = startProcess(exe.c_str(), cmd.data(), 0, dir.c_str(), &si, &pi);
    CloseHandle(inRead);
    CloseHandle(outWrite);
    if (!started) {
        m_transcript = "CreateProcess failed: " + std::to_string(GetLastError());
        CloseHandle(inWrite);
        CloseHandle(outRead);
        return;
    }
    CloseHandle(pi.hThread);
    m_process = pi.hProcess;
    m_stdinWrite = inWrite;
    m_pid = pi.dwProcessId;
    // Read lines until "ready=1"; a reader thread keeps the wait bounded.
    std::string* transcript = &m_transcript;
    HANDLE readyEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    std::thread reader([outRead, transcript, readyEvent] {
        char buf[512];
        DWORD n = 0;
        std::string local;
        while (ReadFile(outRead, buf, sizeof buf, &n, nullptr) && n > 0) {
            local.append(buf, n);
            if (local.find("ready=1") != std::string::npos) break;
        }
        *transcript = local;
        SetEvent(readyEvent);
    });
    if (WaitForSingleObject(readyEvent, readyTimeoutMs) != WAIT_OBJECT_0) {
        TerminateProcess(m_process, 255);  // unblocks the reader
    }
    reader.join();
    CloseHandle(readyEvent);
    CloseHandle(outRead);
    std::size_t start = 0;
    while (start < m_transcript.size()) {
        std::size_t end = m_transcript.find('\n', start);
        if (end == std::string::npos) end = m_transcript.size();
        std::string line = m_transcript.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (auto eq = line.find('='); eq != std::string::npos) m_values[line.substr(0, eq)] = line.substr(eq + 1);
        start = end + 1;
    }
    m_ready = value("ready") == "1";
}

HelperProcess::~HelperProcess() {
    if (m_stdinWrite) CloseHandle(m_stdinWrite);
    if (m_process) {
        if (WaitForSingleObject(m_process, 5000) != WAIT_OBJECT_0) {
            TerminateProcess(m_process, 255);
            WaitForSingleObject(m_process, 5000);
        }
        CloseHandle(m_process);
    }
}

std::string HelperProcess::value(const std::string& key) const {
    auto it = m_values.find(key);
    return it == m_values.end() ? std::string() : it->second;
}

}  // namespace ipcscope::test
