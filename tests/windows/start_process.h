#pragma once
// Starting a Windows test's child process.

#include <windows.h>

#include <cstdio>

namespace ipcscope::test {

/// CreateProcessW with inherited handles, tried once more when it failed with
/// ERROR_INTERNAL_ERROR: Wine returns that when it could not bring the new process up at all
/// (seen once in the Windows lanes of ten suite runs). Nothing was created then, so the call can
/// be repeated; the retry is written to stderr, where the test's output shows it.
inline BOOL startProcess(LPCWSTR exe, LPWSTR commandLine, DWORD flags, LPCWSTR dir, STARTUPINFOW* si, PROCESS_INFORMATION* pi) {
    for (int attempt = 1;; ++attempt) {
        if (CreateProcessW(exe, commandLine, nullptr, nullptr, TRUE, flags, nullptr, dir, si, pi)) return TRUE;
        const DWORD error = GetLastError();
        if (error != ERROR_INTERNAL_ERROR || attempt == 2) {
            SetLastError(error);
            return FALSE;
        }
        std::fprintf(stderr, "CreateProcess failed with ERROR_INTERNAL_ERROR (1359); trying once more\n");
        std::fflush(stderr);
    }
}

}  // namespace ipcscope::test
