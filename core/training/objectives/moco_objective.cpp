// MoCo-v2 and TaU-MoCo-v2 (the README's "What it trains"): a query model, its momentum copy for the keys, and a queue of keys.

#include "core/objectives/moco_loss.h"
#include "core/training/objective.h"

#include <torch/torch.h>

namespace tau::core {

namespace {

class MocoObjective : public TrainingObjective
{
public:
    MocoObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : m_query(config.model, input)
        , m_key(config.model, input)
        , m_queue(config.loss.queueSize, config.model.outDim, device)
        , m_t(config.loss.t)
        , m_momentum(config.loss.momentum)
        , m_learnsTemperature(config.system == "tau_mocov2")
    {
        m_query->to(device);
        m_key->to(device);
        copyQueryIntoKey();
    }

    std::vector<torch::Tensor> parameters() override { return m_query->parameters(); }
    torch::nn::Module& model() override { return *m_query; }
    void useChannelsLast() override
    {
        convertToChannelsLast(*m_query);
        convertToChannelsLast(*m_key);
    }
    ModelOutput infer(const torch::Tensor& images) override { return m_query->forward(images); }
    void setTraining(bool training) override
    {
        m_query->train(training);
        m_key->train(training);
    }

    StepLoss loss(const TrainingBatch& batch) override
    {
        {
            torch::NoGradGuard noGrad;
            momentumUpdate();
            m_pendingKeys = m_key->forward(batch.view2).loc;
        }
        const ModelOutput query = m_query->forward(batch.view1);
        const torch::Tensor r = m_learnsTemperature ? query.rawR : torch::Tensor();
        return {mocoLoss(query.loc, m_pendingKeys, m_queue.keys(), r, m_t), r.defined() ? r.detach() : r};
    }

    void distributeOver(Communicator& communicator, bool syncBatchNorm) override
    {
        TrainingObjective::distributeOver(communicator, syncBatchNorm);
        synchronizeBatchNorm(*m_key, syncBatchNorm ? &communicator : nullptr);
    }

    void afterStep() override
    {
        // The queue receives every rank's keys, in batch order, so it is the same on all ranks and as one process's.
        m_queue.enqueue(m_communicator != nullptr ? m_communicator->allGather(m_pendingKeys) : m_pendingKeys);
        m_pendingKeys = torch::Tensor();
    }

    void saveExtras(torch::serialize::OutputArchive& archive) override
    {
        torch::serialize::OutputArchive keyArchive;
        m_key->save(keyArchive);
        archive.write("key_model", keyArchive);
        archive.write("queue", m_queue.keys());
        archive.write("queue_position", torch::tensor(m_queue.position(), torch::kLong));
    }

    void loadExtras(torch::serialize::InputArchive& archive) override
    {
        torch::serialize::InputArchive keyArchive;
        archive.read("key_model", keyArchive);
        m_key->load(keyArchive);
        torch::Tensor keys, position;
        archive.read("queue", keys);
        archive.read("queue_position", position);
        m_queue.restore(keys, position.item<int64_t>());
    }

private:
    void copyQueryIntoKey()
    {
        torch::NoGradGuard noGrad;
        const auto queryParameters = m_query->parameters();
        const auto keyParameters = m_key->parameters();
        for (size_t i = 0; i < queryParameters.size(); ++i) {
            keyParameters[i].copy_(queryParameters[i]);
            keyParameters[i].set_requires_grad(false);
        }
    }

    void momentumUpdate()
    {
        const auto queryParameters = m_query->parameters();
        const auto keyParameters = m_key->parameters();
        for (size_t i = 0; i < queryParameters.size(); ++i) {
            keyParameters[i].mul_(m_momentum).add_(queryParameters[i].detach(), 1.0 - m_momentum);
        }
    }

    ContrastiveModel m_query;
    ContrastiveModel m_key;
    KeyQueue m_queue;
    torch::Tensor m_pendingKeys;
    double m_t;
    double m_momentum;
    bool m_learnsTemperature;
};

} // namespace

std::unique_ptr<TrainingObjective> makeMocoObjective(const ExperimentConfig& config, const ModelInput& input,
                                                     const torch::Device& device)
{
    return std::make_unique<MocoObjective>(config, input, device);
}

} // namespace tau::core
