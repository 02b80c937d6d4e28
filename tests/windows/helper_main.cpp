// Holds real IPC objects for the Windows tests until it is terminated (or two minutes pass).
//
//   ipcscope_win_helper pipes NAME
//     \\.\pipe\NAME with max instances 4 and two server instances, the first connected to a
//     client end this process also holds; \\.\mailslot\NAME (max message 512) with one
//     14-byte message waiting, written through a client end this process keeps open.
//
// Prints "ready PID" on stdout once everything exists, "error WHAT CODE" otherwise.

#include <windows.h>

#include <cstdio>
#include <string>

namespace {

int fail(const char* what) {
    std::printf("error %s %lu\n", what, static_cast<unsigned long>(GetLastError()));
    std::fflush(stdout);
    return 1;
}

std::wstring widen(const char* s) {
    std::wstring out;
    for (; *s; ++s) out.push_back(static_cast<wchar_t>(static_cast<unsigned char>(*s)));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 || std::string(argv[1]) != "pipes") {
        std::fprintf(stderr, "usage: ipcscope_win_helper pipes NAME\n");
        return 2;
    }
    const std::wstring name = widen(argv[2]);

    const std::wstring pipePath = L"\\\\.\\pipe\\" + name;
    HANDLE server1 = CreateNamedPipeW(pipePath.c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 4, 4096, 4096,
                                      0, nullptr);
    if (server1 == INVALID_HANDLE_VALUE) return fail("CreateNamedPipe");
    HANDLE server2 = CreateNamedPipeW(pipePath.c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 4, 4096, 4096,
                                      0, nullptr);
    if (server2 == INVALID_HANDLE_VALUE) return fail("CreateNamedPipe-2");
    HANDLE client = CreateFileW(pipePath.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    if (client == INVALID_HANDLE_VALUE) return fail("CreateFile-pipe");

    const std::wstring slotPath = L"\\\\.\\mailslot\\" + name;
    HANDLE slot = CreateMailslotW(slotPath.c_str(), 512, MAILSLOT_WAIT_FOREVER, nullptr);
    if (slot == INVALID_HANDLE_VALUE) return fail("CreateMailslot");
    HANDLE writer = CreateFileW(slotPath.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
    if (writer == INVALID_HANDLE_VALUE) return fail("CreateFile-mailslot");
    DWORD written = 0;
    if (!WriteFile(writer, "hello ipcscope", 14, &written, nullptr) || written != 14) return fail("WriteFile");

    std::printf("ready %lu\n", static_cast<unsigned long>(GetCurrentProcessId()));
    std::fflush(stdout);
    Sleep(120000);  // bounded: the test terminates us long before
    CloseHandle(writer);
    CloseHandle(slot);
    CloseHandle(client);
    CloseHandle(server2);
    CloseHandle(server1);
    return 0;
}
