#include "core/training/trainer.h"

#include "core/common/autocast.h"
#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/gpu_memory.h"
#include "core/common/torch_errors.h"
#include "core/config/config_loader.h"
#include "core/data/augmentation.h"
#include "core/data/batch_loader.h"
#include "core/data/dataset_registry.h"
#include "core/distributed/communicator.h"
#include "core/distributed/gradient_averager.h"
#include "core/io/run_directory.h"
#include "core/io/run_lock.h"
#include "core/methods/system_catalog.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"
#include "core/training/training_callback.h"
#include "core/training/optimizer_factory.h"
#include "core/training/distribution_summary.h"
#include "core/training/lr_schedule.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <filesystem>
#include <optional>
#include <functional>
#include <sstream>

namespace tau::core {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kTimingWindow = 20;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/** The clock time a record carries (wall_time in metrics.jsonl): seconds since the Unix epoch, as TensorBoard's. */
double unixSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<float> toVector(const torch::Tensor& values)
{
    const torch::Tensor contiguous = values.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return {contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel()};
}

/** c = sigmoid(r), computed in double whatever r's type, as a float vector. */
std::vector<float> certaintiesOf(const torch::Tensor& r)
{
    return toVector(torch::sigmoid(r.to(torch::kDouble)));
}

/**
 * What an epoch's records summarise, gathered step by step on the training device: nothing of it is read back
 * before the epoch ends, so a GPU never waits for it.
 */
struct EpochDistributions
{
    std::vector<torch::Tensor> rawR;        ///< r of each step's training anchors (the global batch)
    std::vector<torch::Tensor> outlierRawR; ///< r of each step's synthetic outliers (outlier exposure)

    static torch::Tensor joined(const std::vector<torch::Tensor>& steps)
    {
        return steps.empty() ? torch::Tensor() : torch::cat(steps).reshape(-1);
    }
};

/** Per-step learning rate of either schedule. */
std::function<double(long long)> makeSchedule(const OptimizerConfig& config, long long warmupSteps, long long totalSteps)
{
    if (config.schedule == "moco_step") {
        MocoStepSchedule schedule(config.startLr, config.learningRate, warmupSteps, totalSteps);
        return [schedule](long long step) { return schedule.at(step); };
    }
    WarmupCosineSchedule schedule(config.startLr, config.learningRate, config.finalLr, warmupSteps, totalSteps);
    return [schedule](long long step) { return schedule.at(step); };
}

/**
 * float64 training: tensors created without a type (weights, MoCo's queue, HIB's scalars) are double while the
 * run is built and trained. The default type is process-wide, so it is put back when the run ends.
 */
class PrecisionScope
{
public:
    explicit PrecisionScope(const std::string& precision)
        : m_previous(torch::get_default_dtype())
    {
        if (precision == "float64") {
            torch::set_default_dtype(caffe2::TypeMeta::Make<double>());
        }
    }
    ~PrecisionScope() { torch::set_default_dtype(m_previous); }
    PrecisionScope(const PrecisionScope&) = delete;
    PrecisionScope& operator=(const PrecisionScope&) = delete;

private:
    caffe2::TypeMeta m_previous;
};

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
        , m_precision(config.precision)
        , m_communicator(options.communicator ? options.communicator : singleProcessCommunicator())
        , m_device(trainingDevice(config.device, *m_communicator))
        , m_callbacks(options.callbacks)
    {
    }

    TrainingResult execute()
    {
        try {
            return trainAllEpochs();
        } catch (const c10::OutOfMemoryError& error) {
            throw TauError(stoppedByMemory(error.what_without_backtrace()));
        } catch (const DistributedError& error) {
            try {
                writeEvent("error", error.what()); // the run shows as failed, with the rank that went away
            } catch (const std::exception&) {
            }
            throw;
        } catch (const std::exception& error) {
            if (distributed()) {
                m_communicator->reportFailure(error.what()); // the other ranks' errors name this one
            }
            throw;
        }
    }

private:
    /** The run's one-line account of running out of GPU memory, also written to its events; nothing is saved. */
    std::string stoppedByMemory(const std::string& torchMessage)
    {
        const std::string message =
            outOfMemoryMessage(torchMessage, "training step " + std::to_string(m_position.step + 1), "optimizer.batch_size",
                               m_config.optimizer.batchSize) +
            ". Training stopped without saving; checkpoints/last.pt holds the last saved state.";
        try {
            writeEvent("error", message);
        } catch (const std::exception&) {
        }
        if (distributed()) {
            m_communicator->reportFailure(message);
        }
        return message;
    }

    TrainingResult trainAllEpochs()
    {
        prepare();
        TrainingResult result;
        result.runDirectory = m_paths.root;
        result.epochsCompleted = m_position.epoch;
        for (int epoch = m_position.epoch; epoch < m_config.numEpochs; ++epoch) {
            const bool finished = runEpoch(epoch, result);
            if (!finished) {
                result.cancelled = true;
                break;
            }
            result.epochsCompleted = epoch + 1;
            if (stopRequested() && epoch + 1 < m_config.numEpochs) {
                writeEvent("stopped", "stopped by request after epoch " + std::to_string(epoch + 1) +
                                                     "; checkpoints/last.pt holds that state");
                result.cancelled = true;
                break;
            }
        }
        result.steps = m_position.step;
        result.worldSize = m_communicator->worldSize();
        endCallbacks();
        return result;
    }

    /** One GPU per rank: a distributed job on "cuda" puts rank r of a node on cuda:LOCAL_RANK. */
    static torch::Device trainingDevice(const std::string& choice, const Communicator& communicator)
    {
        const torch::Device device = resolveDevice(choice);
        if (device.is_cuda() && !device.has_index() && communicator.worldSize() > 1) {
            return torch::Device(torch::kCUDA, torch::DeviceIndex(communicator.localRank()));
        }
        return device;
    }

    bool leader() const { return m_communicator->isLeader(); }

    /** Every callback's account of the training, to the run's events and the observer. */
    void endCallbacks()
    {
        TrainingEnd end;
        end.stepsTrained = m_position.step - m_firstStep;
        end.seconds = std::chrono::duration<double>(Clock::now() - m_trainingStart).count();
        end.report = [this](const std::string& event, const std::string& detail) {
            writeEvent(event, detail);
            m_observer.onMessage(event + " " + detail);
        };
        for (const auto& callback : m_callbacks) {
            callback->onTrainingEnd(end);
        }
    }

    bool distributed() const { return m_communicator->worldSize() > 1; }

    /** In a job, the stop decision the ranks agreed on at the last step; alone, the token itself. */
    bool stopRequested() const { return distributed() ? m_stopAgreed : m_cancel.stopRequested(); }

    void writeEvent(const std::string& event, const std::string& detail, int worldSize = 0)
    {
        if (m_metrics) {
            m_metrics->writeEvent(event, detail, worldSize);
        }
    }

    /** Every rank starts from rank 0's weights and BatchNorm statistics (as DistributedDataParallel does). */
    void broadcastModelState()
    {
        torch::NoGradGuard noGrad;
        for (torch::Tensor tensor : m_objective->model().parameters()) {
            m_communicator->broadcast(tensor);
        }
        for (torch::Tensor tensor : m_objective->model().buffers()) {
            m_communicator->broadcast(tensor);
        }
    }

    bool resuming() const { return !m_options.resumeRunDirectory.empty(); }

    /** A new run: its folder, locked, and its config. A resume: the checkpoint loaded, the history cut to it. */
    void openRunDirectory()
    {
        if (!resuming()) {
            if (leader()) {
                // createRunDirectory passes over folders with a writer; one that appears in between is passed too.
                for (;;) {
                    m_paths = createRunDirectory(m_config.runsDir, m_config.expName);
                    try {
                        m_writerLock = std::make_unique<RunWriterLock>(m_paths.root, m_options.program);
                        break;
                    } catch (const RunBusyError&) {
                    }
                }
                writeFileAtomically(m_paths.config(), toYaml(m_config));
            }
            return;
        }
        // Every rank reads the checkpoint (a shared file system); it holds no trace of the world size.
        m_paths = RunPaths{m_options.resumeRunDirectory};
        if (std::filesystem::exists(m_paths.lastCheckpoint())) {
            m_position = loadCheckpoint(m_paths.lastCheckpoint(), m_objective->model(), &m_optimizer->inner(),
                                        [this](torch::serialize::InputArchive& a) { m_objective->loadExtras(a); });
            if (m_channelsLast) {
                m_objective->useChannelsLast(); // loading took the file's (contiguous) layout
            }
        } else {
            // Stopped before its first checkpoint: the run starts again from step 0, as it first did.
            m_observer.onMessage(m_paths.lastCheckpoint() + " is not there yet: the run starts again from step 0");
        }
        if (leader()) {
            // The steps after the checkpoint will be trained again: their records go, one record per step.
            const int dropped = truncateMetricsHistory(m_paths.metrics(), m_position.step, m_position.epoch);
            if (dropped > 0) {
                m_observer.onMessage("metrics.jsonl: dropped " + std::to_string(dropped) +
                                     " records after step " + std::to_string(m_position.step) +
                                     " (the checkpoint), which this resume trains again");
            }
        }
    }

    void prepare()
    {
        if (resuming() && leader()) {
            // Before anything is loaded: a second writer is refused at once, with the first one named.
            m_writerLock = std::make_unique<RunWriterLock>(m_options.resumeRunDirectory, m_options.program);
        }
        configureThreads(m_config.threads);
        torch::manual_seed(uint64_t(m_config.seed));
        resetGpuPeak(m_device); // the step records' peak is this run's
        if (m_device.is_cuda()) {
            // Training's shapes are fixed (one batch size, one crop size): cuDNN's autotuner measures the algorithms
            // for each convolution once, on the first step, and keeps the fastest.
            at::globalContext().setBenchmarkCuDNN(true);
        }

        const ImageDataset full = loadDataset(m_config.dataset, Split::Train, m_config.data, ImageUse::Views);
        if (full.skippedFiles > 0) {
            m_observer.onMessage(std::to_string(full.skippedFiles) + " undecodable image files were skipped (set "
                                 "data.strict: true to stop on them instead)");
        }
        m_dataset = seededSubset(full, m_config.dataset.trainSubset, uint64_t(m_config.seed));
        if (m_config.optimizer.batchSize % m_communicator->worldSize() != 0) {
            throw ConfigError(m_config.sourcePath, 0, "optimizer.batch_size",
                              "expected a multiple of the number of processes (" +
                                  std::to_string(m_communicator->worldSize()) + "): the global batch is split evenly, got " +
                                  std::to_string(m_config.optimizer.batchSize));
        }
        if (m_dataset.size() < m_config.optimizer.batchSize) {
            throw ConfigError(m_config.sourcePath, 0, "optimizer.batch_size",
                              "expected at most the training set size (" + std::to_string(m_dataset.size()) +
                                  " images), got " + std::to_string(m_config.optimizer.batchSize));
        }

        const ModelInput input{m_dataset.channels(), m_dataset.inputSize(),
                               systemOf(m_config).classifier ? int64_t(m_dataset.classNames.size()) : 0};
        m_objective = m_options.makeObjective ? m_options.makeObjective(m_config, input, m_device)
                                              : makeObjective(m_config, input, m_device);
        m_channelsLast = usesChannelsLast(m_config.memoryFormat, m_device);
        if (m_channelsLast) {
            m_objective->useChannelsLast();
        }
        if (distributed()) {
            m_objective->distributeOver(*m_communicator, m_config.syncBatchNorm);
        }
        m_optimizer = std::make_unique<ConfiguredOptimizer>(m_config.optimizer, m_objective->parameters());
        m_averager = std::make_unique<GradientAverager>(*m_communicator, m_objective->parameters());

        AugmentationOptions augmentation;
        augmentation.cropSize = m_dataset.inputSize();
        augmentation.mean = m_dataset.mean;
        augmentation.std = m_dataset.std;
        m_augmenter = std::make_unique<ViewAugmenter>(augmentation);
        BatchLoaderOptions loaderOptions;
        loaderOptions.batchSize = m_config.optimizer.batchSize;
        loaderOptions.seed = uint64_t(m_config.seed);
        loaderOptions.views = m_objective->views();
        loaderOptions.device = m_device;
        loaderOptions.viewType = m_config.precision == "float64" ? torch::kDouble : torch::kFloat;
        loaderOptions.channelsLast = m_channelsLast;
        loaderOptions.rank = m_communicator->rank();
        loaderOptions.worldSize = m_communicator->worldSize();
        m_loader = std::make_unique<BatchLoader>(m_dataset, *m_augmenter, loaderOptions);

        m_stepsPerEpoch = m_loader->stepsPerEpoch();
        m_totalSteps = (long long)m_stepsPerEpoch * m_config.numEpochs;
        const auto warmupSteps = (long long)std::llround(m_config.optimizer.warmupEpochs * m_stepsPerEpoch);
        m_schedule = makeSchedule(m_config.optimizer, warmupSteps, m_totalSteps);
        const TrainingSetUp setUp{m_device, *m_communicator, *m_averager, m_config.numEpochs, m_stepsPerEpoch};
        for (const auto& callback : m_callbacks) {
            callback->setUp(setUp); // before the run folder: what a callback cannot work with writes nothing
        }

        openRunDirectory();
        if (distributed()) {
            broadcastModelState();
        }
        if (leader()) {
            m_metrics = std::make_unique<MetricsWriter>(m_paths.metrics());
        }
        std::ostringstream start;
        start << (resuming() ? "resumed at step " + std::to_string(m_position.step) : "started " + m_config.system)
              << " on " << describeDevice(m_device);
        if (distributed()) {
            start << " x " << m_communicator->worldSize() << " processes (" << m_communicator->backend() << ", "
                  << m_config.optimizer.batchSize / m_communicator->worldSize() << " images each per step"
                  << (m_config.syncBatchNorm ? ", synchronised BatchNorm" : "") << ")";
        }
        // The plan, before the first step: what will run, so a wrong config shows before hours are spent on it.
        start << ": " << m_config.numEpochs << " epochs x " << m_stepsPerEpoch << " steps = " << m_totalSteps
              << " steps, batch " << m_config.optimizer.batchSize << ", " << m_dataset.size() << " training images";
        writeEvent(resuming() ? "resume" : "start", start.str(), m_communicator->worldSize());
        if (leader()) {
            recordTrainingSession(m_paths, {resuming() ? "resume" : "start", m_options.program,
                                            m_options.commandLine, describeDevice(m_device), m_communicator->worldSize()});
        }
        m_observer.onMessage(start.str());
        m_observer.onTrainingStarted(m_paths.root, m_totalSteps);
        m_firstStep = m_position.step;
        m_trainingStart = Clock::now();
        for (const auto& callback : m_callbacks) {
            callback->onTrainingStart();
        }
    }

    /**
     * Whether the step's loss is read back to the host: on the CPU every step (reading costs nothing); on a GPU
     * only where it is logged (logging.step_every), at an epoch's last step and at a stop, so that the GPU runs
     * ahead of the host between them. NaN checks and the GUI's live curves follow the reads.
     */
    bool readsLoss(long long step, bool lastOfEpoch) const
    {
        return !m_device.is_cuda() || step % m_config.logging.stepEvery == 0 || lastOfEpoch ||
               (!distributed() && m_cancel.stopRequested());
    }

    /** The mean loss of the epoch's steps from their sum on the device (over every rank in a job). */
    double meanLoss(const torch::Tensor& lossSum, int steps)
    {
        if (steps == 0) {
            return 0.0;
        }
        torch::Tensor total = lossSum.clone(); // on the device: NCCL reduces only GPU tensors
        if (distributed()) {
            m_communicator->allReduceSum(total);
            total /= m_communicator->worldSize();
        }
        return total.item<double>() / steps;
    }

    /** The objective's diagnostics of a step whose loss is read, as the mean over a job's ranks (one all-reduce). */
    std::map<std::string, double> readScalars(const std::map<std::string, torch::Tensor>& scalars)
    {
        std::map<std::string, double> values;
        if (scalars.empty()) {
            return values;
        }
        std::vector<torch::Tensor> rows;
        for (const auto& entry : scalars) {
            rows.push_back(entry.second.detach().to(m_device, torch::kDouble).reshape({1}));
        }
        torch::Tensor all = torch::cat(rows);
        if (distributed()) {
            m_communicator->allReduceSum(all);
            all = all / double(m_communicator->worldSize());
        }
        all = all.to(torch::kCPU);
        int64_t index = 0;
        for (const auto& entry : scalars) {
            values[entry.first] = all[index++].item<double>();
        }
        return values;
    }

    /** The record of a step whose loss was read; its rates average the steps since the last read. */
    StepRecord stepRecord(int epoch, int stepInEpoch, double lr, double loss, double secondsPerStep,
                          const torch::Tensor& r, const torch::Tensor& outlierR)
    {
        StepRecord record;
        record.epoch = epoch + 1;
        record.step = m_position.step;
        record.totalSteps = m_totalSteps;
        record.stepInEpoch = stepInEpoch + 1;
        record.stepsPerEpoch = m_stepsPerEpoch;
        record.loss = loss;
        record.learningRate = lr;
        record.imagesPerSecond = m_config.optimizer.batchSize / std::max(1e-9, secondsPerStep);
        record.etaSeconds = estimateRemaining(secondsPerStep);
        record.wallTime = unixSeconds();
        if (const auto memory = gpuMemory(m_device)) {
            record.gpuMemoryMb = memory->inUseMb;
            record.gpuPeakMb = memory->peakMb;
        }
        if (r.defined()) {
            const torch::Tensor r64 = r.to(torch::kDouble);
            record.meanRawR = r64.mean().item<double>();
            record.meanCertainty = torch::sigmoid(r64).mean().item<double>();
        }
        if (outlierR.defined()) {
            record.meanOutlierCertainty = torch::sigmoid(outlierR.to(torch::kDouble)).mean().item<double>();
        }
        return record;
    }

    /** @return false when stopped by the cancellation token. */
    bool runEpoch(int epoch, TrainingResult& result)
    {
        m_objective->setTraining(true);
        const auto epochStart = Clock::now();
        const int firstStep = m_position.epoch == epoch ? m_position.stepInEpoch : 0;
        m_loader->startEpoch(epoch, firstStep);

        EpochDistributions distributions;
        torch::Tensor lossSum = torch::zeros({}, torch::TensorOptions(m_device).dtype(torch::kDouble));
        int lossCount = 0;
        auto lastRead = Clock::now();
        int stepsSinceRead = 0;
        for (int stepInEpoch = firstStep; stepInEpoch < m_stepsPerEpoch; ++stepInEpoch) {
            const double lr = m_schedule(m_position.step);
            const TrainingBatch batch = m_loader->next();
            const bool read = readsLoss(m_position.step + 1, stepInEpoch + 1 == m_stepsPerEpoch);
            const auto [loss, step] = optimisationStep(batch, lr, epoch, stepInEpoch, read);
            ++m_position.step;
            ++stepsSinceRead;
            lossSum += step.loss.detach().to(torch::kDouble);
            ++lossCount;

            torch::Tensor r, outlierR; // of the global batch: the histograms cover every rank's anchors
            if (step.rawR.defined()) {
                r = m_communicator->allGather(step.rawR.detach());
                distributions.rawR.push_back(r);
            }
            if (step.outlierRawR.defined()) {
                outlierR = m_communicator->allGather(step.outlierRawR.detach());
                distributions.outlierRawR.push_back(outlierR);
            }
            if (loss) {
                StepRecord record =
                    stepRecord(epoch, stepInEpoch, lr, *loss, secondsSince(lastRead) / stepsSinceRead, r, outlierR);
                record.scalars = readScalars(step.scalars);
                lastRead = Clock::now();
                stepsSinceRead = 0;
                m_observer.onStep(record);
                if (m_metrics && m_position.step % m_config.logging.stepEvery == 0) {
                    m_metrics->write(record);
                }
            }
            if (!distributed()) {
                m_cancel.waitWhilePaused(); // between steps: a pause never splits one
            }
            // A stop on an epoch's last step lets the epoch finish, so its record and checkpoints are complete.
            if (stopRequested() && stepInEpoch + 1 < m_stepsPerEpoch) {
                m_position.epoch = epoch;
                m_position.stepInEpoch = stepInEpoch + 1;
                saveState(m_paths.lastCheckpoint());
                writeEvent("stopped", "stopped by request after step " + std::to_string(m_position.step) +
                                          "; checkpoints/last.pt holds that state");
                result.lastEpochLoss = meanLoss(lossSum, lossCount);
                return false;
            }
        }
        result.lastEpochLoss = meanLoss(lossSum, lossCount);
        finishEpoch(epoch, result.lastEpochLoss, secondsSince(epochStart), distributions);
        return true;
    }

    /** The step's forward and loss, in bfloat16 autocast under precision: bf16 (backward runs outside it, as torch's). */
    StepLoss lossOf(const TrainingBatch& batch)
    {
        const ReducedPrecisionScope reducedPrecision(m_device, m_config.precision == "bf16");
        return m_objective->loss(batch);
    }

    /** @return the loss as read back where @p read (the mean over ranks in a job), and the step's outputs. */
    std::pair<std::optional<double>, StepLoss> optimisationStep(const TrainingBatch& batch, double lr, int epoch,
                                                                int stepInEpoch, bool read)
    {
        m_optimizer->setLearningRate(lr);
        const StepLoss step = lossOf(batch);
        if (!read) {
            update(step);
            return {std::nullopt, step};
        }
        double value = step.loss.item<double>();
        if (distributed()) {
            // One all-reduce carries the loss to report (the mean over ranks) and whether any rank was asked to stop.
            // On the training device: NCCL reduces only GPU tensors.
            torch::Tensor agreed = torch::tensor({value, m_cancel.stopRequested() ? 1.0 : 0.0}, torch::kDouble).to(m_device);
            m_communicator->allReduceSum(agreed);
            agreed = agreed.to(torch::kCPU);
            value = agreed[0].item<double>() / m_communicator->worldSize();
            m_stopAgreed = agreed[1].item<double>() > 0;
        }
        if (!std::isfinite(value)) {
            std::ostringstream message;
            message << "the loss became " << value << " at step " << m_position.step + 1 << " (epoch " << epoch + 1
                    << ", step " << stepInEpoch + 1 << " of the epoch, learning rate " << lr << "; the last finite loss was "
                    << (m_lastFiniteLoss ? std::to_string(*m_lastFiniteLoss) : std::string("none yet"))
                    << (m_device.is_cuda() ? ", read every " + std::to_string(m_config.logging.stepEvery) +
                                                 " steps on a GPU (logging.step_every)"
                                           : std::string())
                    << "); training stopped without saving this state. checkpoints/last.pt holds the last finished "
                       "epoch. Try a smaller optimizer.learning_rate.";
            writeEvent("error", message.str());
            throw TauError(message.str());
        }
        m_lastFiniteLoss = value;
        update(step);
        return {value, step};
    }

    /** Backward and the optimiser's update: nothing in it waits on the GPU. */
    void update(const StepLoss& step)
    {
        m_optimizer->zeroGrad();
        m_averager->prepare();
        step.loss.backward(); // gradient buckets are all-reduced while backward still runs
        m_averager->finish();
        m_optimizer->step();
        m_objective->afterStep();
    }

    void saveState(const std::string& path)
    {
        if (!leader()) {
            return; // the ranks hold the same state; rank 0 writes it
        }
        saveCheckpoint(path, m_objective->model(), &m_optimizer->inner(), m_position,
                       [this](torch::serialize::OutputArchive& a) { m_objective->saveExtras(a); });
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

    void finishEpoch(int epoch, double meanLoss, double seconds, const EpochDistributions& distributions)
    {
        const torch::Tensor rawR = EpochDistributions::joined(distributions.rawR);
        const torch::Tensor outlierRawR = EpochDistributions::joined(distributions.outlierRawR);
        const std::vector<float> rawValues = rawR.defined() ? toVector(rawR) : std::vector<float>();
        const std::vector<float> certainties = rawR.defined() ? certaintiesOf(rawR) : std::vector<float>();
        const std::vector<float> outlierCertainties =
            outlierRawR.defined() ? certaintiesOf(outlierRawR) : std::vector<float>();
        EpochRecord record;
        record.epoch = epoch + 1;
        record.totalEpochs = m_config.numEpochs;
        record.step = m_position.step;
        record.loss = meanLoss;
        record.learningRate = m_schedule(m_position.step - 1);
        record.seconds = seconds;
        record.wallTime = unixSeconds();
        record.imagesPerSecond = double(m_stepsPerEpoch) * m_config.optimizer.batchSize / std::max(1e-9, seconds);
        record.hasTemperature = !rawValues.empty();
        if (record.hasTemperature) {
            record.certaintyHistogram = fixedHistogram(certainties, 0.0, 1.0, m_config.logging.histogramBins);
            record.certaintyPercentiles = percentilesOf(certainties);
            // r has no natural range (c's is [0, 1]): its bins span this epoch's values, whatever their scale.
            record.rawHistogram = fittedHistogram(rawValues, 2 * m_config.logging.histogramBins);
            record.rawPercentiles = percentilesOf(rawValues);
        }
        record.hasOutliers = !outlierCertainties.empty();
        if (record.hasOutliers) {
            record.outlierCertaintyHistogram = fixedHistogram(outlierCertainties, 0.0, 1.0, m_config.logging.histogramBins);
            record.outlierCertaintyPercentiles = percentilesOf(outlierCertainties);
        }
        EpochEnd end{epoch + 1, m_config.numEpochs, *m_objective, m_cancel, record};
        for (const auto& callback : m_callbacks) {
            callback->onEpochEnd(end);
        }
        if (m_metrics) {
            m_metrics->write(record);
        }
        m_position.epoch = epoch + 1;
        m_position.stepInEpoch = 0;
        saveState(m_paths.lastCheckpoint());
        if ((epoch + 1) % m_config.logging.checkpointEvery == 0 || epoch + 1 == m_config.numEpochs) {
            saveState(m_paths.epochCheckpoint(epoch + 1));
        }
        m_observer.onEpochEnd(record);
    }

    const ExperimentConfig& m_config;
    TrainingObserver& m_observer;
    const CancellationToken& m_cancel;
    TrainingOptions m_options;
    PrecisionScope m_precision; // before every tensor the run owns
    std::shared_ptr<Communicator> m_communicator;
    torch::Device m_device;
    std::unique_ptr<GradientAverager> m_averager;
    bool m_channelsLast = false; ///< memory_format: images and convolution weights NHWC
    bool m_stopAgreed = false;
    std::optional<double> m_lastFiniteLoss;
    long long m_firstStep = 0;
    Clock::time_point m_trainingStart;

    ImageDataset m_dataset;
    std::unique_ptr<ViewAugmenter> m_augmenter;
    std::unique_ptr<BatchLoader> m_loader;
    std::vector<std::shared_ptr<TrainingCallback>> m_callbacks;
    std::unique_ptr<TrainingObjective> m_objective;
    std::unique_ptr<ConfiguredOptimizer> m_optimizer;
    std::function<double(long long)> m_schedule;
    RunPaths m_paths;
    std::unique_ptr<RunWriterLock> m_writerLock; ///< rank 0 holds RUN/writer.lock until the run ends
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
    TrainingOptions resolved = options;
    if (resolved.resumeRunDirectory.empty() && !config.continueFromCheckpoint.empty()) {
        // continue_from_checkpoint names the run or one of its checkpoints: training goes on in that run.
        resolved.resumeRunDirectory = locateRun(config.continueFromCheckpoint).paths.root;
    }
    return translateTorchErrors("training", [&] { return TrainingRun(config, observer, cancel, resolved).execute(); });
}

} // namespace tau::core
