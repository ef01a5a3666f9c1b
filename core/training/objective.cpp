#include "core/training/objective.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/objectives/contrastive_losses.h"
#include "core/objectives/hib_loss.h"
#include "core/objectives/moco_loss.h"
#include "core/training/checkpoint.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <optional>

namespace tau::core {

namespace {

namespace F = torch::nn::functional;

ContrastiveLossOptions lossOptions(const LossConfig& config)
{
    ContrastiveLossOptions options;
    options.t = config.t;
    options.eps = config.eps;
    options.simclrMask = config.simclrMask;
    options.firstViewNumerator = config.tauNumerator == "first_view";
    return options;
}

/** SimCLR and TaU-SimCLR: one model, two views. */
class SimclrObjective : public TrainingObjective
{
public:
    SimclrObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : m_model(config.model, input)
        , m_options(lossOptions(config.loss))
        , m_learnsTemperature(config.system == "tau_simclr")
    {
        m_model->to(device);
    }

    std::vector<torch::Tensor> parameters() override { return m_model->parameters(); }
    torch::nn::Module& model() override { return *m_model; }
    void setTraining(bool training) override { m_model->train(training); }
    ModelOutput infer(const torch::Tensor& images) override { return m_model->forward(images); }

    StepLoss loss(const TrainingBatch& batch) override
    {
        const ModelOutput out1 = m_model->forward(batch.view1);
        const ModelOutput out2 = m_model->forward(batch.view2);
        if (!m_learnsTemperature) {
            return {ntXentLoss(out1.loc, out2.loc, m_options), torch::Tensor()};
        }
        return {tauSimclrLoss(out1.loc, out1.rawR, out2.loc, out2.rawR, m_options),
                torch::cat({out1.rawR, out2.rawR}).detach()};
    }

private:
    ContrastiveModel m_model;
    ContrastiveLossOptions m_options;
    bool m_learnsTemperature;
};

/** MoCo-v2 and TaU-MoCo-v2: a query model, its momentum copy for the keys, and a queue of keys. */
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

    void afterStep() override
    {
        m_queue.enqueue(m_pendingKeys);
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

/** The learnable scalars of HIB's match probability, as a module so they are saved with the model. */
class HibScalarsImpl : public torch::nn::Module
{
public:
    HibScalarsImpl()
        : a(register_parameter("a", torch::full({}, 0.5)))
        , b(register_parameter("b", torch::full({}, 0.0)))
    {
    }
    torch::Tensor a, b;
};
TORCH_MODULE(HibScalars);

/** Hedged Instance Embeddings: a Gaussian per view, sigma = softplus(r), K samples each. */
class HibObjective : public TrainingObjective
{
public:
    HibObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : m_model(config.model, input)
        , m_beta(config.loss.beta)
        , m_samples(config.loss.samples)
    {
        m_model->to(device);
        m_scalars->to(device);
    }

    std::vector<torch::Tensor> parameters() override
    {
        std::vector<torch::Tensor> all = m_model->parameters();
        all.push_back(m_scalars->a);
        all.push_back(m_scalars->b);
        return all;
    }
    torch::nn::Module& model() override { return *m_model; }
    void setTraining(bool training) override { m_model->train(training); }
    ModelOutput infer(const torch::Tensor& images) override { return m_model->forward(images); }

    StepLoss loss(const TrainingBatch& batch) override
    {
        const ModelOutput out1 = m_model->forward(batch.view1);
        const ModelOutput out2 = m_model->forward(batch.view2);
        const std::vector<int64_t> shape = {out1.loc.size(0), m_samples, out1.loc.size(1)};
        // Drawn from the global generator on the training thread: its state is in every checkpoint.
        const torch::Tensor noise1 = torch::randn(shape).to(out1.loc.options());
        const torch::Tensor noise2 = torch::randn(shape).to(out1.loc.options());
        return {hibLoss(out1.loc, out1.rawR, out2.loc, out2.rawR, m_scalars->a, m_scalars->b, noise1, noise2, m_beta),
                torch::Tensor()};
    }

    void saveExtras(torch::serialize::OutputArchive& archive) override
    {
        torch::serialize::OutputArchive scalars;
        m_scalars->save(scalars);
        archive.write("hib", scalars);
    }
    void loadExtras(torch::serialize::InputArchive& archive) override
    {
        torch::serialize::InputArchive scalars;
        archive.read("hib", scalars);
        m_scalars->load(scalars);
    }

private:
    ContrastiveModel m_model;
    HibScalars m_scalars;
    double m_beta;
    int64_t m_samples;
};

/** Cross-entropy on labels, one augmented view per image (baseline for MSP, ODIN, energy, MC dropout). */
class SupervisedObjective : public TrainingObjective
{
public:
    SupervisedObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : m_model(config.model, input)
    {
        m_model->to(device);
    }
    int views() const override { return 1; }
    std::vector<torch::Tensor> parameters() override { return m_model->parameters(); }
    torch::nn::Module& model() override { return *m_model; }
    void setTraining(bool training) override { m_model->train(training); }
    ModelOutput infer(const torch::Tensor& images) override { return m_model->forward(images); }
    StepLoss loss(const TrainingBatch& batch) override
    {
        return {F::cross_entropy(m_model->forward(batch.view1).loc, batch.labels), torch::Tensor()};
    }

private:
    ContrastiveModel m_model;
};

/** A frozen feature extractor: one of our checkpoints' encoders, or a TorchScript module. */
class FrozenEncoder
{
public:
    FrozenEncoder(const ModelConfig& config, const ModelInput& input, const torch::Device& device)
    {
        if (!config.encoderTorchscript.empty()) {
            try {
                m_script = torch::jit::load(config.encoderTorchscript, device);
            } catch (const c10::Error& error) {
                const std::string message = error.what_without_backtrace();
                throw DataError(config.encoderTorchscript + ": not a loadable TorchScript module: " +
                                message.substr(0, message.find('\n')));
            }
            m_script->eval();
            m_isScript = true;
        } else {
            loadOurs(config.encoderCheckpoint, input, device);
        }
        // The feature size is whatever the encoder gives: probe it once with a blank batch.
        torch::NoGradGuard noGrad;
        m_dim = forward(torch::zeros({2, input.channels, input.imageSize, input.imageSize}, torch::TensorOptions().device(device)))
                    .size(1);
    }

    torch::Tensor forward(const torch::Tensor& images)
    {
        torch::NoGradGuard noGrad;
        if (m_isScript) {
            torch::Tensor features = m_script->forward({images}).toTensor();
            return features.flatten(1).to(torch::kFloat);
        }
        return m_model->forward(images).features;
    }
    int64_t dim() const { return m_dim; }

private:
    void loadOurs(const std::string& location, const ModelInput& input, const torch::Device& device)
    {
        namespace fs = std::filesystem;
        // A run directory means its last checkpoint; a checkpoint file's config sits two folders up.
        const fs::path path = fs::is_directory(location) ? fs::path(location) / "checkpoints" / "last.pt" : fs::path(location);
        const fs::path runDirectory = path.parent_path().parent_path();
        const ExperimentConfig encoderConfig = loadConfigFile((runDirectory / "config.yaml").string());
        ModelInput encoderInput = input;
        encoderInput.numClasses = 0;
        m_model = ContrastiveModel(encoderConfig.model, encoderInput);
        loadCheckpoint(path.string(), *m_model);
        m_model->to(device);
        m_model->eval();
        for (auto& parameter : m_model->parameters()) {
            parameter.set_requires_grad(false);
        }
    }

    bool m_isScript = false;
    std::optional<torch::jit::Module> m_script;
    ContrastiveModel m_model{nullptr};
    int64_t m_dim = 0;
};

/** Post-hoc TaU: only a Linear(dim h, 1) temperature head learns; loc is the frozen feature h itself. */
class PosthocTauObjective : public TrainingObjective
{
public:
    PosthocTauObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : m_encoder(config.model, input, device)
        , m_head(torch::nn::Linear(m_encoder.dim(), 1))
        , m_options(lossOptions(config.loss))
    {
        m_head->to(device);
    }

    std::vector<torch::Tensor> parameters() override { return m_head->parameters(); }
    torch::nn::Module& model() override { return *m_head; }
    void setTraining(bool training) override { m_head->train(training); }
    ModelOutput infer(const torch::Tensor& images) override
    {
        ModelOutput output;
        output.features = m_encoder.forward(images);
        output.loc = output.features; // post-hoc TaU keeps the frozen features as the embedding
        output.rawR = m_head->forward(output.features).squeeze(1);
        return output;
    }

    StepLoss loss(const TrainingBatch& batch) override
    {
        const torch::Tensor h1 = m_encoder.forward(batch.view1);
        const torch::Tensor h2 = m_encoder.forward(batch.view2);
        const torch::Tensor r1 = m_head->forward(h1).squeeze(1);
        const torch::Tensor r2 = m_head->forward(h2).squeeze(1);
        return {tauSimclrLoss(h1, r1, h2, r2, m_options), torch::cat({r1, r2}).detach()};
    }

private:
    FrozenEncoder m_encoder;
    torch::nn::Linear m_head;
    ContrastiveLossOptions m_options;
};

} // namespace

std::unique_ptr<TrainingObjective> makeObjective(const ExperimentConfig& config, const ModelInput& input,
                                                 const torch::Device& device)
{
    const std::string& system = config.system;
    if (system == "simclr" || system == "tau_simclr") {
        return std::make_unique<SimclrObjective>(config, input, device);
    }
    if (system == "mocov2" || system == "tau_mocov2") {
        return std::make_unique<MocoObjective>(config, input, device);
    }
    if (system == "hib") {
        return std::make_unique<HibObjective>(config, input, device);
    }
    if (system == "supervised") {
        return std::make_unique<SupervisedObjective>(config, input, device);
    }
    if (system == "posthoc_tau") {
        return std::make_unique<PosthocTauObjective>(config, input, device);
    }
    if (system == "linear_eval") {
        throw TauError("system linear_eval (the original's TransferSystem): linear evaluation is not available in "
                       "this version yet; it comes with the evaluation engine");
    }
    throw ConfigError(config.sourcePath, 0, "system", "unknown system '" + system + "'");
}

} // namespace tau::core
