// Holds real IPC objects for the Windows tests until it is terminated (or two minutes pass).
//
//   ipcscope_win_helper pipes NAME
//     \\.\pipe\NAME with max instances 4 and two server instances, the first connected to a
//     client end this process also holds; \\.\mailslot\NAME (max message 512) with one
//     14-byte message waiting, written through a client end this process keeps open.
//
//   ipcscope_win_helper client NAME [surrogate]
//     opens and holds the client end of \\.\pipe\NAME (NAME followed by an unpaired surrogate,
//     U+D800, with `surrogate`), a pipe whose server end another process holds.
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

int ready() {
    std::printf("ready %lu\n", static_cast<unsigned long>(GetCurrentProcessId()));
    std::fflush(stdout);
    Sleep(120000);  // bounded: the test terminates us long before
    return 0;
}

int holdClient(std::wstring name) {
    const std::wstring path = L"\\\\.\\pipe\\" + name;
    HANDLE client = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    if (client == INVALID_HANDLE_VALUE) return fail("CreateFile-client");
    const int rc = ready();
    CloseHandle(client);
    return rc;
}

int main(int argc, char** argv) {
    const std::string mode = argc >= 3 ? argv[1] : "";
    if (mode == "client" && (argc == 3 || (argc == 4 && std::string(argv[3]) == "surrogate")))
        return holdClient(widen(argv[2]) + (argc == 4 ? std::wstring(1, static_cast<wchar_t>(0xD800)) : std::wstring()));
    if (argc != 3 || mode != "pipes") {
        std::fprintf(stderr, "usage: ipcscope_win_helper pipes NAME | client NAME [surrogate]\n");
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

    ready();
    CloseHandle(writer);
    CloseHandle(slot);
    CloseHandle(client);
    CloseHandle(server2);
    CloseHandle(server1);
    return 0;
}
