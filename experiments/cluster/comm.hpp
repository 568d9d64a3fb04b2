#pragma once
/// The message layer of a distributed run: the process's rank, point-to-point messages of any
/// size between ranks, and the MPI session. Built on MPI when knntune is configured with it
/// (`KNNTUNE_MPI`); otherwise every process is rank 0 of 1 and nothing here communicates.
///
/// A process takes part in a distributed run only when an MPI launcher started it (mpirun,
/// mpiexec, srun): `Session` starts MPI then, and leaves it alone otherwise, so a plain
/// `knntune ...` never pays for MPI start-up. Every call is thread-safe (one lock around MPI).
/// Waiting for a message polls with short sleeps instead of MPI's busy wait, so an idle rank
/// does not take a core from the ranks beside it on the same machine.

#include <cstdint>
#include <string>
#include <string_view>

namespace knntune::exp::cluster {

/// What a message is; a receive names the tag it waits for (or any).
enum class Tag : int {
    Setup = 1,    ///< rank 0 → worker: the resolved config and the data
    Request = 2,  ///< rank 0 → worker: one job (evaluate a trial, fit rows, stop)
    Ready = 3,    ///< worker → rank 0: set up, with the trials it runs at once
    Rows = 4,     ///< any → rank 0: a block of similarity rows
    Release = 5,  ///< rank 0 → others: go on (the data is ready)
    Reply = 100,  ///< worker → rank 0: a trial's result; slot s of a worker replies Reply + s
};

/// The tag of the reply from slot `slot` of a worker (each slot runs one trial at a time).
[[nodiscard]] inline Tag reply_tag(int slot) {
    return static_cast<Tag>(static_cast<int>(Tag::Reply) + slot);
}

/// A received message.
struct Message {
    int source = 0;
    Tag tag = Tag::Request;
    std::string bytes;
};

/// Whether this build has MPI support.
[[nodiscard]] bool built_with_mpi();
/// This process's rank (0 when not distributed) and the number of ranks (1).
[[nodiscard]] int rank();
[[nodiscard]] int size();
/// More than one rank.
[[nodiscard]] inline bool distributed() { return size() > 1; }

/// Sends `bytes` to rank `to` (any size: large messages go in pieces).
void send(int to, Tag tag, std::string_view bytes);
/// Waits for the next message from `from` (kAnySource: any rank) with `tag`.
inline constexpr int kAnySource = -1;
[[nodiscard]] Message receive(int from, Tag tag);
/// Waits for the next message from `from` with any tag.
[[nodiscard]] Message receive_any_tag(int from);

/// Ends every rank of the job with `status` (MPI_Abort); returns only when not distributed.
void abort_all(int status);

/// Starts MPI when an MPI launcher started this process (it set OMPI_COMM_WORLD_SIZE,
/// PMIX_RANK or PMI_RANK), and finalises it on destruction. One per process, in `main`.
class Session {
  public:
    Session(int* argc, char*** argv);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
};

}  // namespace knntune::exp::cluster
