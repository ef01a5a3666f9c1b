# Helpers shared by every folder of the project.

# Warnings for our own targets only: never for system headers (torch, Qt, QCustomPlot).
function(tau_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual)
  if(TAU_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Qt targets use Q_SIGNALS/Q_SLOTS/Q_EMIT: LibTorch headers have members named `slots`.
function(tau_qt_defaults target)
  set_target_properties(${target} PROPERTIES AUTOMOC ON AUTORCC ON)
  target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS QT_NO_URL_CAST_FROM_STRING)
endfunction()

# tau_add_qtest(NAME tst_x SOURCES a.cpp LIBS lib... LABELS core [TIMEOUT s])
# One Qt Test executable per test class, registered with CTest under the offscreen platform.
function(tau_add_qtest)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  tau_qt_defaults(${ARG_NAME})
  tau_set_warnings(${ARG_NAME})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} tau_test_support Qt6::Test)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  set_tests_properties(${ARG_NAME} PROPERTIES
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;LANG=C.UTF-8;TAU_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    TIMEOUT ${ARG_TIMEOUT}
    LABELS "${ARG_LABELS}")
endfunction()
