// The message layer on MPI. Every MPI call is made under one lock (MPI_THREAD_SERIALIZED);
// transfers are non-blocking and polled, with the lock released between polls, so that a
// thread waiting for one rank never holds up a thread talking to another, and an idle rank
// sleeps instead of spinning.

// NOTE: the C API only; Open MPI and MPICH would otherwise pull in their deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "experiments/cluster/comm.hpp"

namespace knntune::exp::cluster {

namespace {

std::mutex g_mu;
/// Held for the whole of one send: the header and pieces of two messages to the same rank
/// with the same tag must not interleave (rank 0 sends to the slots of one worker from several
/// threads). Waiting for a send to complete never needs this lock on the receiving side.
std::mutex g_send_mu;
int g_rank = 0;
int g_size = 1;
bool g_started = false;

/// Largest piece of one message: MPI counts are `int`.
constexpr std::size_t kPieceBytes = std::size_t{1} << 30;

/// Sleeps a little longer each time, from 20 µs up to 250 µs: a waiting rank wakes 4,000
/// times a second at most (well under 1 % of a core) and answers within a quarter millisecond.
class Backoff {
  public:
    void pause() {
        std::this_thread::sleep_for(std::chrono::microseconds(us_));
        us_ = std::min(us_ * 2, 250);
    }

  private:
    int us_ = 20;
};

void check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    throw std::runtime_error(std::string("MPI ") + what + " failed: " + std::string(text, len));
}

/// Waits for `req`, taking the lock only to test it.
void wait(MPI_Request& req) {
    Backoff backoff;
    while (true) {
        int done = 0;
        {
            std::lock_guard lock(g_mu);
            check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "test");
        }
        if (done) return;
        backoff.pause();
    }
}

bool launched_by_mpi() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
        if (std::getenv(v) != nullptr) return true;
    }
    return false;
}

Message receive_matching(int from, int tag) {
    const int source = from == kAnySource ? MPI_ANY_SOURCE : from;
    Backoff backoff;
    while (true) {
        MPI_Message matched = MPI_MESSAGE_NULL;
        MPI_Status status;
        MPI_Request req = MPI_REQUEST_NULL;
        std::uint64_t n = 0;
        {
            std::lock_guard lock(g_mu);
            int found = 0;
            check(MPI_Improbe(source, tag, MPI_COMM_WORLD, &found, &matched, &status), "probe");
            if (found) check(MPI_Imrecv(&n, 8, MPI_BYTE, &matched, &req), "receive");
        }
        if (req == MPI_REQUEST_NULL) {
            backoff.pause();
            continue;
        }
        wait(req);
        Message m;
        m.source = status.MPI_SOURCE;
        m.tag = static_cast<Tag>(status.MPI_TAG);
        m.bytes.resize(n);
        for (std::size_t at = 0; at < n; at += kPieceBytes) {
            const auto piece = static_cast<int>(std::min<std::size_t>(kPieceBytes, n - at));
            {
                std::lock_guard lock(g_mu);
                check(MPI_Irecv(m.bytes.data() + at, piece, MPI_BYTE, m.source, status.MPI_TAG,
                                MPI_COMM_WORLD, &req),
                      "receive");
            }
            wait(req);
        }
        return m;
    }
}

}  // namespace

bool built_with_mpi() { return true; }
int rank() { return g_rank; }
int size() { return g_size; }

void send(int to, Tag tag, std::string_view bytes) {
    std::lock_guard whole(g_send_mu);
    const std::uint64_t n = bytes.size();
    MPI_Request req = MPI_REQUEST_NULL;
    {
        std::lock_guard lock(g_mu);
        check(MPI_Isend(&n, 8, MPI_BYTE, to, static_cast<int>(tag), MPI_COMM_WORLD, &req), "send");
    }
    wait(req);
    for (std::size_t at = 0; at < n; at += kPieceBytes) {
        const auto piece = static_cast<int>(std::min<std::size_t>(kPieceBytes, n - at));
        {
            std::lock_guard lock(g_mu);
            check(MPI_Isend(bytes.data() + at, piece, MPI_BYTE, to, static_cast<int>(tag),
                            MPI_COMM_WORLD, &req),
                  "send");
        }
        wait(req);
    }
}

Message receive(int from, Tag tag) { return receive_matching(from, static_cast<int>(tag)); }
Message receive_any_tag(int from) { return receive_matching(from, MPI_ANY_TAG); }

void abort_all(int status) {
    if (g_started && g_size > 1) MPI_Abort(MPI_COMM_WORLD, status);
}

Session::Session(int* argc, char*** argv) {
    if (!launched_by_mpi()) return;
    int provided = 0;
    check(MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided), "init");
    g_started = true;
    if (provided < MPI_THREAD_SERIALIZED) {
        throw std::runtime_error("the MPI library gives no MPI_THREAD_SERIALIZED support");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
}

Session::~Session() {
    if (!g_started) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

}  // namespace knntune::exp::cluster
