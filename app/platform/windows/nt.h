#pragma once
// The ntdll declarations and constants mingw-w64's <winternl.h> lacks, shared by every Windows
// collector. Layouts follow the Windows Driver Kit (ntifs.h, wdm.h) and [MS-FSCC].

#include <windows.h>
#include <winternl.h>

#include <cstdint>

namespace ipcscope::win::nt {

// NTSTATUS values used by the collectors (<ntstatus.h> clashes with <winnt.h>, so not included).
inline constexpr NTSTATUS kStatusSuccess = 0;
inline constexpr NTSTATUS kStatusBufferOverflow = static_cast<NTSTATUS>(0x80000005u);
inline constexpr NTSTATUS kStatusNoMoreFiles = static_cast<NTSTATUS>(0x80000006u);
inline constexpr NTSTATUS kStatusNoMoreEntries = static_cast<NTSTATUS>(0x8000001Au);
inline constexpr NTSTATUS kStatusInfoLengthMismatch = static_cast<NTSTATUS>(0xC0000004u);
inline constexpr NTSTATUS kStatusAccessDenied = static_cast<NTSTATUS>(0xC0000022u);
inline constexpr NTSTATUS kStatusBufferTooSmall = static_cast<NTSTATUS>(0xC0000023u);
inline constexpr NTSTATUS kStatusObjectNameNotFound = static_cast<NTSTATUS>(0xC0000034u);
inline constexpr NTSTATUS kStatusNotImplemented = static_cast<NTSTATUS>(0xC0000002u);
inline constexpr NTSTATUS kStatusInvalidParameter = static_cast<NTSTATUS>(0xC000000Du);
inline constexpr NTSTATUS kStatusBadDeviceType = static_cast<NTSTATUS>(0xC00000CBu);
inline constexpr NTSTATUS kStatusTimeout = static_cast<NTSTATUS>(0x00000102u);
inline constexpr NTSTATUS kStatusInstanceNotAvailable = static_cast<NTSTATUS>(0xC00000ABu);
inline constexpr NTSTATUS kStatusPipeNotAvailable = static_cast<NTSTATUS>(0xC00000ACu);
inline constexpr NTSTATUS kStatusPipeBusy = static_cast<NTSTATUS>(0xC00000AEu);

// NtQuerySystemInformation classes. 16 (SystemHandleInformation) carries 16-bit process ids
// and handle values; 64 (SystemExtendedHandleInformation, Windows XP on) full-width ones.
inline constexpr auto kSystemHandleInformation = static_cast<SYSTEM_INFORMATION_CLASS>(16);
inline constexpr auto kSystemExtendedHandleInformation = static_cast<SYSTEM_INFORMATION_CLASS>(64);

// FILE_PIPE_LOCAL_INFORMATION.NamedPipeEnd (ntifs.h).
inline constexpr ULONG kPipeClientEnd = 0;
inline constexpr ULONG kPipeServerEnd = 1;

// Access right to list a directory object (NtOpenDirectoryObject).
inline constexpr ACCESS_MASK kDirectoryQuery = 0x0001;
inline constexpr ACCESS_MASK kDirectoryTraverse = 0x0002;

/// One record of NtQueryDirectoryObject (wdm.h: OBJECT_DIRECTORY_INFORMATION).
struct ObjectDirectoryInformation {
    UNICODE_STRING Name;
    UNICODE_STRING TypeName;
};

/// NtQuerySection SectionBasicInformation (class 0).
struct SectionBasicInformation {
    PVOID BaseAddress;
    ULONG AllocationAttributes;
    LARGE_INTEGER MaximumSize;
};

/// NtQueryEvent / NtQueryMutant / NtQuerySemaphore class 0 (ntifs.h): EVENT_BASIC_INFORMATION
/// {EventType, EventState}, MUTANT_BASIC_INFORMATION {CurrentCount, OwnedByCaller,
/// AbandonedState}, SEMAPHORE_BASIC_INFORMATION {CurrentCount, MaximumCount}; 8 bytes each.
inline constexpr ULONG kSyncBasicInformationSize = 8;
/// EVENT_QUERY_STATE, MUTANT_QUERY_STATE and SEMAPHORE_QUERY_STATE: read the state, change nothing.
inline constexpr ACCESS_MASK kSyncQueryState = 0x0001;

/// An ntdll export resolved at run time, null when this ntdll lacks it. For functions that
/// Wine 8.0 or older Windows versions do not export (the ALPC calls): a static import of one
/// would keep the whole program from loading there.
template <class F>
F ntdllExport(const char* name) {
    HMODULE m = GetModuleHandleW(L"ntdll.dll");
    return m ? reinterpret_cast<F>(reinterpret_cast<void*>(GetProcAddress(m, name))) : nullptr;
}

}  // namespace ipcscope::win::nt

extern "C" {
NTSTATUS NTAPI NtQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                                    PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                                    FILE_INFORMATION_CLASS FileInformationClass, BOOLEAN ReturnSingleEntry,
                                    PUNICODE_STRING FileName, BOOLEAN RestartScan);
NTSTATUS NTAPI NtOpenDirectoryObject(PHANDLE DirectoryHandle, ACCESS_MASK DesiredAccess,
                                     POBJECT_ATTRIBUTES ObjectAttributes);
NTSTATUS NTAPI NtQueryDirectoryObject(HANDLE DirectoryHandle, PVOID Buffer, ULONG Length, BOOLEAN ReturnSingleEntry,
                                      BOOLEAN RestartScan, PULONG Context, PULONG ReturnLength);
NTSTATUS NTAPI NtOpenSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
NTSTATUS NTAPI RtlGetLastNtStatus(void);
NTSTATUS NTAPI NtQuerySecurityObject(HANDLE Handle, SECURITY_INFORMATION SecurityInformation,
                                     PSECURITY_DESCRIPTOR SecurityDescriptor, ULONG Length, PULONG LengthNeeded);
NTSTATUS NTAPI NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
NTSTATUS NTAPI NtOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
NTSTATUS NTAPI NtOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes);
NTSTATUS NTAPI NtQueryEvent(HANDLE EventHandle, int EventInformationClass, PVOID EventInformation,
                            ULONG EventInformationLength, PULONG ReturnLength);
NTSTATUS NTAPI NtQueryMutant(HANDLE MutantHandle, int MutantInformationClass, PVOID MutantInformation,
                             ULONG MutantInformationLength, PULONG ReturnLength);
NTSTATUS NTAPI NtQuerySemaphore(HANDLE SemaphoreHandle, int SemaphoreInformationClass, PVOID SemaphoreInformation,
                                ULONG SemaphoreInformationLength, PULONG ReturnLength);
NTSTATUS NTAPI NtQuerySection(HANDLE SectionHandle, int SectionInformationClass, PVOID SectionInformation,
                              SIZE_T SectionInformationLength, PSIZE_T ReturnLength);
}
