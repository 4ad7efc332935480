# prik_add_test(NAME SOURCES a.cpp b.cpp LIBS prik_storage ... [LABELS slow])
# Builds one GoogleTest executable and registers its tests with ctest.
function(prik_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main prik_warnings)
  target_compile_definitions(${name} PRIVATE
    PRIK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    PRIK_BINARY="$<TARGET_FILE:prik>")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()
