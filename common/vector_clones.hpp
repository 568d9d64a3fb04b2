#pragma once
/// `KNNTUNE_VECTOR_CLONES` before a function definition compiles it twice, for AVX2 and for
/// baseline x86-64, and the CPU picks one when the program is loaded (GCC on x86-64 only;
/// elsewhere it expands to nothing).
///
/// NOTE: the project compiles with -ffp-contract=off and the target list holds no FMA, so both
/// clones do the same float operations in the same order: results are bit-identical whichever
/// clone runs. Helpers that take or return GCC vectors must be always-inlined into the cloned
/// function, so that no call passes a vector across the two ABIs.

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KNNTUNE_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KNNTUNE_VECTOR_CLONES
#endif
