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
  if(IPCSCOPE_BUILD_GUI)
    # SDL2 cross-built and Dear ImGui's sources, both from Debian source packages, prepared by
    # scripts/windows-gui-deps.sh (Debian ships no mingw builds of either).
    set(IPCSCOPE_WIN_GUI_DEPS "${CMAKE_SOURCE_DIR}/build/gui-deps" CACHE PATH
        "Folder prepared by scripts/windows-gui-deps.sh")
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
  if(IPCSCOPE_BUILD_TESTS)
    find_package(GTest REQUIRED)
  endif()
  if(IPCSCOPE_BUILD_GUI)
    find_package(SDL2 REQUIRED)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
  endif()
endif()
