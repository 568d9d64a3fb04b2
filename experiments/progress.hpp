#pragma once
/// Progress of a study on the terminal: a bar with ETA and the best value so far, or one log
/// line per trial when stderr is not a terminal, or nothing with --quiet.

#include <chrono>
#include <mutex>
#include <string>

namespace knntune::exp {

enum class ProgressMode { Auto, Bar, Lines, Quiet };

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
