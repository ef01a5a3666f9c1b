#include "core/distributed/distributed_environment.h"

#include "core/common/error.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace tau::core {

namespace {

std::optional<std::string> variable(const char* name)
{
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        return std::nullopt;
    }
    return std::string(value);
}

long wholeNumber(const char* name, const std::string& text, long low, long high, const std::string& range)
{
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (errno != 0 || end == text.c_str() || *end != '\0' || value < low || value > high) {
        throw TauError(std::string(name) + "=" + text + ": expected a whole number " + range);
    }
    return value;
}

} // namespace

std::optional<DistributedEnvironment> distributedEnvironmentFromVariables()
{
    DistributedEnvironment environment;
    const char* rankName = "RANK";
    const char* worldName = "WORLD_SIZE";
    const char* localName = "LOCAL_RANK";
    if (!variable("RANK") && variable("SLURM_PROCID")) { // srun without a torchrun-style wrapper
        rankName = "SLURM_PROCID";
        worldName = "SLURM_NTASKS";
        localName = "SLURM_LOCALID";
    }
    const auto rank = variable(rankName);
    const auto world = variable(worldName);
    if (!rank && !world) {
        return std::nullopt;
    }
    if (!rank || !world) {
        throw TauError(std::string(rank ? worldName : rankName) + " is not set, but " + (rank ? rankName : worldName) +
                       " is: a distributed job needs both");
    }
    environment.worldSize = int(wholeNumber(worldName, *world, 1, 1 << 20, "of at least 1"));
    if (environment.worldSize == 1) {
        return std::nullopt;
    }
    environment.rank = int(wholeNumber(rankName, *rank, 0, environment.worldSize - 1,
                                       "from 0 to " + std::to_string(environment.worldSize - 1)));
    if (const auto local = variable(localName)) {
        environment.localRank = int(wholeNumber(localName, *local, 0, environment.worldSize - 1, "from 0"));
    }
    const auto address = variable("MASTER_ADDR");
    if (!address) {
        throw TauError("MASTER_ADDR is not set: a job of " + std::to_string(environment.worldSize) +
                       " processes needs the host of rank 0 (e.g. the first node of $SLURM_JOB_NODELIST)");
    }
    environment.masterAddr = *address;
    if (const auto port = variable("MASTER_PORT")) {
        environment.masterPort = int(wholeNumber("MASTER_PORT", *port, 1, 65535, "from 1 to 65535"));
    }
    if (const auto timeout = variable("TAU_DIST_TIMEOUT")) {
        environment.timeoutSeconds = int(wholeNumber("TAU_DIST_TIMEOUT", *timeout, 1, 86400, "of seconds, 1 to 86400"));
    }
    environment.launcherHostsStore = variable("TAU_LAUNCHER_STORE").value_or("") == "1";
    return environment;
}

namespace {

// The workers of tau --nproc, for the signal handler that passes Ctrl-C on.
std::vector<pid_t>& workerPids()
{
    static std::vector<pid_t> pids;
    return pids;
}

void forwardSignal(int signal)
{
    for (const pid_t pid : workerPids()) {
        if (pid > 0) {
            kill(pid, signal);
        }
    }
}

std::string describeStatus(int status)
{
    if (WIFSIGNALED(status)) {
        return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    }
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

int exitCodeOf(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

pid_t startWorker(const std::string& executable, const std::vector<std::string>& arguments,
                  const std::map<std::string, std::string>& settings)
{
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text = *entry;
        if (settings.count(text.substr(0, text.find('='))) == 0) {
            environment.push_back(text);
        }
    }
    for (const auto& [name, value] : settings) {
        environment.push_back(name + "=" + value);
    }
    // Built before fork: the child only calls execve.
    std::vector<char*> argv, envp;
    for (const std::string& argument : arguments) {
        argv.push_back(const_cast<char*>(argument.c_str()));
    }
    argv.push_back(nullptr);
    for (const std::string& entry : environment) {
        envp.push_back(const_cast<char*>(entry.c_str()));
    }
    envp.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0); // Ctrl-C reaches the launcher alone, which passes it on once to each worker
        execve(executable.c_str(), argv.data(), envp.data());
        _exit(127);
    }
    if (pid < 0) {
        throw TauError(std::string("cannot start a worker process: ") + std::strerror(errno));
    }
    return pid;
}

} // namespace

int runLocalWorkers(int processes, const std::vector<std::string>& arguments, int graceSeconds)
{
    if (processes < 1) {
        throw TauError("--nproc " + std::to_string(processes) + ": expected at least 1 process");
    }
    c10d::TCPStoreOptions options;
    options.port = 0; // any free port; the workers are told which
    options.isServer = true;
    options.waitWorkers = false;
    const auto store = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", options);

    std::error_code error;
    const std::string executable = std::filesystem::read_symlink("/proc/self/exe", error).string();
    if (error) {
        throw TauError("cannot find this executable to start its workers: " + error.message());
    }
    std::vector<pid_t>& pids = workerPids();
    pids.assign(size_t(processes), 0);
    std::signal(SIGINT, forwardSignal);
    std::signal(SIGTERM, forwardSignal);
    for (int rank = 0; rank < processes; ++rank) {
        pids[size_t(rank)] = startWorker(executable, arguments,
                                         {{"RANK", std::to_string(rank)},
                                          {"LOCAL_RANK", std::to_string(rank)},
                                          {"WORLD_SIZE", std::to_string(processes)},
                                          {"MASTER_ADDR", "127.0.0.1"},
                                          {"MASTER_PORT", std::to_string(store->getPort())},
                                          {"TAU_LAUNCHER_STORE", "1"}});
    }

    int result = 0;
    int running = processes;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    while (running > 0) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, deadline ? WNOHANG : 0);
        if (pid < 0 && errno == EINTR) {
            continue;
        }
        if (pid < 0) {
            break;
        }
        if (pid == 0) { // a worker failed and the others are given time to stop on their own
            if (std::chrono::steady_clock::now() > *deadline) {
                for (size_t rank = 0; rank < pids.size(); ++rank) {
                    if (pids[rank] > 0) {
                        std::fprintf(stderr, "tau: rank %zu did not stop within %d s of the failure; killing it\n",
                                     rank, graceSeconds);
                        kill(pids[rank], SIGKILL);
                    }
                }
                deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        for (size_t rank = 0; rank < pids.size(); ++rank) {
            if (pids[rank] != pid) {
                continue;
            }
            pids[rank] = 0;
            --running;
            const bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            if (failed && result == 0) {
                result = exitCodeOf(status);
                std::fprintf(stderr, "tau: rank %zu of %d (pid %d) %s; stopping the job\n", rank, processes, int(pid),
                             describeStatus(status).c_str());
                deadline = std::chrono::steady_clock::now() + std::chrono::seconds(graceSeconds);
            }
        }
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return result;
}

} // namespace tau::core
