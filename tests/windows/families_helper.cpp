// Creates real objects of the Windows families for the live tests, reports them on stdout as
// "key=value" lines ending with "ready", then serves windows messages until stdin closes.
// Objects: a 3 MiB section in Local and one in Global, a loaded DLL with a shared section, a
// clipboard with CF_UNICODETEXT and a registered format, a message-only window accepting
// WM_COPYDATA, a DDE server window, a running object table entry, a TCP listener with one
// connection to itself and a UDP socket, all on 127.0.0.1.

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <dde.h>
#include <objbase.h>
#include <objidl.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr std::size_t kSectionSize = 3u * 1024 * 1024;
const wchar_t kClipboardText[] = L"ipcscope clipboard test";  // 23 characters + NUL = 48 bytes
constexpr std::size_t kRegisteredFormatSize = 1000;

std::wstring g_ddeService;
const std::wstring kDdeTopic = L"System";
LONG g_copyDataCount = 0;

void report(const char* key, const std::string& value) {
    std::printf("%s=%s\n", key, value.c_str());
    std::fflush(stdout);
}

std::string narrow(const std::wstring& w) {
    std::string s;
    for (wchar_t c : w) s += static_cast<char>(c < 0x80 ? c : '?');
    return s;
}

std::string errorText(const char* what, DWORD err) { return std::string("error ") + what + " " + std::to_string(err); }

LRESULT CALLBACK copyDataProc(HWND w, UINT msg, WPARAM wp, LPARAM lp) {
    if (msg == WM_COPYDATA) {
        InterlockedIncrement(&g_copyDataCount);
        return TRUE;
    }
    return DefWindowProcW(w, msg, wp, lp);
}

// A raw DDE server (no DDEML): answers WM_DDE_INITIATE for its service and topic, or for the
// null wildcards, with WM_DDE_ACK; answers WM_DDE_TERMINATE with WM_DDE_TERMINATE.
LRESULT CALLBACK ddeProc(HWND w, UINT msg, WPARAM wp, LPARAM lp) {
    if (msg == WM_DDE_INITIATE) {
        const ATOM app = LOWORD(lp), topic = HIWORD(lp);
        wchar_t buf[256];
        bool appOk = app == 0, topicOk = topic == 0;
        if (!appOk && GlobalGetAtomNameW(app, buf, 256)) appOk = _wcsicmp(buf, g_ddeService.c_str()) == 0;
        if (!topicOk && GlobalGetAtomNameW(topic, buf, 256)) topicOk = _wcsicmp(buf, kDdeTopic.c_str()) == 0;
        if (appOk && topicOk) {
            const ATOM a = GlobalAddAtomW(g_ddeService.c_str());
            const ATOM t = GlobalAddAtomW(kDdeTopic.c_str());
            SendMessageW(reinterpret_cast<HWND>(wp), WM_DDE_ACK, reinterpret_cast<WPARAM>(w), MAKELPARAM(a, t));
        }
        return 0;
    }
    if (msg == WM_DDE_TERMINATE) {
        PostMessageW(reinterpret_cast<HWND>(wp), WM_DDE_TERMINATE, reinterpret_cast<WPARAM>(w), 0);
        return 0;
    }
    return DefWindowProcW(w, msg, wp, lp);
}

HWND makeWindow(const wchar_t* cls, const std::wstring& title, WNDPROC proc, HWND parent) {
    WNDCLASSEXW wc{};
    wc.cbSize = sizeof wc;
    wc.lpfnWndProc = proc;
    wc.hInstance = GetModuleHandleW(nullptr);
    wc.lpszClassName = cls;
    RegisterClassExW(&wc);
    return CreateWindowExW(0, cls, title.c_str(), WS_OVERLAPPEDWINDOW, 0, 0, 100, 100, parent, nullptr,
                           GetModuleHandleW(nullptr), nullptr);
}

void makeSection(const char* key, const std::wstring& name, HANDLE& keep) {
    keep = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, static_cast<DWORD>(kSectionSize), name.c_str());
    report(key, keep ? narrow(name) : errorText("CreateFileMapping", GetLastError()));
}

bool setClipboard(HWND owner, const std::wstring& formatName) {
    // Another process (an ipcscope snapshot in a parallel test) may hold it for a moment.
    bool open = false;
    for (int attempt = 0; attempt < 50 && !(open = OpenClipboard(owner) != 0); ++attempt) Sleep(20);
    if (!open) return false;
    EmptyClipboard();
    HGLOBAL text = GlobalAlloc(GMEM_MOVEABLE, sizeof kClipboardText);
    std::memcpy(GlobalLock(text), kClipboardText, sizeof kClipboardText);
    GlobalUnlock(text);
    const bool okText = SetClipboardData(CF_UNICODETEXT, text) != nullptr;
    const UINT custom = RegisterClipboardFormatW(formatName.c_str());
    HGLOBAL blob = GlobalAlloc(GMEM_MOVEABLE, kRegisteredFormatSize);
    std::memset(GlobalLock(blob), 0x5A, kRegisteredFormatSize);
    GlobalUnlock(blob);
    const bool okCustom = custom != 0 && SetClipboardData(custom, blob) != nullptr;
    CloseClipboard();
    return okText && okCustom;
}

// The smallest COM object: IUnknown only, enough to stand behind a ROT registration.
class Token final : public IUnknown {
public:
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void** out) override {
        if (!out) return E_POINTER;
        if (IsEqualIID(riid, IID_IUnknown)) {
            *out = static_cast<IUnknown*>(this);
            AddRef();
            return S_OK;
        }
        *out = nullptr;
        return E_NOINTERFACE;
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return static_cast<ULONG>(InterlockedIncrement(&m_refs)); }
    ULONG STDMETHODCALLTYPE Release() override { return static_cast<ULONG>(InterlockedDecrement(&m_refs)); }

private:
    LONG m_refs = 1;
};
Token g_token;

std::string registerRot(const std::wstring& item) {
    IRunningObjectTable* rot = nullptr;
    IMoniker* moniker = nullptr;
    HRESULT hr = GetRunningObjectTable(0, &rot);
    if (FAILED(hr)) return errorText("GetRunningObjectTable", static_cast<DWORD>(hr));
    hr = CreateItemMoniker(L"!", item.c_str(), &moniker);
    if (FAILED(hr)) return errorText("CreateItemMoniker", static_cast<DWORD>(hr));
    DWORD cookie = 0;
    hr = rot->Register(ROTFLAGS_REGISTRATIONKEEPSALIVE, &g_token, moniker, &cookie);
    if (FAILED(hr)) return errorText("Register", static_cast<DWORD>(hr));
    std::string display(1, '!');  // the item moniker's display name: delimiter + item
    display += narrow(item);
    return display;
}

std::string bindLoopback(int type, SOCKET& keep) {
    keep = socket(AF_INET, type, 0);
    if (keep == INVALID_SOCKET) return errorText("socket", static_cast<DWORD>(WSAGetLastError()));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(keep, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return errorText("bind", static_cast<DWORD>(WSAGetLastError()));
    if (type == SOCK_STREAM && listen(keep, 4) != 0) return errorText("listen", static_cast<DWORD>(WSAGetLastError()));
    int len = sizeof addr;
    getsockname(keep, reinterpret_cast<sockaddr*>(&addr), &len);
    return std::to_string(ntohs(addr.sin_port));
}

// A connected pair on the listener: the client end and the accepted server end.
std::string connectPair(SOCKET listener, const std::string& port, SOCKET& client, SOCKET& server) {
    client = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<u_short>(std::stoi(port)));
    if (connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return errorText("connect", static_cast<DWORD>(WSAGetLastError()));
    server = accept(listener, nullptr, nullptr);
    if (server == INVALID_SOCKET) return errorText("accept", static_cast<DWORD>(WSAGetLastError()));
    int len = sizeof addr;
    getsockname(client, reinterpret_cast<sockaddr*>(&addr), &len);
    return std::to_string(ntohs(addr.sin_port));
}

DWORD WINAPI waitForStdinEof(LPVOID mainThread) {
    char buf[64];
    DWORD n = 0;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, sizeof buf, &n, nullptr) && n > 0) {}
    PostThreadMessageW(static_cast<DWORD>(reinterpret_cast<std::uintptr_t>(mainThread)), WM_QUIT, 0, 0);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const bool clipboard = argc > 1 && std::strcmp(argv[1], "--clipboard") == 0;
    const DWORD pid = GetCurrentProcessId();
    const std::wstring tag = std::to_wstring(pid);
    report("pid", std::to_string(pid));

    HANDLE local = nullptr, global = nullptr;
    makeSection("local_section", L"Local\\ipcscope-test-local-" + tag, local);
    makeSection("global_section", L"Global\\ipcscope-test-global-" + tag, global);

    HMODULE dll = LoadLibraryW(L"ipcscope_test_shared.dll");
    report("shared_dll", dll ? "loaded" : errorText("LoadLibrary", GetLastError()));
    if (dll) {
        using Touch = int (*)();
        if (auto touch = reinterpret_cast<Touch>(reinterpret_cast<void*>(GetProcAddress(dll, "ipcscope_shared_touch")))) touch();
    }

    const std::wstring copyTitle = L"ipcscope-copydata-" + tag;
    HWND copyData = makeWindow(L"IpcscopeTestCopyData", copyTitle, copyDataProc, HWND_MESSAGE);
    report("copydata_window", copyData ? narrow(copyTitle) : errorText("CreateWindow", GetLastError()));

    g_ddeService = L"IpcscopeTest" + tag;
    HWND dde = makeWindow(L"IpcscopeTestDde", L"ipcscope-dde-" + tag, ddeProc, nullptr);
    report("dde_service", dde ? narrow(g_ddeService) : errorText("CreateWindow", GetLastError()));

    const std::wstring formatName = L"ipcscope.test.format." + tag;
    if (clipboard) {
        const bool clip = setClipboard(copyData ? copyData : dde, formatName);
        report("clipboard_format", clip ? narrow(formatName) : errorText("clipboard", GetLastError()));
    }

    const HRESULT com = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
    report("rot", SUCCEEDED(com) ? registerRot(L"ipcscope-test-rot-" + tag) : errorText("CoInitializeEx", static_cast<DWORD>(com)));

    WSADATA wsa;
    SOCKET tcp = INVALID_SOCKET, udp = INVALID_SOCKET, client = INVALID_SOCKET, accepted = INVALID_SOCKET;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) == 0) {
        const std::string port = bindLoopback(SOCK_STREAM, tcp);
        report("tcp_port", port);
        report("udp_port", bindLoopback(SOCK_DGRAM, udp));
        if (port.find("error") == std::string::npos) report("tcp_client_port", connectPair(tcp, port, client, accepted));
    }
    report("ready", "1");

    // The message queue must exist before the stdin thread can post WM_QUIT to it.
    MSG msg;
    PeekMessageW(&msg, nullptr, 0, 0, PM_NOREMOVE);
    HANDLE watcher = CreateThread(nullptr, 0, waitForStdinEof,
                                  reinterpret_cast<LPVOID>(static_cast<std::uintptr_t>(GetCurrentThreadId())), 0, nullptr);
    while (GetMessageW(&msg, nullptr, 0, 0) > 0) {
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    if (watcher) CloseHandle(watcher);
    if (tcp != INVALID_SOCKET) closesocket(tcp);
    if (udp != INVALID_SOCKET) closesocket(udp);
    if (client != INVALID_SOCKET) closesocket(client);
    if (accepted != INVALID_SOCKET) closesocket(accepted);
    if (local) CloseHandle(local);
    if (global) CloseHandle(global);
    return 0;
}
