// Post-hoc TaU (the README's "Configs"): only a Linear(dim h, 1) temperature head learns, on a frozen encoder's features.

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/run_directory.h"
#include "core/models/torchscript_loader.h"
#include "core/objectives/contrastive_losses.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <optional>

namespace tau::core {

namespace {

/** A frozen feature extractor: one of our checkpoints' encoders, or a TorchScript module. */
class FrozenEncoder
{
public:
    FrozenEncoder(const ModelConfig& config, const ModelInput& input, const torch::Device& device)
    {
        if (!config.encoderTorchscript.empty()) {
            m_script = loadTorchScript(config.encoderTorchscript, device);
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
        const RunLocation encoderRun = locateRun(location);
        const ExperimentConfig encoderConfig = loadConfigFile(encoderRun.paths.config());
        ModelInput encoderInput = input;
        encoderInput.numClasses = 0;
        m_model = ContrastiveModel(encoderConfig.model, encoderInput);
        loadCheckpoint(encoderRun.checkpoint, *m_model);
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

class PosthocTauObjective : public TrainingObjective
{
public:
    PosthocTauObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : m_encoder(config.model, input, device)
        , m_head(torch::nn::Linear(m_encoder.dim(), 1))
        , m_options(contrastiveLossOptions(config.loss))
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
        return {tauSimclrLoss(gatherBatch(h1), gatherBatch(r1), gatherBatch(h2), gatherBatch(r2), m_options,
                              ownAnchors()),
                torch::cat({r1, r2}).detach()};
    }

private:
    FrozenEncoder m_encoder;
    torch::nn::Linear m_head;
    ContrastiveLossOptions m_options;
};

} // namespace

std::unique_ptr<TrainingObjective> makePosthocTauObjective(const ExperimentConfig& config, const ModelInput& input,
                                                           const torch::Device& device)
{
    return std::make_unique<PosthocTauObjective>(config, input, device);
}

} // namespace tau::core
