# The version of ipcscope comes from one place: project(VERSION) in the top CMakeLists.txt.
# Built from a git checkout, it gets a suffix that tells the commit apart:
#   0.1.0                       the commit tagged v0.1.0, clean
#   0.1.0+git312.g1a2b3c4d5e6f  312 commits after the tag (or since the start when there is no
#                               tag), at commit 1a2b3c4d5e6f
#   ....dirty                   with uncommitted changes at configure time
# The suffix is valid in a Debian version and sorts by the commit count. Built from a tarball
# without .git, the version is the project version alone.
#
# Sets IPCSCOPE_VERSION_FULL (the string) and IPCSCOPE_VERSION_TWEAK (the commit count, for the
# fourth number of the Windows version resource), and generates the ipcscope_version library.

set(IPCSCOPE_VERSION_FULL "${PROJECT_VERSION}")
set(IPCSCOPE_VERSION_TWEAK 0)

find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --show-toplevel --absolute-git-dir
                  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                  OUTPUT_VARIABLE _git_dirs RESULT_VARIABLE _git_rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_git_rc EQUAL 0)
    string(REPLACE "\n" ";" _git_dirs "${_git_dirs}")
    list(GET _git_dirs 0 _git_top)
    list(GET _git_dirs 1 _git_dir)
    file(REAL_PATH "${_git_top}" _git_top)
    file(REAL_PATH "${PROJECT_SOURCE_DIR}" _src_top)
  endif()
  # Only a checkout of this project counts, not a tarball unpacked inside another repository.
  if(_git_rc EQUAL 0 AND _git_top STREQUAL _src_top)
    macro(_ipcscope_git out)
      execute_process(COMMAND "${GIT_EXECUTABLE}" ${ARGN} WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                      OUTPUT_VARIABLE ${out} RESULT_VARIABLE _rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
      if(NOT _rc EQUAL 0)
        set(${out} "")
      endif()
    endmacro()
    _ipcscope_git(_hash rev-parse --short=12 HEAD)
    if(_hash)
      _ipcscope_git(_tagged rev-parse -q --verify "refs/tags/v${PROJECT_VERSION}^{commit}")
      if(_tagged)
        _ipcscope_git(_count rev-list --count "v${PROJECT_VERSION}..HEAD")
      else()
        _ipcscope_git(_count rev-list --count HEAD)
      endif()
      _ipcscope_git(_changes status --porcelain --untracked-files=no)
      set(_suffix "")
      if(NOT _tagged OR NOT _count EQUAL 0)
        set(_suffix "+git${_count}.g${_hash}")
      endif()
      if(_changes)
        if(_suffix)
          string(APPEND _suffix ".dirty")
        else()
          set(_suffix "+dirty")
        endif()
      endif()
      set(IPCSCOPE_VERSION_FULL "${PROJECT_VERSION}${_suffix}")
      if(_count GREATER 65535)
        set(_count 65535)
      endif()
      set(IPCSCOPE_VERSION_TWEAK "${_count}")
      # A new commit (or a checkout) moves HEAD and appends to its log: configure again then.
      if(EXISTS "${_git_dir}/logs/HEAD")
        set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_git_dir}/logs/HEAD")
      endif()
    endif()
  endif()
endif()
message(STATUS "ipcscope version: ${IPCSCOPE_VERSION_FULL}")

# One small library holds the string, so a new version rebuilds one file, not every target.
configure_file("${PROJECT_SOURCE_DIR}/cmake/version.cpp.in" "${PROJECT_BINARY_DIR}/generated/version.cpp" @ONLY)
add_library(ipcscope_version STATIC "${PROJECT_BINARY_DIR}/generated/version.cpp")
# The version header is base/version.h, in the base layer.
target_link_libraries(ipcscope_version PUBLIC ipcscope_base)
