# Fails when a library includes one it must not: common/ includes none of the others;
# engine/ and tuner/ include common/ only (never each other, never experiments/).
foreach(pair "common;engine" "common;tuner" "common;experiments" "engine;tuner"
             "engine;experiments" "tuner;engine" "tuner;experiments")
    list(GET pair 0 lib)
    list(GET pair 1 forbidden)
    file(GLOB_RECURSE files "${SRC}/${lib}/*.hpp" "${SRC}/${lib}/*.cpp")
    foreach(f ${files})
        file(STRINGS "${f}" hits REGEX "#include [<\"]${forbidden}/")
        if(hits)
            message(FATAL_ERROR "${f} includes ${forbidden}/: ${hits}")
        endif()
    endforeach()
endforeach()
message(STATUS "layering ok")
