// Creates named synchronisation objects and a local RPC endpoint for the live tests, reports
// their names on stdout as "key=value" lines ending with "ready=1", then holds them until stdin
// closes: a signalled manual-reset event in Local and an auto-reset one in Global, a mutex it
// owns twice, a semaphore with count 2 of 5, and the ncalrpc endpoint "ipcscope-test-PID"
// (an ALPC port in \RPC Control on Windows; Wine 8.0 serves ncalrpc over a named pipe).

#include <windows.h>
#include <rpc.h>

#include <cstdio>
#include <string>

namespace {

void report(const char* key, const std::string& value) {
    std::printf("%s=%s\n", key, value.c_str());
    std::fflush(stdout);
}

std::wstring wide(const std::string& s) { return std::wstring(s.begin(), s.end()); }

}  // namespace

int main() {
    const std::string tag = std::to_string(GetCurrentProcessId());
    const std::string event = "Local\\ipcscope-test-event-" + tag, global = "Global\\ipcscope-test-event-" + tag,
                      mutex = "Local\\ipcscope-test-mutex-" + tag, semaphore = "Local\\ipcscope-test-semaphore-" + tag,
                      endpoint = "ipcscope-test-" + tag;
    HANDLE e = CreateEventW(nullptr, TRUE, TRUE, wide(event).c_str());
    HANDLE g = CreateEventW(nullptr, FALSE, FALSE, wide(global).c_str());
    HANDLE m = CreateMutexW(nullptr, TRUE, wide(mutex).c_str());
    HANDLE s = CreateSemaphoreW(nullptr, 2, 5, wide(semaphore).c_str());
    if (!e || !g || !m || !s || WaitForSingleObject(m, 0) != WAIT_OBJECT_0) {
        report("error", "create " + std::to_string(GetLastError()));
        return 1;
    }
    const RPC_STATUS rpc = RpcServerUseProtseqEpA(reinterpret_cast<RPC_CSTR>(const_cast<char*>("ncalrpc")),
                                                  RPC_C_PROTSEQ_MAX_REQS_DEFAULT,
                                                  reinterpret_cast<RPC_CSTR>(const_cast<char*>(endpoint.c_str())), nullptr);
    report("event", event);
    report("global_event", global);
    report("mutex", mutex);
    report("semaphore", semaphore);
    report("rpc_endpoint", rpc == RPC_S_OK ? endpoint : "error " + std::to_string(rpc));
    report("ready", "1");
    char buf[64];
    DWORD n = 0;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, sizeof buf, &n, nullptr) && n > 0) {
    }
    return 0;
}
