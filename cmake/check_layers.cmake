# The layer check: every quoted include in app/ and probes/ must name a header of the same
# layer or of a layer below it, written from the layer's root ("core/model.h",
# "platform/linux/proc_text.h"). The layers, bottom to top (docs/architecture.md):
#
#   base -> wire -> core -> exporter, platform (the backend) -> net, probe_runner
#        -> serve, cli, gui -> app/*.cpp
#
# A backend folder (platform/linux, platform/windows, ...) may not include another one.
# probes/ (the probe executables) sit on wire and may include their own probe_main.h.
#
# Usage: cmake -DROOT=<source tree> -P check_layers.cmake
# Prints one line per offending include and fails when there is one.

cmake_minimum_required(VERSION 3.25)

if(NOT ROOT)
  message(FATAL_ERROR "check_layers: pass -DROOT=<source tree>")
endif()

set(_layers base wire core exporter platform net probe_runner serve cli gui)
# What each layer may include: itself and everything it is built on.
set(_may_base base)
set(_may_wire ${_may_base} wire)
set(_may_core ${_may_wire} core)
set(_may_exporter ${_may_core} exporter)
set(_may_platform ${_may_core} platform)
set(_may_net ${_may_platform} net)
set(_may_probe_runner ${_may_core} probe_runner)
set(_may_serve ${_may_net} exporter serve)
set(_may_cli ${_may_net} probe_runner exporter cli)
set(_may_gui ${_may_net} probe_runner gui)
set(_may_program ${_layers})
set(_may_probes ${_may_wire})

file(GLOB_RECURSE _files RELATIVE "${ROOT}" "${ROOT}/app/*.h" "${ROOT}/app/*.cpp" "${ROOT}/probes/*.h"
     "${ROOT}/probes/*.cpp")
list(SORT _files)
set(_bad 0)
set(_checked 0)
foreach(_file IN LISTS _files)
  # Which layer the file belongs to.
  if(_file MATCHES "^probes/")
    set(_layer probes)
  elseif(_file MATCHES "^app/([^/]+)/")
    set(_layer "${CMAKE_MATCH_1}")
    if(NOT _layer IN_LIST _layers)
      message("${_file}: app/${_layer}/ is not a layer; add it to cmake/check_layers.cmake and docs/architecture.md")
      math(EXPR _bad "${_bad} + 1")
      continue()
    endif()
  else()
    set(_layer program)
  endif()
  set(_os "")
  if(_file MATCHES "^app/platform/([^/]+)/")
    set(_os "${CMAKE_MATCH_1}")
  endif()

  file(STRINGS "${ROOT}/${_file}" _lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(_line IN LISTS _lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*$" "\\1" _inc "${_line}")
    math(EXPR _checked "${_checked} + 1")
    if(_layer STREQUAL "probes" AND NOT _inc MATCHES "/" AND EXISTS "${ROOT}/probes/${_inc}")
      continue()  # a probe's own header
    endif()
    if(NOT _inc MATCHES "^([a-z_]+)/")
      message("${_file}: #include \"${_inc}\" is not written from a layer root (e.g. \"core/model.h\")")
      math(EXPR _bad "${_bad} + 1")
      continue()
    endif()
    set(_target "${CMAKE_MATCH_1}")
    if(NOT _target IN_LIST _layers)
      message("${_file}: #include \"${_inc}\" is not written from a layer root (e.g. \"core/model.h\")")
      math(EXPR _bad "${_bad} + 1")
    elseif(NOT _target IN_LIST _may_${_layer})
      message("${_file}: #include \"${_inc}\": layer '${_layer}' may not include layer '${_target}' "
              "(it may include: ${_may_${_layer}})")
      math(EXPR _bad "${_bad} + 1")
    elseif(_os AND _inc MATCHES "^platform/([^/]+)/" AND NOT CMAKE_MATCH_1 STREQUAL _os)
      message("${_file}: #include \"${_inc}\": the ${_os} backend may not include another backend")
      math(EXPR _bad "${_bad} + 1")
    elseif(NOT EXISTS "${ROOT}/app/${_inc}")
      message("${_file}: #include \"${_inc}\": no such header in app/")
      math(EXPR _bad "${_bad} + 1")
    endif()
  endforeach()
endforeach()

list(LENGTH _files _count)
if(_count EQUAL 0)
  message(FATAL_ERROR "check_layers: no sources under ${ROOT}/app or ${ROOT}/probes")
endif()
if(_bad GREATER 0)
  message(FATAL_ERROR "check_layers: ${_bad} include(s) break the layers")
endif()
message("check_layers: ${_count} files, ${_checked} includes, every one within its layer or below")
