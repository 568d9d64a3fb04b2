// The message layer of a build without MPI: one process, rank 0 of 1.

#include <stdexcept>

#include "experiments/cluster/comm.hpp"

namespace knntune::exp::cluster {

bool built_with_mpi() { return false; }
int rank() { return 0; }
int size() { return 1; }

void send(int /*to*/, Tag /*tag*/, std::string_view /*bytes*/) {
    throw std::logic_error("cluster::send without MPI");
}
Message receive(int /*from*/, Tag /*tag*/) {
    throw std::logic_error("cluster::receive without MPI");
}
Message receive_any_tag(int /*from*/) { throw std::logic_error("cluster::receive without MPI"); }
void abort_all(int /*status*/) {}

Session::Session(int* /*argc*/, char*** /*argv*/) {}
Session::~Session() = default;

}  // namespace knntune::exp::cluster
