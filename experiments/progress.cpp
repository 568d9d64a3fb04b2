#include "experiments/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace knntune::exp {

namespace {

/// Columns of the terminal on stderr: its size, else $COLUMNS, else 80.
std::size_t terminal_width() {
    winsize ws{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* c = std::getenv("COLUMNS")) {
        const long n = std::strtol(c, nullptr, 10);
        if (n > 0 && n < 10000) return static_cast<std::size_t>(n);
    }
    return 80;
}

/// `s` cut to at most `width` characters (UTF-8 sequences are kept whole).
std::string cut_to_width(const std::string& s, std::size_t width) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool continuation = (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
        if (continuation) continue;
        if (chars == width) return s.substr(0, i);
        ++chars;
    }
    return s;
}

}  // namespace

std::string format_seconds(double s) {
    char buf[32];
    if (s < 0 || s != s || s > 3.6e8) return "?";  // beyond 100,000 hours: no estimate
    if (s < 60) {
        std::snprintf(buf, sizeof buf, "%.0fs", s);
    } else if (s < 3600) {
        std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60,
                      static_cast<int>(s) % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600,
                      static_cast<int>(s) / 60 % 60);
    }
    return buf;
}

std::string format_progress_line(const ProgressState& st, std::size_t width) {
    constexpr long kBar = 28;
    const long filled = st.total > 0 ? std::min(kBar, kBar * std::max(0L, st.done) / st.total) : 0;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar += std::string(static_cast<std::size_t>(kBar - filled), '.');
    const long run = st.done - st.done_at_start;
    const bool timed = run > 0 && st.elapsed_seconds > 0;
    std::string rate = "?";
    std::string eta = "?";
    if (timed) {
        const double per_minute = 60.0 * static_cast<double>(run) / st.elapsed_seconds;
        char buf[32];
        std::snprintf(buf, sizeof buf, per_minute < 100 ? "%.1f" : "%.0f", per_minute);
        rate = buf;
        const double left = static_cast<double>(std::max(0L, st.total - st.done));
        eta = format_seconds(st.elapsed_seconds / static_cast<double>(run) * left);
    }
    std::string line = st.title + " [" + bar + "] " + std::to_string(st.done) + "/" +
                       std::to_string(st.total) + "  " + format_seconds(st.elapsed_seconds) + "  " +
                       rate + "/min  ETA " + eta;
    if (!st.best.empty()) line += "  " + st.best;
    return cut_to_width(line, width);
}

Progress::Progress(ProgressMode mode) : mode_(mode) {
    if (mode_ == ProgressMode::Auto) {
        mode_ = ::isatty(STDERR_FILENO) != 0 ? ProgressMode::Bar : ProgressMode::Lines;
    }
}

void Progress::start(const std::string& title, long total, long done) {
    std::lock_guard lock(mu_);
    title_ = title;
    total_ = total;
    done_ = done;
    done_at_start_ = done;
    started_ = std::chrono::steady_clock::now();
    if (mode_ == ProgressMode::Bar) draw("");
    if (mode_ == ProgressMode::Lines) {
        std::cerr << title_ << ": " << total_ << " steps"
                  << (done > 0 ? " (" + std::to_string(done) + " already done)" : "") << "\n";
    }
}

void Progress::draw(const std::string& best) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const ProgressState state{title_, total_, done_, done_at_start_, elapsed, best};
    // NOTE: one column short of the width: a line that fills the last column leaves some
    // terminals waiting to wrap, and the next redraw would start a new line.
    const std::size_t width = terminal_width();
    const std::string line = format_progress_line(state, width > 1 ? width - 1 : width);
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
}

void Progress::step(const std::string& line, const std::string& best) {
    std::lock_guard lock(mu_);
    ++done_;
    if (mode_ == ProgressMode::Bar) draw(best);
    if (mode_ == ProgressMode::Lines) std::cerr << title_ << " " << line << "\n";
}

void Progress::finish(const std::string& summary) {
    std::lock_guard lock(mu_);
    if (mode_ == ProgressMode::Bar) std::fprintf(stderr, "\n");
    if (mode_ != ProgressMode::Quiet && !summary.empty())
        std::cerr << title_ << ": " << summary << "\n";
}

void Progress::note(const std::string& text) {
    std::lock_guard lock(mu_);
    if (mode_ != ProgressMode::Quiet) std::cerr << text << "\n";
}

}  // namespace knntune::exp
