// The progress bar's line as a pure function of the phase's state, and the best-so-far text.

#include <catch2/catch.hpp>
#include <string>

#include "experiments/knn_study.hpp"
#include "experiments/progress.hpp"

using knntune::exp::format_progress_line;
using knntune::exp::ProgressState;

TEST_CASE("progress: the bar shows elapsed time, trials per minute, ETA and the best",
          "[experiments][progress]") {
    ProgressState st{"item_knn", 200, 12, 2, 123, "best 0.1161 cosine k=120 shrink=40"};
    // 10 trials in 123 s: 4.88 per minute; 188 left at 12.3 s each: 2312 s.
    const std::string full =
        "item_knn [#...........................] 12/200  2m03s  4.9/min  ETA 38m32s  "
        "best 0.1161 cosine k=120 shrink=40";
    CHECK(format_progress_line(st, 200) == full);
    CHECK(format_progress_line(st, full.size()) == full);
    CHECK(format_progress_line(st, 60) == full.substr(0, 60));
    CHECK(format_progress_line(st, 0).empty());

    // Before the first step of this run: no rate and no ETA; no best yet.
    st.done = 2;
    st.elapsed_seconds = 4;
    st.best.clear();
    CHECK(format_progress_line(st, 200) ==
          "item_knn [............................] 2/200  4s  ?/min  ETA ?");

    // A fast phase: the rate without decimals; the bar full at the end.
    st = {"t", 4, 4, 0, 1.5, ""};
    CHECK(format_progress_line(st, 200) ==
          "t [############################] 4/4  2s  160/min  ETA 0s");
}

TEST_CASE("progress: the line is cut by characters, never inside a UTF-8 sequence",
          "[experiments][progress]") {
    const ProgressState st{"caf\xc3\xa9", 1, 0, 0, 0, ""};
    CHECK(format_progress_line(st, 4) == "caf\xc3\xa9");
    CHECK(format_progress_line(st, 3) == "caf");
    CHECK(format_progress_line(st, 5) == "caf\xc3\xa9 ");
}

TEST_CASE("progress: the best so far is the value and the configuration",
          "[experiments][progress]") {
    knntune::exp::KnnConfig c;
    c.measure = "cosine";
    c.params = {{"k", 120.0}, {"shrink", 40.0}};
    CHECK(knntune::exp::best_text(0.116123, c) == "best 0.1161 cosine k=120 shrink=40");
    c.params["binary"] = std::string("true");
    CHECK(knntune::exp::best_text(0.5, c) == "best 0.5 cosine binary=true k=120 shrink=40");
}
