// Checks the resources of a Windows executable the way Windows reads them (run under Wine):
//   version_resource_check EXE VERSION MAJOR.MINOR.PATCH.TWEAK
// the version resource (FileVersion and ProductVersion strings, the fixed numbers), the icon
// group, and the manifest (asInvoker, PerMonitorV2, longPathAware). Exit 0 when all hold.
#include <windows.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

int g_failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++g_failures;
}

std::string queryString(const std::vector<char>& info, const char* name) {
    char* value = nullptr;
    UINT len = 0;
    const std::string key = std::string("\\StringFileInfo\\040904B0\\") + name;
    if (!VerQueryValueA(info.data(), key.c_str(), reinterpret_cast<void**>(&value), &len) || !value) return "(missing)";
    return std::string(value, len && value[len - 1] == '\0' ? len - 1 : len);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: version_resource_check EXE VERSION MAJOR.MINOR.PATCH.TWEAK\n");
        return 2;
    }
    const char* exe = argv[1];
    const std::string version = argv[2];
    const std::string numbers = argv[3];

    DWORD ignored = 0;
    const DWORD size = GetFileVersionInfoSizeA(exe, &ignored);
    check(size > 0, std::string("GetFileVersionInfoSize(") + exe + ") finds a version resource");
    if (size > 0) {
        std::vector<char> info(size);
        check(GetFileVersionInfoA(exe, 0, size, info.data()) != 0, "GetFileVersionInfo reads it");
        const std::string fileVersion = queryString(info, "FileVersion");
        const std::string productVersion = queryString(info, "ProductVersion");
        check(fileVersion == version, "FileVersion is '" + version + "' (got '" + fileVersion + "')");
        check(productVersion == version, "ProductVersion is '" + version + "' (got '" + productVersion + "')");
        check(queryString(info, "OriginalFilename") == "ipcscope.exe", "OriginalFilename is ipcscope.exe");
        VS_FIXEDFILEINFO* fixed = nullptr;
        UINT len = 0;
        if (VerQueryValueA(info.data(), "\\", reinterpret_cast<void**>(&fixed), &len) && fixed) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%lu.%lu.%lu.%lu", HIWORD(fixed->dwFileVersionMS), LOWORD(fixed->dwFileVersionMS),
                          HIWORD(fixed->dwFileVersionLS), LOWORD(fixed->dwFileVersionLS));
            check(numbers == buf, "the fixed file version is " + numbers + " (got " + buf + ")");
            check(fixed->dwFileType == VFT_APP, "the file type is an application");
        } else {
            check(false, "VS_FIXEDFILEINFO is present");
        }
    }

    HMODULE image = LoadLibraryExA(exe, nullptr, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    check(image != nullptr, "the executable loads as a resource image");
    if (image) {
        check(FindResourceA(image, MAKEINTRESOURCEA(1), MAKEINTRESOURCEA(14)) != nullptr, "icon group 1 (RT_GROUP_ICON) is present");
        HRSRC res = FindResourceA(image, MAKEINTRESOURCEA(1), MAKEINTRESOURCEA(24));
        check(res != nullptr, "manifest 1 (RT_MANIFEST) is present");
        if (res) {
            HGLOBAL loaded = LoadResource(image, res);
            const char* text = loaded ? static_cast<const char*>(LockResource(loaded)) : nullptr;
            const std::string manifest = text ? std::string(text, SizeofResource(image, res)) : std::string();
            for (const char* needle : {"level=\"asInvoker\"", "PerMonitorV2", "<longPathAware", ">true</longPathAware>"})
                check(manifest.find(needle) != std::string::npos, std::string("the manifest has ") + needle);
        }
        FreeLibrary(image);
    }
    return g_failures == 0 ? 0 : 1;
}
