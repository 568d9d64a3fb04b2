#include "experiments/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace knntune::exp {

namespace {

std::string format_seconds(double s) {
    char buf[32];
    if (s < 0 || s != s) return "?";
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

}  // namespace

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
    const long run = done_ - done_at_start_;
    const double eta =
        run > 0 ? elapsed / static_cast<double>(run) * static_cast<double>(total_ - done_) : -1;
    constexpr int kWidth = 28;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * done_ / total_) : 0;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar += std::string(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "\r\033[K%s [%s] %ld/%ld  ETA %s  %s", title_.c_str(), bar.c_str(), done_,
                 total_, format_seconds(eta).c_str(), best.c_str());
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
