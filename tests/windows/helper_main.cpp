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
//   ipcscope_win_helper pipe-read NAME OUT | mailslot-read NAME OUT | copydata-read CLASS OUT
//     A receiver that is not ipcscope: a message-mode pipe server, a mailslot, or a
//     message-only window; writes the hex of the first message it gets to the file OUT and
//     exits (20 s at most).
//
//   ipcscope_win_helper dde-read SERVICE TOPIC OUT
//     A DDEML server of SERVICE that accepts TOPIC; writes the hex of the first poke's data to
//     OUT, then "\nITEM", and exits (20 s at most).
//
//   ipcscope_win_helper clipboard-read FORMAT
//     A clipboard reader that is not ipcscope: prints the hex of the clipboard's data in FORMAT
//     (CF_TEXT, CF_UNICODETEXT or a registered name), all GlobalSize bytes, and exits; exit 1
//     when the clipboard has no such data.
//
// Prints "ready PID" on stdout once everything exists, "error WHAT CODE" otherwise.

#include <windows.h>
#include <ddeml.h>

#include <cstdio>
#include <string>
#include <vector>

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

int ready() {
    std::printf("ready %lu\n", static_cast<unsigned long>(GetCurrentProcessId()));
    std::fflush(stdout);
    return 0;
}

int writeHex(const char* path, const unsigned char* data, DWORD size) {
    FILE* f = std::fopen(path, "wb");
    if (!f) return 1;
    for (DWORD i = 0; i < size; ++i) std::fprintf(f, "%02x", data[i]);
    std::fclose(f);
    return 0;
}

int pipeRead(const std::wstring& name, const char* out) {
    const std::wstring path = L"\\\\.\\pipe\\" + name;
    HANDLE h = CreateNamedPipeW(path.c_str(), PIPE_ACCESS_INBOUND, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, 1,
                                4096, 4096, 0, nullptr);
    if (h == INVALID_HANDLE_VALUE) return fail("CreateNamedPipe");
    ready();
    // A blocking ConnectNamedPipe: the test kills us after 20 s at most.
    if (!ConnectNamedPipe(h, nullptr) && GetLastError() != ERROR_PIPE_CONNECTED) return fail("ConnectNamedPipe");
    unsigned char buf[4096];
    DWORD n = 0;
    if (!ReadFile(h, buf, sizeof buf, &n, nullptr)) return fail("ReadFile");
    return writeHex(out, buf, n);
}

int mailslotRead(const std::wstring& name, const char* out) {
    const std::wstring path = L"\\\\.\\mailslot\\" + name;
    HANDLE h = CreateMailslotW(path.c_str(), 0, 20000, nullptr);
    if (h == INVALID_HANDLE_VALUE) return fail("CreateMailslot");
    ready();
    unsigned char buf[4096];
    DWORD n = 0;
    if (!ReadFile(h, buf, sizeof buf, &n, nullptr)) return fail("ReadFile");
    return writeHex(out, buf, n);
}

const char* g_out = nullptr;
bool g_got = false;

/// Dispatches messages until a receiver set g_got, 20 s at most.
void pumpUntilGot() {
    const DWORD start = GetTickCount();
    MSG m;
    while (!g_got && GetTickCount() - start < 20000) {
        MsgWaitForMultipleObjects(0, nullptr, FALSE, 100, QS_ALLINPUT);
        while (PeekMessageW(&m, nullptr, 0, 0, PM_REMOVE)) DispatchMessageW(&m);
    }
}

LRESULT CALLBACK copyDataProc(HWND w, UINT msg, WPARAM wp, LPARAM lp) {
    if (msg == WM_COPYDATA) {
        const auto* cds = reinterpret_cast<const COPYDATASTRUCT*>(lp);
        writeHex(g_out, static_cast<const unsigned char*>(cds->lpData), cds->cbData);
        // dwData as a second line, so the test sees --dwdata arrive.
        FILE* f = std::fopen(g_out, "ab");
        if (f) {
            std::fprintf(f, "\n%llu", static_cast<unsigned long long>(cds->dwData));
            std::fclose(f);
        }
        g_got = true;
        return 42;
    }
    return DefWindowProcW(w, msg, wp, lp);
}

int copyDataRead(const std::wstring& cls, const char* out) {
    g_out = out;
    WNDCLASSW wc{};
    wc.lpfnWndProc = copyDataProc;
    wc.hInstance = GetModuleHandleW(nullptr);
    wc.lpszClassName = cls.c_str();
    if (!RegisterClassW(&wc)) return fail("RegisterClass");
    HWND w = CreateWindowExW(0, cls.c_str(), L"", 0, 0, 0, 0, 0, HWND_MESSAGE, nullptr, wc.hInstance, nullptr);
    if (!w) return fail("CreateWindowEx");
    ready();
    pumpUntilGot();
    DestroyWindow(w);
    return g_got ? 0 : 1;
}

DWORD g_ddeInst = 0;
HSZ g_ddeTopic = nullptr;
std::string g_ddeItem;
std::vector<unsigned char> g_ddeData;

HDDEDATA CALLBACK ddeProc(UINT type, UINT, HCONV, HSZ hsz1, HSZ hsz2, HDDEDATA data, ULONG_PTR, ULONG_PTR) {
    if (type == XTYP_CONNECT) return reinterpret_cast<HDDEDATA>(static_cast<ULONG_PTR>(DdeCmpStringHandles(hsz1, g_ddeTopic) == 0));
    if (type == XTYP_POKE) {
        char item[256] = {};
        DdeQueryStringA(g_ddeInst, hsz2, item, sizeof item, CP_WINANSI);
        g_ddeItem = item;
        g_ddeData.resize(DdeGetData(data, nullptr, 0, 0));
        DdeGetData(data, g_ddeData.data(), static_cast<DWORD>(g_ddeData.size()), 0);
        g_got = true;
        return reinterpret_cast<HDDEDATA>(static_cast<ULONG_PTR>(DDE_FACK));
    }
    return nullptr;
}

int ddeRead(const char* service, const char* topic, const char* out) {
    if (DdeInitializeA(&g_ddeInst, ddeProc, APPCLASS_STANDARD, 0) != DMLERR_NO_ERROR) return fail("DdeInitialize");
    HSZ hszService = DdeCreateStringHandleA(g_ddeInst, service, CP_WINANSI);
    g_ddeTopic = DdeCreateStringHandleA(g_ddeInst, topic, CP_WINANSI);
    if (!DdeNameService(g_ddeInst, hszService, nullptr, DNS_REGISTER)) return fail("DdeNameService");
    ready();
    pumpUntilGot();
    if (g_got) {
        writeHex(out, g_ddeData.data(), static_cast<DWORD>(g_ddeData.size()));
        if (FILE* f = std::fopen(out, "ab")) {
            std::fprintf(f, "\n%s", g_ddeItem.c_str());
            std::fclose(f);
        }
    }
    DdeNameService(g_ddeInst, hszService, nullptr, DNS_UNREGISTER);
    DdeUninitialize(g_ddeInst);
    return g_got ? 0 : 1;
}

int clipboardRead(const std::string& format) {
    const UINT id = format == "CF_TEXT" ? CF_TEXT : format == "CF_UNICODETEXT" ? CF_UNICODETEXT : RegisterClipboardFormatA(format.c_str());
    bool open = false;
    for (int i = 0; i < 250 && !(open = OpenClipboard(nullptr)); ++i) Sleep(20);  // 5 s at most
    if (!open) return fail("OpenClipboard");
    HANDLE h = GetClipboardData(id);
    const auto* p = h ? static_cast<const unsigned char*>(GlobalLock(h)) : nullptr;
    if (!p) {
        CloseClipboard();
        return fail("GetClipboardData");
    }
    const SIZE_T size = GlobalSize(h);
    for (SIZE_T i = 0; i < size; ++i) std::printf("%02x", p[i]);
    std::printf("\n");
    GlobalUnlock(h);
    CloseClipboard();
    return 0;
}

}  // namespace

int readyAndHold() {
    ready();
    Sleep(120000);  // bounded: the test terminates us long before
    return 0;
}

int holdClient(std::wstring name) {
    const std::wstring path = L"\\\\.\\pipe\\" + name;
    HANDLE client = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    if (client == INVALID_HANDLE_VALUE) return fail("CreateFile-client");
    const int rc = readyAndHold();
    CloseHandle(client);
    return rc;
}

int main(int argc, char** argv) {
    const std::string mode = argc >= 3 ? argv[1] : "";
    if (mode == "client" && (argc == 3 || (argc == 4 && std::string(argv[3]) == "surrogate")))
        return holdClient(widen(argv[2]) + (argc == 4 ? std::wstring(1, static_cast<wchar_t>(0xD800)) : std::wstring()));
    if (argc == 4 && mode == "pipe-read") return pipeRead(widen(argv[2]), argv[3]);
    if (argc == 4 && mode == "mailslot-read") return mailslotRead(widen(argv[2]), argv[3]);
    if (argc == 4 && mode == "copydata-read") return copyDataRead(widen(argv[2]), argv[3]);
    if (argc == 3 && mode == "clipboard-read") return clipboardRead(argv[2]);
    if (argc == 5 && mode == "dde-read") return ddeRead(argv[2], argv[3], argv[4]);
    if (argc != 3 || mode != "pipes") {
        std::fprintf(stderr, "usage: ipcscope_win_helper pipes NAME | client NAME [surrogate] | pipe-read NAME OUT | "
                             "mailslot-read NAME OUT | copydata-read CLASS OUT | dde-read SERVICE TOPIC OUT | clipboard-read FORMAT\n");
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

    readyAndHold();
    CloseHandle(writer);
    CloseHandle(slot);
    CloseHandle(client);
    CloseHandle(server2);
    CloseHandle(server1);
    return 0;
}
