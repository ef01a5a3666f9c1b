#pragma once

// Deliberately free of torch headers: the CLI reads the launcher's environment and starts workers with this.

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tau::core {

/** Where this process stands in a data-parallel job, as a launcher (SLURM, torchrun, tau --nproc) describes it. */
struct DistributedEnvironment
{
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    std::string masterAddr = "127.0.0.1"; ///< host of the c10d TCPStore (rank 0's, or tau --nproc's own)
    int masterPort = 29500;
    bool launcherHostsStore = false; ///< tau --nproc hosts the store itself, so every rank joins it as a client
    int timeoutSeconds = 600;        ///< a collective that waits longer than this fails (TAU_DIST_TIMEOUT)

    bool distributed() const { return worldSize > 1; }
};

/**
 * The job this process belongs to, from the standard variables: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
 * MASTER_PORT (torchrun, Kubernetes operators, tau --nproc), or SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID
 * under srun, with MASTER_ADDR set by the batch script. nullopt when none are set or the world has one process.
 * @throws TauError naming the variable when a value is malformed or out of range.
 */
std::optional<DistributedEnvironment> distributedEnvironmentFromVariables();

class Communicator;

/**
 * Joins the job's process group through a c10d TCPStore: Gloo for CPU training; NCCL for CUDA when the LibTorch in
 * use has it (otherwise a TauError that says so). Blocks until every rank has joined or the timeout passes.
 * @param device the config's device value ("cpu", "cuda", "cuda:N", "auto").
 */
std::shared_ptr<Communicator> joinProcessGroup(const DistributedEnvironment& environment, const std::string& device);

/** The communicator of a one-process run: every collective is the identity. */
std::shared_ptr<Communicator> singleProcessCommunicator();

/**
 * tau --nproc N: hosts a c10d TCPStore on loopback and runs N copies of this executable with @p arguments (argv
 * without --nproc), each with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT set. When one exits with
 * an error or a signal, says which rank, gives the others @p graceSeconds to stop on their own, then kills them.
 * Ctrl-C is passed on to every worker. @return 0 when all succeeded, else the first failing worker's status.
 */
int runLocalWorkers(int processes, const std::vector<std::string>& arguments, int graceSeconds = 30);

} // namespace tau::core
