#include "core/distributed/communicator.h"

#define TAU_LIBTORCH_WITH_C10D
#include "core/common/device.h"
#include "core/common/libtorch_compat.h"

#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
// PyPI's LibTorch ships no gloo headers, so the gloo names ProcessGroupGloo.hpp declares come from the LibTorch's own
// include/gloo where it has one (searched first) and from Debian's libgloo-dev otherwise. That is safe because this
// file only names gloo types: every gloo object sits behind a shared_ptr, made and used inside libtorch.
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/torch.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace tau::core {

namespace {

using namespace std::chrono_literals;

constexpr auto kHeartbeatPeriod = 1s;
constexpr auto kStallWindow = 3500ms; // over three heartbeats: a rank whose counter did not move is gone

std::string aliveKey(int rank)
{
    return "tau/alive/" + std::to_string(rank);
}

std::string failedKey(int rank)
{
    return "tau/failed/" + std::to_string(rank);
}

std::string firstLine(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

c10::intrusive_ptr<c10d::TCPStore> connectStore(const DistributedEnvironment& environment, bool server,
                                                std::chrono::milliseconds timeout)
{
    c10d::TCPStoreOptions options;
    options.port = uint16_t(environment.masterPort);
    options.isServer = server;
    options.waitWorkers = false;
    options.timeout = timeout;
    return c10::make_intrusive<c10d::TCPStore>(environment.masterAddr, options);
}

bool isLoopback(const std::string& address)
{
    return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

std::shared_ptr<::gloo::transport::Device> glooDevice(const DistributedEnvironment& environment)
{
    if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface != nullptr && *interface != '\0') {
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    }
    if (isLoopback(environment.masterAddr)) {
        return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    }
    return c10d::ProcessGroupGloo::createDefaultDevice(); // this host's name, resolved
}

} // namespace

struct Communicator::Group
{
    DistributedEnvironment environment;
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<compat::CollectiveBackend> processGroup;

    // The heartbeat: a counter per rank in the store, bumped every second from a connection of its own, so a
    // failed collective can tell which rank went away.
    c10::intrusive_ptr<c10d::TCPStore> heartbeatStore;
    std::mutex heartbeatMutex;
    std::condition_variable heartbeatStop;
    bool stopping = false;
    std::thread heartbeat;

    void beat(int rank)
    {
        std::unique_lock<std::mutex> lock(heartbeatMutex);
        while (!stopping) {
            try {
                heartbeatStore->add(aliveKey(rank), 1);
            } catch (const std::exception&) {
                return; // the store is gone; the next collective will say so
            }
            heartbeatStop.wait_for(lock, kHeartbeatPeriod);
        }
    }
};

Communicator::Communicator() = default;

Communicator::Communicator(const DistributedEnvironment& environment, const std::string& device)
    : m_rank(environment.rank)
    , m_worldSize(environment.worldSize)
    , m_localRank(environment.localRank)
    , m_group(std::make_unique<Group>())
{
    m_group->environment = environment;
    const std::chrono::milliseconds timeout = std::chrono::seconds(environment.timeoutSeconds);
    const bool server = environment.rank == 0 && !environment.launcherHostsStore;
    const std::string where = environment.masterAddr + ":" + std::to_string(environment.masterPort);
    try {
        m_group->store = connectStore(environment, server, timeout);
        m_group->heartbeatStore = connectStore(environment, false, timeout);
    } catch (const std::exception& error) {
        throw DistributedError("rank " + std::to_string(m_rank) + ": cannot " + (server ? "host" : "reach") +
                               " the c10d store at " + where + " (MASTER_ADDR:MASTER_PORT): " + firstLine(error.what()));
    }
    const auto prefixed = c10::make_intrusive<c10d::PrefixStore>("tau/group", m_group->store);
    const bool cuda = resolveDevice(device).is_cuda();
    try {
        if (cuda) {
#ifdef USE_C10D_NCCL
            m_group->processGroup = c10::make_intrusive<c10d::ProcessGroupNCCL>(
                prefixed, m_rank, m_worldSize, c10d::ProcessGroupNCCL::Options::create());
            m_backend = "nccl";
#else
            throw DistributedError("distributed training on CUDA needs NCCL, and this LibTorch was built without it "
                                   "(USE_C10D_NCCL is not defined); use device: cpu to train over Gloo, or build "
                                   "against a LibTorch from pytorch.org");
#endif
        } else {
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            options->devices.push_back(glooDevice(environment));
            m_group->processGroup = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, m_rank, m_worldSize, options);
            m_backend = "gloo";
        }
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& error) {
        throw DistributedError("rank " + std::to_string(m_rank) + ": cannot join the " + std::to_string(m_worldSize) +
                               "-process group at " + where + ": " + firstLine(error.what()));
    }
    m_group->heartbeat = std::thread([group = m_group.get(), rank = m_rank] { group->beat(rank); });
}

Communicator::~Communicator()
{
    if (m_group && m_group->heartbeat.joinable()) {
        {
            std::lock_guard<std::mutex> lock(m_group->heartbeatMutex);
            m_group->stopping = true;
        }
        m_group->heartbeatStop.notify_all();
        m_group->heartbeat.join();
    }
}

template <typename Action>
auto Communicator::guarded(const char* what, Action&& action)
{
    const auto start = std::chrono::steady_clock::now();
    struct WaitClock // adds the time blocked here, however the action ends
    {
        double& total;
        std::chrono::steady_clock::time_point start;
        ~WaitClock() { total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
    } clock{m_waitSeconds, start};
    try {
        return action();
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& error) {
        fail(what, error.what());
    }
}

void Communicator::fail(const char* what, const std::string& detail)
{
    throw DistributedError("rank " + std::to_string(m_rank) + " of " + std::to_string(m_worldSize) + ": the " + what +
                           " failed: " + diagnose() + " (c10d: " + firstLine(detail) + ")");
}

std::string Communicator::diagnose()
{
    const DistributedEnvironment& environment = m_group->environment;
    try {
        const auto probe = connectStore(environment, false, std::chrono::milliseconds(5000));
        std::vector<int64_t> before;
        for (int rank = 0; rank < m_worldSize; ++rank) {
            before.push_back(probe->add(aliveKey(rank), 0));
        }
        std::this_thread::sleep_for(kStallWindow);
        std::string stalled;
        for (int rank = 0; rank < m_worldSize; ++rank) {
            if (rank != m_rank && probe->add(aliveKey(rank), 0) == before[size_t(rank)]) {
                stalled += (stalled.empty() ? "rank " : ", rank ") + std::to_string(rank);
            }
        }
        for (int rank = 0; rank < m_worldSize; ++rank) {
            if (rank != m_rank && probe->check({failedKey(rank)})) {
                const std::vector<uint8_t> message = probe->get(failedKey(rank));
                return "rank " + std::to_string(rank) + " stopped with an error: " +
                       std::string(message.begin(), message.end());
            }
        }
        if (!stalled.empty()) {
            return stalled + " stopped responding (exited, killed or hanging)";
        }
        return "every rank still answers the store, so the connection between them failed or timed out";
    } catch (const std::exception&) {
        return "the c10d store at " + environment.masterAddr + ":" + std::to_string(environment.masterPort) +
               " no longer answers: " +
               (environment.launcherHostsStore ? std::string("the tau --nproc launcher that hosts it has exited")
                                               : std::string("rank 0, which hosts it, has exited or was killed"));
    }
}

void Communicator::reportFailure(const std::string& message) noexcept
{
    if (!m_group) {
        return;
    }
    try {
        const auto probe = connectStore(m_group->environment, false, std::chrono::milliseconds(2000));
        probe->set(failedKey(m_rank), std::vector<uint8_t>(message.begin(), message.end()));
    } catch (const std::exception&) {
        // Nobody is left to tell.
    }
}

void Communicator::allReduceSum(torch::Tensor& tensor)
{
    if (m_worldSize == 1) {
        return;
    }
    startAllReduceSum(tensor).wait();
}

Communicator::PendingSum Communicator::startAllReduceSum(torch::Tensor& tensor)
{
    PendingSum pending;
    if (m_worldSize == 1) {
        pending.m_wait = [] {};
        return pending;
    }
    TORCH_CHECK(tensor.is_contiguous(), "all-reduce needs a contiguous tensor");
    m_payloadBytes += double(tensor.nbytes());
    std::vector<torch::Tensor> tensors{tensor};
    const auto work = guarded("all-reduce", [&] { return m_group->processGroup->allreduce(tensors); });
    pending.m_wait = [this, work] { guarded("all-reduce", [&] { work->wait(); }); };
    return pending;
}

void Communicator::PendingSum::wait()
{
    m_wait();
}

torch::Tensor Communicator::allGather(const torch::Tensor& local)
{
    if (m_worldSize == 1) {
        return local;
    }
    std::vector<torch::Tensor> inputs{local.contiguous()};
    m_payloadBytes += double(inputs[0].nbytes());
    std::vector<std::vector<torch::Tensor>> outputs(1);
    for (int rank = 0; rank < m_worldSize; ++rank) {
        outputs[0].push_back(torch::empty_like(inputs[0]));
    }
    guarded("all-gather", [&] { m_group->processGroup->allgather(outputs, inputs)->wait(); });
    return torch::cat(outputs[0]);
}

torch::Tensor Communicator::allGatherUneven(const torch::Tensor& local)
{
    if (m_worldSize == 1) {
        return local;
    }
    const torch::Tensor rows = allGather(torch::tensor({local.size(0)}, torch::kLong).to(local.device()));
    const int64_t most = rows.max().item<int64_t>();
    std::vector<int64_t> shape = local.sizes().vec();
    shape[0] = most;
    torch::Tensor padded = torch::zeros(shape, local.options());
    padded.slice(0, 0, local.size(0)).copy_(local);
    const torch::Tensor gathered = allGather(padded);
    std::vector<torch::Tensor> parts;
    for (int rank = 0; rank < m_worldSize; ++rank) {
        parts.push_back(gathered.slice(0, rank * most, rank * most + rows[rank].item<int64_t>()));
    }
    return torch::cat(parts);
}

void Communicator::broadcast(torch::Tensor& tensor, int root)
{
    if (m_worldSize == 1) {
        return;
    }
    TORCH_CHECK(tensor.is_contiguous(), "broadcast needs a contiguous tensor");
    m_payloadBytes += double(tensor.nbytes());
    std::vector<torch::Tensor> tensors{tensor};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    guarded("broadcast", [&] { m_group->processGroup->broadcast(tensors, options)->wait(); });
}

void Communicator::barrier()
{
    if (m_worldSize == 1) {
        return;
    }
    guarded("barrier", [&] { m_group->processGroup->barrier()->wait(); });
}

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

Communicator& savedCommunicator(AutogradContext* context)
{
    // The communicator outlives every graph built during training; autograd contexts only hold IValues.
    return *reinterpret_cast<Communicator*>(context->saved_data["communicator"].toInt());
}

struct AllGatherFunction : torch::autograd::Function<AllGatherFunction>
{
    static torch::Tensor forward(AutogradContext* context, const torch::Tensor& local, int64_t communicator)
    {
        context->saved_data["communicator"] = communicator;
        context->saved_data["rows"] = local.size(0);
        return reinterpret_cast<Communicator*>(communicator)->allGather(local);
    }

    static variable_list backward(AutogradContext* context, variable_list gradients)
    {
        Communicator& communicator = savedCommunicator(context);
        const int64_t rows = context->saved_data["rows"].toInt();
        torch::Tensor summed = gradients[0].contiguous().clone();
        communicator.allReduceSum(summed);
        const int64_t first = communicator.rank() * rows;
        return {summed.slice(0, first, first + rows), torch::Tensor()};
    }
};

struct AllReduceSumFunction : torch::autograd::Function<AllReduceSumFunction>
{
    static torch::Tensor forward(AutogradContext* context, const torch::Tensor& local, int64_t communicator)
    {
        context->saved_data["communicator"] = communicator;
        torch::Tensor sum = local.contiguous().clone();
        reinterpret_cast<Communicator*>(communicator)->allReduceSum(sum);
        return sum;
    }

    static variable_list backward(AutogradContext* context, variable_list gradients)
    {
        torch::Tensor summed = gradients[0].contiguous().clone();
        savedCommunicator(context).allReduceSum(summed);
        return {summed, torch::Tensor()};
    }
};

} // namespace

torch::Tensor allGatherWithGradient(Communicator& communicator, const torch::Tensor& local)
{
    if (communicator.worldSize() == 1) {
        return local;
    }
    return AllGatherFunction::apply(local, reinterpret_cast<int64_t>(&communicator));
}

torch::Tensor allReduceSumWithGradient(Communicator& communicator, const torch::Tensor& local)
{
    if (communicator.worldSize() == 1) {
        return local;
    }
    return AllReduceSumFunction::apply(local, reinterpret_cast<int64_t>(&communicator));
}

std::shared_ptr<Communicator> joinProcessGroup(const DistributedEnvironment& environment, const std::string& device)
{
    return std::make_shared<Communicator>(environment, device);
}

std::shared_ptr<Communicator> singleProcessCommunicator()
{
    return std::make_shared<Communicator>();
}

} // namespace tau::core
