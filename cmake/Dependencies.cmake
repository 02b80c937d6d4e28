# Every dependency comes from Debian's packages. The native build finds them the usual way;
# the mingw-w64 cross build uses the header-only ones through a small include folder of links
# (adding /usr/include itself would mix glibc headers into a Windows build) and builds
# GoogleTest from the source that Debian's googletest package ships.

find_package(Threads REQUIRED)

if(CMAKE_CROSSCOMPILING AND WIN32)
  set(_hdr "${CMAKE_BINARY_DIR}/debian-headers")
  file(MAKE_DIRECTORY "${_hdr}")
  foreach(dir nlohmann CLI spdlog fmt)
    if(NOT EXISTS "/usr/include/${dir}")
      message(FATAL_ERROR "/usr/include/${dir} is missing: install the Debian -dev package that ships it")
    endif()
    file(CREATE_LINK "/usr/include/${dir}" "${_hdr}/${dir}" SYMBOLIC)
  endforeach()
  add_library(ipcscope_deps INTERFACE)
  target_include_directories(ipcscope_deps SYSTEM INTERFACE "${_hdr}")
  target_compile_definitions(ipcscope_deps INTERFACE FMT_HEADER_ONLY SPDLOG_FMT_EXTERNAL
                                                     WIN32_LEAN_AND_MEAN NOMINMAX _WIN32_WINNT=0x0A00)
  target_link_libraries(ipcscope_deps INTERFACE Threads::Threads)
  set(IPCSCOPE_WIN_GUI_DEPS "${CMAKE_SOURCE_DIR}/build/gui-deps" CACHE PATH
      "Folder prepared by scripts/windows-gui-deps.sh")
  if(IPCSCOPE_BUILD_GUI)
    # SDL2 cross-built and Dear ImGui's sources, both from Debian source packages, prepared by
    # scripts/windows-gui-deps.sh (Debian ships no mingw builds of either).
    file(GLOB IPCSCOPE_IMGUI_SRC LIST_DIRECTORIES true "${IPCSCOPE_WIN_GUI_DEPS}/src/imgui-*")
    list(FILTER IPCSCOPE_IMGUI_SRC EXCLUDE REGEX "\\.(tar\\..*|dsc)$")
    if(EXISTS "${IPCSCOPE_WIN_GUI_DEPS}/win64/.ipcscope-ready" AND IPCSCOPE_IMGUI_SRC
       AND EXISTS "/usr/include/stb/stb_image_write.h")
      find_package(SDL2 REQUIRED CONFIG PATHS "${IPCSCOPE_WIN_GUI_DEPS}/win64" NO_DEFAULT_PATH
                   NO_CMAKE_FIND_ROOT_PATH)
      file(CREATE_LINK "/usr/include/stb" "${_hdr}/stb" SYMBOLIC)
      message(STATUS "Windows GUI: SDL2 from ${IPCSCOPE_WIN_GUI_DEPS}/win64, Dear ImGui from ${IPCSCOPE_IMGUI_SRC}")
    else()
      message(WARNING "Windows GUI dependencies not found in ${IPCSCOPE_WIN_GUI_DEPS} (run "
                      "scripts/windows-gui-deps.sh; libstb-dev provides stb): building without the GUI")
      set(IPCSCOPE_BUILD_GUI OFF)  # for this configure only: a later run with the folder ready builds it
    endif()
  endif()
  # cpp-httplib: Debian's binary package is a Linux library; its source package carries the
  # header-only form, which builds with mingw-w64 over Winsock (scripts/windows-gui-deps.sh
  # fetches it next to the GUI's sources).
  file(GLOB _httplib_src LIST_DIRECTORIES true "${IPCSCOPE_WIN_GUI_DEPS}/src/cpp-httplib-*")
  list(FILTER _httplib_src EXCLUDE REGEX "\\.(tar\\..*|dsc)$")
  if(_httplib_src)
    list(GET _httplib_src 0 _httplib_src)
  endif()
  if(NOT _httplib_src OR NOT EXISTS "${_httplib_src}/httplib.h")
    message(FATAL_ERROR "cpp-httplib's source (Debian source package cpp-httplib) is missing under "
                        "${IPCSCOPE_WIN_GUI_DEPS}/src: run scripts/windows-gui-deps.sh")
  endif()
  file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/httplib-header")
  file(CREATE_LINK "${_httplib_src}/httplib.h" "${CMAKE_BINARY_DIR}/httplib-header/httplib.h" SYMBOLIC)
  add_library(ipcscope_httplib INTERFACE)
  target_include_directories(ipcscope_httplib SYSTEM INTERFACE "${CMAKE_BINARY_DIR}/httplib-header")
  target_link_libraries(ipcscope_httplib INTERFACE ws2_32)
  message(STATUS "cpp-httplib (header-only) from ${_httplib_src}")
  if(IPCSCOPE_BUILD_TESTS)
    set(gtest_force_shared_crt ON CACHE BOOL "" FORCE)
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
    add_subdirectory(/usr/src/googletest "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL SYSTEM)
  endif()
else()
  find_package(nlohmann_json 3.10 REQUIRED)
  find_package(CLI11 REQUIRED)
  find_package(spdlog REQUIRED)
  add_library(ipcscope_deps INTERFACE)
  target_link_libraries(ipcscope_deps INTERFACE nlohmann_json::nlohmann_json CLI11::CLI11 spdlog::spdlog
                                                Threads::Threads)
  # cpp-httplib as Debian builds it: the declarations in httplib.h, the code in libcpp-httplib.
  # Its pkg-config flags (OpenSSL, zlib, Brotli) must match how the library was built.
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  add_library(ipcscope_httplib INTERFACE)
  target_link_libraries(ipcscope_httplib INTERFACE PkgConfig::HTTPLIB)
  if(IPCSCOPE_BUILD_TESTS)
    find_package(GTest REQUIRED)
  endif()
  if(IPCSCOPE_BUILD_GUI)
    find_package(SDL2 REQUIRED)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
  endif()
endif()
