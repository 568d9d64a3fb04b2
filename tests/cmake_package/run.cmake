# The `cmake_package` test (cmake -P): installs the build in BUILD_DIR into a fresh prefix,
# checks the installed tool runs, builds the consumer project in SOURCE against the installed
# package and runs it, and checks that a package version the install cannot satisfy is refused.
# Inputs: BUILD_DIR, SOURCE, WORK (scratch folder), CXX, BUILD_TYPE, FLAGS (extra compile and
# link flags, e.g. the sanitizers the libraries were built with).
foreach(var BUILD_DIR SOURCE WORK CXX BUILD_TYPE)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "cmake_package: ${var} not set")
    endif()
endforeach()

function(run_step what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "cmake_package: ${what} failed (${rc})\n${out}\n${err}")
    endif()
    set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
set(prefix ${WORK}/prefix)
# NOTE: the two components of the package only; the Python component installs into the
# interpreter's site folder, outside any prefix.
run_step("install the library part" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix}
         --component dev)
run_step("install the tool" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix}
         --component tool)
foreach(f bin/knntune include/knntune/engine/similarity/similarity.hpp
          include/knntune/tuner/study.hpp lib/cmake/knntune/knntuneConfig.cmake
          lib/cmake/knntune/knntuneConfigVersion.cmake lib/cmake/knntune/knntuneTargets.cmake)
    if(NOT EXISTS ${prefix}/${f})
        message(FATAL_ERROR "cmake_package: ${prefix}/${f} was not installed")
    endif()
endforeach()
run_step("installed knntune --help" ${prefix}/bin/knntune --help)

set(configure_args -S ${SOURCE} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX}
    -DCMAKE_BUILD_TYPE=${BUILD_TYPE} "-DCMAKE_CXX_FLAGS=${FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${FLAGS}")
run_step("configure the consumer" ${CMAKE_COMMAND} -B ${WORK}/consumer ${configure_args})
run_step("build the consumer" ${CMAKE_COMMAND} --build ${WORK}/consumer)
run_step("run the consumer" ${WORK}/consumer/consumer)
if(NOT step_output MATCHES "consumer: ok")
    message(FATAL_ERROR "cmake_package: the consumer printed\n${step_output}")
endif()

execute_process(
    COMMAND ${CMAKE_COMMAND} -B ${WORK}/too-new ${configure_args} -DKNNTUNE_WANTED=0.2
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "knntuneConfig.cmake, version: ")
    message(FATAL_ERROR "cmake_package: find_package(knntune 0.2) was not refused (${rc})\n${err}")
endif()
message(STATUS "cmake_package: installed, consumer built and ran, version 0.2 refused")
