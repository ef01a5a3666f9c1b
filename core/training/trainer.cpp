#include "core/training/trainer.h"

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/data/augmentation.h"
#include "core/data/image_dataset.h"
#include "core/io/run_directory.h"
#include "core/models/contrastive_model.h"
#include "core/objectives/contrastive_losses.h"
#include "core/training/checkpoint.h"
#include "core/training/distribution_summary.h"
#include "core/training/lr_schedule.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <sstream>

namespace tau::core {

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kRawRange = 20.0; // r histogram spans [-20, 20]; runs of the original reach 8-16
constexpr size_t kTimingWindow = 20;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<float> toVector(const torch::Tensor& values)
{
    const torch::Tensor contiguous = values.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return {contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel()};
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const OptimizerConfig& config,
                                                       const std::vector<torch::Tensor>& parameters)
{
    if (config.name == "sgd") {
        return std::make_unique<torch::optim::SGD>(
            parameters,
            torch::optim::SGDOptions(config.learningRate).momentum(config.momentum).weight_decay(config.weightDecay));
    }
    return std::make_unique<torch::optim::Adam>(
        parameters, torch::optim::AdamOptions(config.learningRate).weight_decay(config.weightDecay));
}

void setLearningRate(torch::optim::Optimizer& optimizer, double learningRate)
{
    for (auto& group : optimizer.param_groups()) {
        group.options().set_lr(learningRate);
    }
}

/** One training run from start (or resume point) to the last epoch or a stop request. */
class TrainingRun
{
public:
    TrainingRun(const ExperimentConfig& config, TrainingObserver& observer, const CancellationToken& cancel,
                const TrainingOptions& options)
        : m_config(config)
        , m_observer(observer)
        , m_cancel(cancel)
        , m_options(options)
        , m_device(resolveDevice(config.device))
    {
    }

    TrainingResult execute()
    {
        prepare();
        TrainingResult result;
        result.runDirectory = m_paths.root;
        for (int epoch = m_position.epoch; epoch < m_config.numEpochs; ++epoch) {
            const bool finished = runEpoch(epoch, result);
            if (!finished) {
                result.cancelled = true;
                break;
            }
            result.epochsCompleted = epoch + 1;
        }
        result.steps = m_position.step;
        return result;
    }

private:
    void prepare()
    {
        configureThreads(m_config.threads);
        torch::manual_seed(uint64_t(m_config.seed));

        const ImageDataset full = loadDataset(m_config.dataset, Split::Train);
        m_dataset = seededSubset(full, m_config.dataset.trainSubset, uint64_t(m_config.seed));
        if (m_dataset.size() < m_config.optimizer.batchSize) {
            throw ConfigError(m_config.sourcePath, 0, "optimizer.batch_size",
                              "expected at most the training set size (" + std::to_string(m_dataset.size()) +
                                  " images), got " + std::to_string(m_config.optimizer.batchSize));
        }
        m_stepsPerEpoch = int(m_dataset.size() / m_config.optimizer.batchSize); // drop_last, as the original
        m_totalSteps = (long long)m_stepsPerEpoch * m_config.numEpochs;
        const auto warmupSteps = (long long)std::llround(m_config.optimizer.warmupEpochs * m_stepsPerEpoch);
        m_schedule = std::make_unique<WarmupCosineSchedule>(m_config.optimizer.startLr, m_config.optimizer.learningRate,
                                                            m_config.optimizer.finalLr, warmupSteps, m_totalSteps);

        AugmentationOptions augmentation;
        augmentation.cropSize = m_dataset.imageSize();
        augmentation.mean = m_dataset.mean;
        augmentation.std = m_dataset.std;
        m_augmenter = std::make_unique<ViewAugmenter>(augmentation);

        m_model = ContrastiveModel(m_config.model, ModelInput{m_dataset.channels(), m_dataset.imageSize()});
        m_model->to(m_device);
        m_optimizer = makeOptimizer(m_config.optimizer, m_model->parameters());

        m_lossOptions.t = m_config.loss.t;
        m_lossOptions.eps = m_config.loss.eps;
        m_lossOptions.simclrMask = m_config.loss.simclrMask;
        m_lossOptions.firstViewNumerator = m_config.loss.tauNumerator == "first_view";

        if (m_options.resumeRunDirectory.empty()) {
            m_paths = createRunDirectory(m_config.runsDir, m_config.expName);
            writeFileAtomically(m_paths.config(), toYaml(m_config));
        } else {
            m_paths = RunPaths{m_options.resumeRunDirectory};
            m_position = loadCheckpoint(m_paths.lastCheckpoint(), m_model, m_optimizer.get());
        }
        m_metrics = std::make_unique<MetricsWriter>(m_paths.metrics());
        std::ostringstream start;
        start << (m_options.resumeRunDirectory.empty() ? "started" : "resumed at step " + std::to_string(m_position.step))
              << " on " << describeDevice(m_device) << ", " << m_dataset.size()
              << " training images, " << m_stepsPerEpoch << " steps per epoch";
        m_metrics->writeEvent(m_options.resumeRunDirectory.empty() ? "start" : "resume", start.str());
        m_observer.onMessage(start.str());
        m_observer.onTrainingStarted(m_paths.root, m_totalSteps);
    }

    /** @return false when stopped by the cancellation token. */
    bool runEpoch(int epoch, TrainingResult& result)
    {
        m_model->train();
        const auto epochStart = Clock::now();
        // The order of an epoch depends only on seed and epoch, so a resumed run sees the same batches.
        auto orderGenerator = at::detail::createCPUGenerator(uint64_t(m_config.seed) * 1000003ULL + uint64_t(epoch));
        const torch::Tensor order = torch::randperm(m_dataset.size(), orderGenerator, torch::kLong);
        const int batchSize = m_config.optimizer.batchSize;

        std::vector<float> certainties;
        std::vector<float> rawValues;
        double lossSum = 0;
        int lossCount = 0;
        const int firstStep = m_position.epoch == epoch ? m_position.stepInEpoch : 0;
        for (int stepInEpoch = firstStep; stepInEpoch < m_stepsPerEpoch; ++stepInEpoch) {
            const auto stepStart = Clock::now();
            const torch::Tensor indices = order.slice(0, int64_t(stepInEpoch) * batchSize,
                                                      int64_t(stepInEpoch + 1) * batchSize);
            const double lr = m_schedule->at(m_position.step);
            const auto [loss, r] = optimisationStep(m_dataset.images.index_select(0, indices), lr, epoch, stepInEpoch);
            ++m_position.step;
            lossSum += loss;
            ++lossCount;

            StepRecord record;
            record.epoch = epoch + 1;
            record.step = m_position.step;
            record.totalSteps = m_totalSteps;
            record.stepInEpoch = stepInEpoch + 1;
            record.stepsPerEpoch = m_stepsPerEpoch;
            record.loss = loss;
            record.learningRate = lr;
            record.imagesPerSecond = batchSize / std::max(1e-9, secondsSince(stepStart));
            record.etaSeconds = estimateRemaining(secondsSince(stepStart));
            if (r.defined()) {
                const std::vector<float> rawBatch = toVector(r);
                const std::vector<float> certaintyBatch = toVector(torch::sigmoid(r.to(torch::kDouble)));
                rawValues.insert(rawValues.end(), rawBatch.begin(), rawBatch.end());
                certainties.insert(certainties.end(), certaintyBatch.begin(), certaintyBatch.end());
                record.meanRawR = r.mean().item<double>();
                record.meanCertainty = torch::sigmoid(r.to(torch::kDouble)).mean().item<double>();
            }
            m_observer.onStep(record);
            if (m_position.step % m_config.logging.stepEvery == 0) {
                m_metrics->write(record);
            }
            if (m_cancel.stopRequested()) {
                m_position.epoch = epoch;
                m_position.stepInEpoch = stepInEpoch + 1;
                saveCheckpoint(m_paths.lastCheckpoint(), m_model, m_optimizer.get(), m_position);
                m_metrics->writeEvent("stopped", "stopped by request after step " + std::to_string(m_position.step) +
                                                     "; checkpoints/last.pt holds that state");
                result.lastEpochLoss = lossSum / lossCount;
                return false;
            }
        }
        finishEpoch(epoch, lossCount > 0 ? lossSum / lossCount : 0.0, secondsSince(epochStart), certainties, rawValues);
        result.lastEpochLoss = lossCount > 0 ? lossSum / lossCount : 0.0;
        return true;
    }

    std::pair<double, torch::Tensor> optimisationStep(const torch::Tensor& batch, double lr, int epoch, int stepInEpoch)
    {
        const torch::Tensor images = batch.to(m_device);
        const torch::Tensor view1 = m_augmenter->randomView(images);
        const torch::Tensor view2 = m_augmenter->randomView(images);
        setLearningRate(*m_optimizer, lr);
        // Two passes, as the original: each view's BatchNorm statistics come from its own batch.
        const ModelOutput out1 = m_model->forward(view1);
        const ModelOutput out2 = m_model->forward(view2);
        const torch::Tensor loss = m_config.learnsTemperature()
                                       ? tauSimclrLoss(out1.loc, out1.rawR, out2.loc, out2.rawR, m_lossOptions)
                                       : ntXentLoss(out1.loc, out2.loc, m_lossOptions);
        const double value = loss.item<double>();
        if (!std::isfinite(value)) {
            std::ostringstream message;
            message << "the loss became " << value << " at epoch " << epoch + 1 << ", step " << stepInEpoch + 1
                    << " (learning rate " << lr << "); training stopped without saving this state. "
                    << "checkpoints/last.pt holds the last finished epoch. Try a smaller optimizer.learning_rate.";
            m_metrics->writeEvent("error", message.str());
            throw TauError(message.str());
        }
        m_optimizer->zero_grad();
        loss.backward();
        m_optimizer->step();
        torch::Tensor r;
        if (out1.rawR.defined() && m_config.learnsTemperature()) {
            r = torch::cat({out1.rawR, out2.rawR}).detach();
        }
        return {value, r};
    }

    double estimateRemaining(double stepSeconds)
    {
        m_recentStepSeconds.push_back(stepSeconds);
        if (m_recentStepSeconds.size() > kTimingWindow) {
            m_recentStepSeconds.pop_front();
        }
        double sum = 0;
        for (const double seconds : m_recentStepSeconds) {
            sum += seconds;
        }
        return sum / double(m_recentStepSeconds.size()) * double(m_totalSteps - m_position.step);
    }

    void finishEpoch(int epoch, double meanLoss, double seconds, const std::vector<float>& certainties,
                     const std::vector<float>& rawValues)
    {
        EpochRecord record;
        record.epoch = epoch + 1;
        record.totalEpochs = m_config.numEpochs;
        record.step = m_position.step;
        record.loss = meanLoss;
        record.learningRate = m_schedule->at(m_position.step - 1);
        record.seconds = seconds;
        record.imagesPerSecond = double(m_stepsPerEpoch) * m_config.optimizer.batchSize / std::max(1e-9, seconds);
        record.hasTemperature = !rawValues.empty();
        if (record.hasTemperature) {
            record.certaintyHistogram = fixedHistogram(certainties, 0.0, 1.0, m_config.logging.histogramBins);
            record.certaintyPercentiles = percentilesOf(certainties);
            record.rawHistogram = fixedHistogram(rawValues, -kRawRange, kRawRange, 2 * m_config.logging.histogramBins);
            record.rawPercentiles = percentilesOf(rawValues);
        }
        m_metrics->write(record);
        m_position.epoch = epoch + 1;
        m_position.stepInEpoch = 0;
        saveCheckpoint(m_paths.lastCheckpoint(), m_model, m_optimizer.get(), m_position);
        if ((epoch + 1) % m_config.logging.checkpointEvery == 0 || epoch + 1 == m_config.numEpochs) {
            saveCheckpoint(m_paths.epochCheckpoint(epoch + 1), m_model, m_optimizer.get(), m_position);
        }
        m_observer.onEpochEnd(record);
    }

    const ExperimentConfig& m_config;
    TrainingObserver& m_observer;
    const CancellationToken& m_cancel;
    TrainingOptions m_options;
    torch::Device m_device;

    ImageDataset m_dataset;
    std::unique_ptr<ViewAugmenter> m_augmenter;
    ContrastiveModel m_model{nullptr};
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
    std::unique_ptr<WarmupCosineSchedule> m_schedule;
    ContrastiveLossOptions m_lossOptions;
    RunPaths m_paths;
    std::unique_ptr<MetricsWriter> m_metrics;
    TrainingPosition m_position;
    int m_stepsPerEpoch = 0;
    long long m_totalSteps = 0;
    std::deque<double> m_recentStepSeconds;
};

} // namespace

TrainingResult train(const ExperimentConfig& config, TrainingObserver& observer, const CancellationToken& cancel,
                     const TrainingOptions& options)
{
    try {
        return TrainingRun(config, observer, cancel, options).execute();
    } catch (const TauError&) {
        throw;
    } catch (const c10::Error& error) {
        const std::string message = error.what_without_backtrace();
        throw TauError("training failed inside LibTorch: " + message.substr(0, message.find('\n')));
    }
}

} // namespace tau::core
