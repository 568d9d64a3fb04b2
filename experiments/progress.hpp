#pragma once
/// Progress of a study on the terminal: a bar with the elapsed time, the rate, the ETA and the
/// best configuration so far, or one log line per trial when stderr is not a terminal, or
/// nothing with --quiet.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace knntune::exp {

enum class ProgressMode { Auto, Bar, Lines, Quiet };

/// One moment of a phase, as the bar shows it.
struct ProgressState {
    std::string title;           ///< the phase, e.g. "item_knn"
    long total = 0;              ///< steps of the phase
    long done = 0;               ///< steps finished, those of an earlier run included
    long done_at_start = 0;      ///< steps already finished when the phase started (resume)
    double elapsed_seconds = 0;  ///< since the phase started
    std::string best;            ///< e.g. "best 0.1161 cosine k=120 shrink=40"; may be empty
};

/// The bar line of `state`, without control codes, at most `width` columns (characters;
/// cut at the end): "TITLE [####....] DONE/TOTAL  ELAPSED  RATE/min  ETA T  BEST". The rate
/// and the ETA count the steps of this run only (not those before a resume); both are "?"
/// before the first step.
[[nodiscard]] std::string format_progress_line(const ProgressState& state, std::size_t width);

/// "42s", "3m07s", "2h05m"; "?" for a negative or NaN time.
[[nodiscard]] std::string format_seconds(double seconds);

class Progress {
  public:
    explicit Progress(ProgressMode mode = ProgressMode::Auto);

    /// Starts a phase of `total` steps (e.g. a study's trial budget), `done` already finished.
    void start(const std::string& title, long total, long done = 0);
    /// One step finished. `line` describes it (used in line mode), `best` is shown on the bar.
    void step(const std::string& line, const std::string& best);
    /// Ends the phase (final newline for the bar).
    void finish(const std::string& summary);
    /// A message outside a phase (suppressed in quiet mode).
    void note(const std::string& text);
    [[nodiscard]] bool quiet() const { return mode_ == ProgressMode::Quiet; }

  private:
    void draw(const std::string& best);
    ProgressMode mode_;
    std::mutex mu_;
    std::string title_;
    long total_ = 0;
    long done_ = 0;
    long done_at_start_ = 0;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace knntune::exp
